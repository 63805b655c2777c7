import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildSync } from 'esbuild';
import { HANDLERS, type HandlerName, LAMBDA_BUNDLE } from './lambdaBundle.js';

/** Writes beside the file and renames it into place: a reader never sees half a bundle. */
const writeAtomic = (path: string, contents: Uint8Array | string): void => {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, contents);
  renameSync(temp, path);
};

/**
 * Bundles the four handlers into <outDir>/<name>/index.js in one esbuild call (about a second),
 * for both `cdk synth` and the local emulator: what runs locally is what gets deployed. Several
 * processes may bundle into the same folder at once (tests, synth), so each file is written whole.
 */
export const bundleHandlers = (projectRoot: string, outDir: string): Record<HandlerName, string> => {
  const names = Object.keys(HANDLERS) as HandlerName[];
  const result = buildSync({
    entryPoints: names.map((n) => ({ in: join(projectRoot, HANDLERS[n]), out: `${n}/index` })),
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: LAMBDA_BUNDLE.format,
    target: LAMBDA_BUNDLE.target,
    external: [...LAMBDA_BUNDLE.external],
    define: { ...LAMBDA_BUNDLE.define },
    banner: { js: LAMBDA_BUNDLE.banner },
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'warning',
    absWorkingDir: projectRoot,
    write: false,
  });
  for (const f of result.outputFiles) writeAtomic(f.path, f.contents);
  // The repository is "type": "module"; this marks the bundles as CommonJS wherever they sit.
  for (const n of names) writeAtomic(join(outDir, n, 'package.json'), '{ "type": "commonjs" }\n');
  return Object.fromEntries(names.map((n) => [n, join(outDir, n)])) as Record<HandlerName, string>;
};
