/**
 * Build step (run by `npm ci` through `prepare`): copies the three ONNX models out of the
 * npm package `faceplugin-face-recognition-js`, makes their batch dimension symbolic, and
 * writes manifest.json with checksums, shapes and preprocessing constants.
 * Usage: node dist/layers/models/build.js [outDir]
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeModelSetId, type ModelManifest, sha256Hex } from '../../core/models/manifest.js';
import { makeBatchSymbolic } from '../../core/models/symbolicBatch.js';

const PACKAGE = 'faceplugin-face-recognition-js';

/** What each source model is, from measurement (../shared/notes/face-pipeline.md), as data. */
const SOURCES = {
  detector: {
    source: 'fr_detect.onnx',
    file: 'detector.onnx',
    inputName: 'input',
    inputShape: ['N', 3, 240, 320],
    outputNames: ['scores', 'boxes'],
    preprocess: { colour: 'rgb', mean: 127, std: 128 },
  },
  landmarks: {
    source: 'fr_landmark.onnx',
    file: 'landmarks.onnx',
    inputName: 'input',
    inputShape: ['N', 1, 64, 64],
    outputNames: ['output'],
    preprocess: { colour: 'grey', mean: 0, std: 256 },
  },
  embedder: {
    source: 'fr_feature.onnx',
    file: 'embedder.onnx',
    inputName: 'input',
    inputShape: ['N', 3, 112, 112],
    outputNames: ['output'],
    preprocess: { colour: 'rgb', mean: 127, std: 128 },
  },
} as const;

const main = async (): Promise<void> => {
  const here = dirname(fileURLToPath(import.meta.url));
  // Compiled to dist/layers/models; the layer folder is the source folder layers/models.
  const outDir = resolve(process.argv[2] ?? join(here, '..', '..', '..', 'layers', 'models'));
  const require = createRequire(import.meta.url);
  const pkgJsonPath = require.resolve(`${PACKAGE}/package.json`);
  const pkg = JSON.parse(await readFile(pkgJsonPath, 'utf8')) as { version: string; license: string };
  const modelDir = join(dirname(pkgJsonPath), 'model');
  await mkdir(outDir, { recursive: true });

  const models = {} as Record<keyof typeof SOURCES, ModelManifest['models']['detector']>;
  for (const [role, spec] of Object.entries(SOURCES) as [
    keyof typeof SOURCES,
    (typeof SOURCES)[keyof typeof SOURCES],
  ][]) {
    const original = await readFile(join(modelDir, spec.source));
    const batched = makeBatchSymbolic(original);
    await writeFile(join(outDir, spec.file), batched);
    models[role] = {
      file: spec.file,
      sha256: sha256Hex(batched),
      inputName: spec.inputName,
      inputShape: [...spec.inputShape],
      outputNames: [...spec.outputNames],
      preprocess: { ...spec.preprocess },
    };
  }
  const manifest: ModelManifest = {
    version: 1,
    modelSetId: computeModelSetId(PACKAGE, pkg.version, [
      models.detector.sha256,
      models.landmarks.sha256,
      models.embedder.sha256,
    ]),
    source: { package: PACKAGE, version: pkg.version, license: pkg.license },
    models,
  };
  await writeFile(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`models: wrote ${Object.keys(models).length} models to ${outDir} (${manifest.modelSetId})`);
};

await main();
