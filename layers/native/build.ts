/**
 * Builds the native Lambda layer: onnxruntime-node and sharp for linux-arm64 (glibc) only, in
 * dist/native-layer/nodejs/node_modules (what Lambda puts on NODE_PATH). The versions are the ones
 * this checkout uses; npm fetches the arm64 binaries (registry or cache), then other platforms,
 * docs and typings are pruned: 288 MB of onnxruntime-node becomes ~25 MB.
 * Usage: npx tsx layers/native/build.ts [outDir] [--arch arm64|x64]
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PACKAGES = ['onnxruntime-node', 'sharp'] as const;
/**
 * The runtime closure; everything else npm brings is onnxruntime-node's install-script tooling
 * (adm-zip, global-agent and its dependencies), which never runs on Lambda.
 */
const KEEP = new Set(['onnxruntime-node', 'onnxruntime-common', 'sharp', '@img', 'detect-libc', 'semver']);
/** Files no function ever loads. */
const JUNK =
  /(\.md|\.markdown|\.d\.ts|\.d\.mts|\.map|\.ts|LICENSE-3rdparty.*|CHANGELOG.*|\.h|\.hpp|\.cc|\.gyp)$/i;

const versionOf = async (name: string): Promise<string> =>
  (
    JSON.parse(await readFile(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

const sizeOf = async (dir: string): Promise<number> => {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await stat(join(e.parentPath, e.name))).size;
  }
  return total;
};

const prune = async (modules: string, arch: string): Promise<void> => {
  // onnxruntime-node ships every platform's binaries in one package.
  const napi = join(modules, 'onnxruntime-node', 'bin');
  for (const abi of await readdir(napi)) {
    for (const os of await readdir(join(napi, abi))) {
      if (os !== 'linux') {
        await rm(join(napi, abi, os), { recursive: true });
        continue;
      }
      for (const a of await readdir(join(napi, abi, os)))
        if (a !== arch) await rm(join(napi, abi, os, a), { recursive: true });
    }
  }
  // The GPU providers are not used on Lambda (the GPU batch container has its own image).
  for (const e of await readdir(join(napi), { recursive: true })) {
    if (/providers_(cuda|tensorrt)/.test(e)) await rm(join(napi, e), { force: true });
  }
  for (const name of await readdir(modules)) {
    if (!KEEP.has(name)) await rm(join(modules, name), { recursive: true, force: true });
  }
  await rm(join(modules, 'onnxruntime-node', 'script'), { recursive: true, force: true });
  for (const e of await readdir(modules, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && JUNK.test(e.name)) await rm(join(e.parentPath, e.name), { force: true });
  }
};

const main = async (): Promise<void> => {
  const args = process.argv.slice(2);
  const archAt = args.indexOf('--arch');
  const arch = archAt >= 0 ? args[archAt + 1]! : 'arm64';
  const positional = args.filter((a, i) => !a.startsWith('--') && (archAt < 0 || i !== archAt + 1));
  const out = resolve(positional[0] ?? join(ROOT, 'dist', 'native-layer'));
  const staging = await mkdtemp(join(tmpdir(), 'mespotter-native-'));
  try {
    const deps = Object.fromEntries(
      await Promise.all(PACKAGES.map(async (p) => [p, await versionOf(p)] as const)),
    );
    await writeFile(
      join(staging, 'package.json'),
      JSON.stringify({ name: 'native-layer', private: true, dependencies: deps }),
    );
    // --ignore-scripts: onnxruntime-node's install script only fetches CUDA bits for linux-x64.
    execFileSync(
      'npm',
      [
        'install',
        '--omit=dev',
        '--os=linux',
        `--cpu=${arch}`,
        '--libc=glibc',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        '--no-package-lock',
        '--prefer-offline',
      ],
      { cwd: staging, stdio: 'inherit' },
    );
    const modules = join(staging, 'node_modules');
    await prune(modules, arch);
    await rm(out, { recursive: true, force: true });
    await mkdir(join(out, 'nodejs'), { recursive: true });
    await cp(modules, join(out, 'nodejs', 'node_modules'), { recursive: true });
    const mb = (await sizeOf(out)) / 1024 ** 2;
    console.log(`native layer (linux-${arch}): ${out} ${mb.toFixed(1)} MB unzipped; ${JSON.stringify(deps)}`);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
};

await main();
