import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ConfigError } from '../../core/errors.js';

/** Lambda's two CPU architectures, as Node names them. */
export const LayerArch = { Arm64: 'arm64', X64: 'x64' } as const;
export type LayerArch = (typeof LayerArch)[keyof typeof LayerArch];

/** Written last into a built layer: what it was built from, so a stale one is rebuilt. */
export const LAYER_STAMP = '.mespotter-layer.json';
/** Bumped when the layer's layout changes, so older builds are not reused. */
const LAYOUT = 2;

/** The packages the functions load from the layer; everything they need comes with them. */
const ROOTS = ['onnxruntime-node', 'sharp'] as const;
/**
 * onnxruntime-node's dependencies that only serve its install script (CUDA downloads), which
 * never runs on Lambda.
 */
const INSTALL_ONLY = new Set(['adm-zip', 'global-agent']);
/** Files no function ever loads. */
const JUNK =
  /(\.md|\.markdown|\.d\.ts|\.d\.mts|\.map|\.ts|LICENSE-3rdparty.*|CHANGELOG.*|\.h|\.hpp|\.cc|\.gyp)$/i;

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

interface Stamp {
  layout: number;
  arch: LayerArch;
  packages: Record<string, string>;
}

/**
 * The runtime closure of ROOTS in the project's own node_modules, as Node resolves it (nearest
 * node_modules first): package folders relative to node_modules. Pure JavaScript, or, for
 * onnxruntime-node, a package that ships every platform's binaries, so it is copied, not fetched.
 */
export const runtimeClosure = (projectRoot: string): string[] => {
  const top = join(projectRoot, 'node_modules');
  const found = new Set<string>();
  const visit = (name: string, from: string): void => {
    for (let dir = from; ; dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) {
        const rel = relative(top, candidate);
        if (found.has(rel)) return;
        found.add(rel);
        const pkg = readJson<{ dependencies?: Record<string, string> }>(join(candidate, 'package.json'));
        for (const dep of Object.keys(pkg.dependencies ?? {}))
          if (!(name === 'onnxruntime-node' && INSTALL_ONLY.has(dep))) visit(dep, candidate);
        return;
      }
      if (dir === projectRoot || dirname(dir) === dir)
        throw new ConfigError(`${name} (needed by the native layer) is not installed: run npm ci`);
    }
  };
  for (const r of ROOTS) visit(r, projectRoot);
  return [...found].sort();
};

/** What the layer is built from: the versions this checkout uses, for one architecture. */
export const layerStamp = (projectRoot: string, arch: LayerArch): Stamp => {
  const modules = join(projectRoot, 'node_modules');
  const version = (rel: string): string =>
    readJson<{ version: string }>(join(modules, rel, 'package.json')).version;
  const sharp = readJson<{ version: string; optionalDependencies?: Record<string, string> }>(
    join(modules, 'sharp', 'package.json'),
  );
  const binary = (name: string): [string, string] => {
    const v = sharp.optionalDependencies?.[name];
    if (!v) throw new ConfigError(`sharp ${sharp.version} lists no ${name}: cannot build the native layer`);
    return [name, v];
  };
  return {
    layout: LAYOUT,
    arch,
    packages: Object.fromEntries([
      ...runtimeClosure(projectRoot).map((rel) => [rel, version(rel)] as const),
      binary(`@img/sharp-linux-${arch}`),
      binary(`@img/sharp-libvips-linux-${arch}`),
    ]),
  };
};

const sizeOf = (dir: string): number => {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) total += statSync(join(e.parentPath, e.name)).size;
  return total;
};

/** Copies one package from the project, keeping only what runs on linux-<arch>. */
const copyLocal = (
  projectRoot: string,
  modules: string,
  name: string,
  arch: LayerArch,
  closure: ReadonlySet<string>,
): void => {
  const from = join(projectRoot, 'node_modules', name);
  const to = join(modules, name);
  // A nested package (sharp/node_modules/semver) came with its parent.
  if (existsSync(to)) return;
  // Nested packages outside the closure (install-time tooling) stay behind.
  const nested = (rel: string): boolean => {
    const m = /(^|\/)node_modules\/((@[^/]+\/)?[^/]+)/.exec(rel);
    return m !== null && !closure.has(`${name}/${rel.slice(0, m.index + m[0].length).replace(/^\//, '')}`);
  };
  if (name === 'onnxruntime-node') {
    const bin = `bin/napi-v6/linux/${arch}`;
    if (!existsSync(join(from, bin)))
      throw new ConfigError(`${from} has no ${bin}: onnxruntime-node no longer ships linux-${arch}`);
    cpSync(from, to, {
      recursive: true,
      // Other platforms' binaries, the GPU providers (the GPU container has its own image) and the install script.
      filter: (src) => {
        const rel = src.slice(from.length + 1);
        if (rel.startsWith('script') || nested(rel)) return false;
        if (!rel.startsWith('bin') || rel === 'bin' || rel === 'bin/napi-v6' || rel === 'bin/napi-v6/linux')
          return true;
        return (rel === bin || rel.startsWith(`${bin}/`)) && !/providers_(cuda|tensorrt)/.test(rel);
      },
    });
    return;
  }
  // sharp's build sources and install step are not needed once its binary package is there.
  cpSync(from, to, {
    recursive: true,
    filter: (src) => {
      const rel = src.slice(from.length + 1);
      return !/^(src|install)(\/|$)/.test(rel) && !nested(rel);
    },
  });
};

/**
 * sharp's prebuilt binary for linux-<arch> is an optional dependency that npm installs only on a
 * matching machine: fetched here with npm itself (its cache first, else the registry), scripts
 * off. Listed as optional dependencies of a scratch package, because npm applies --os/--cpu to
 * optional dependencies only (named directly, a foreign binary is refused as EBADPLATFORM).
 */
const installBinaries = (prefix: string, packages: Record<string, string>, arch: LayerArch): void => {
  const binaries = Object.fromEntries(Object.entries(packages).filter(([n]) => n.startsWith('@img/sharp-')));
  mkdirSync(prefix, { recursive: true });
  writeFileSync(
    join(prefix, 'package.json'),
    JSON.stringify({ name: 'mespotter-native-layer', private: true, optionalDependencies: binaries }),
  );
  try {
    execFileSync(
      process.platform === 'win32' ? 'npm.cmd' : 'npm',
      [
        'install',
        '--prefix',
        prefix,
        '--no-package-lock',
        '--os=linux',
        `--cpu=${arch}`,
        '--libc=glibc',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--loglevel=error',
      ],
      { cwd: prefix, stdio: ['ignore', 'ignore', 'pipe'], shell: process.platform === 'win32' },
    );
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
    throw new ConfigError(
      `could not fetch ${Object.keys(binaries).join(', ')} for the native layer (npm's cache, else the ` +
        `registry): ${stderr || (error as Error).message}`,
    );
  }
  for (const name of Object.keys(binaries))
    if (!existsSync(join(prefix, 'node_modules', name, 'package.json')))
      throw new ConfigError(`npm did not install ${name} for linux-${arch}: cannot build the native layer`);
};

/**
 * Builds the native Lambda layer for linux-<arch> into `outDir`: nodejs/node_modules (what Lambda
 * puts on NODE_PATH) with onnxruntime-node and sharp, other platforms, docs and typings pruned
 * (~41 MB unzipped). Built beside `outDir` and renamed into place, so an interrupted build never
 * leaves a half layer that looks finished; the stamp is written last.
 */
export const buildNativeLayer = (
  projectRoot: string,
  outDir: string,
  arch: LayerArch,
): { dir: string; bytes: number; packages: Record<string, string> } => {
  const stamp = layerStamp(projectRoot, arch);
  mkdirSync(dirname(outDir), { recursive: true });
  const staging = `${outDir}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    const modules = join(staging, 'nodejs', 'node_modules');
    mkdirSync(modules, { recursive: true });
    const closure = new Set(Object.keys(stamp.packages).filter((n) => !n.startsWith('@img/sharp-')));
    for (const rel of closure) copyLocal(projectRoot, modules, rel, arch, closure);
    // npm installs into <prefix>/node_modules; the layer wants <prefix>/nodejs/node_modules.
    const npmPrefix = join(staging, 'npm');
    installBinaries(npmPrefix, stamp.packages, arch);
    cpSync(join(npmPrefix, 'node_modules', '@img'), join(modules, '@img'), { recursive: true });
    rmSync(npmPrefix, { recursive: true, force: true });
    for (const e of readdirSync(modules, { withFileTypes: true, recursive: true }))
      if (e.isFile() && JUNK.test(e.name)) rmSync(join(e.parentPath, e.name), { force: true });
    for (const [n, v] of Object.entries(stamp.packages)) {
      const got = readJson<{ version: string }>(join(modules, n, 'package.json')).version;
      if (got !== v) throw new ConfigError(`native layer: ${n} is ${got}, expected ${v}`);
    }
    // The stamp goes in before the rename, so the folder is never in place without it (Lambda
    // ignores it: it is outside nodejs/).
    writeFileSync(join(staging, LAYER_STAMP), `${JSON.stringify(stamp, null, 2)}\n`);
    rmSync(outDir, { recursive: true, force: true });
    renameSync(staging, outDir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  return { dir: outDir, bytes: sizeOf(outDir), packages: stamp.packages };
};

/** True when `dir` holds a layer built from exactly these versions for this architecture. */
export const isCurrentLayer = (projectRoot: string, dir: string, arch: LayerArch): boolean => {
  const path = join(dir, LAYER_STAMP);
  if (!existsSync(path)) return false;
  try {
    return JSON.stringify(readJson<Stamp>(path)) === JSON.stringify(layerStamp(projectRoot, arch));
  } catch {
    return false;
  }
};

/**
 * The native layer in `dir`, built first unless it is already there for these versions and this
 * architecture: what lets `npx cdk synth` and `cdk deploy` run on a fresh clone.
 */
export const ensureNativeLayer = (
  projectRoot: string,
  dir: string,
  arch: LayerArch,
  log: (message: string) => void = () => undefined,
): string => {
  if (isCurrentLayer(projectRoot, dir, arch)) return dir;
  log(`building the native layer (onnxruntime-node, sharp for linux-${arch}) in ${dir}`);
  const built = buildNativeLayer(projectRoot, dir, arch);
  log(`native layer built: ${(built.bytes / 1024 ** 2).toFixed(1)} MB unzipped`);
  return dir;
};
