import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { HANDLERS, type HandlerName, LAMBDA_BUNDLE } from './lambdaBundle.js';

/**
 * Bundles the four handlers into <outDir>/<name>/index.js in one esbuild call (about a second),
 * for both `cdk synth` and the local emulator: what runs locally is what gets deployed.
 */
export const bundleHandlers = (projectRoot: string, outDir: string): Record<HandlerName, string> => {
  const names = Object.keys(HANDLERS) as HandlerName[];
  buildSync({
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
  });
  // The repository is "type": "module"; this marks the bundles as CommonJS wherever they sit.
  for (const n of names) writeFileSync(join(outDir, n, 'package.json'), '{ "type": "commonjs" }\n');
  return Object.fromEntries(names.map((n) => [n, join(outDir, n)])) as Record<HandlerName, string>;
};
