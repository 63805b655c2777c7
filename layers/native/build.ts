/**
 * Builds the native Lambda layer by hand (the CDK app builds it by itself when it is missing or
 * stale, see infra/buildApp.ts): onnxruntime-node and sharp for linux-<arch> only, in
 * dist/native-layer/nodejs/node_modules.
 * Usage: npx tsx layers/native/build.ts [outDir] [--arch arm64|x64]
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildNativeLayer, LayerArch } from './buildNativeLayer.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values, positionals } = parseArgs({
  options: { arch: { type: 'string', default: LayerArch.Arm64 } },
  allowPositionals: true,
});
const arch = values.arch === LayerArch.X64 ? LayerArch.X64 : LayerArch.Arm64;
if (values.arch !== arch) {
  console.error(`--arch must be ${LayerArch.Arm64} or ${LayerArch.X64}`);
  process.exit(2);
}
const out = resolve(positionals[0] ?? join(ROOT, 'dist', 'native-layer'));
const built = buildNativeLayer(ROOT, out, arch);
console.log(
  `native layer (linux-${arch}): ${built.dir} ${(built.bytes / 1024 ** 2).toFixed(1)} MB unzipped; ` +
    JSON.stringify(built.packages),
);
