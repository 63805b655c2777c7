/**
 * Build step (run by `npm ci` through `prepare`): copies the three ONNX models out of the
 * npm package `faceplugin-face-recognition-js`, makes their batch dimension symbolic, converts
 * `@vladmandic/face-api`'s tfjs face recognition model (the 128-d descriptor) into an ONNX graph,
 * and writes manifest.json with checksums, shapes and preprocessing constants.
 * Usage: node dist/layers/models/build.js [outDir]
 */
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../../core/fs/writeFileAtomic.js';
import {
  buildFaceApiDescriptorModel,
  DESCRIPTOR_INPUT_NAME,
  DESCRIPTOR_INPUT_SIZE,
  DESCRIPTOR_OUTPUT_NAME,
} from '../../core/models/faceApiDescriptorGraph.js';
import { computeModelSetId, type ModelManifest, sha256Hex } from '../../core/models/manifest.js';
import { makeBatchSymbolic } from '../../core/models/symbolicBatch.js';
import { readTfjsWeights } from '../../core/models/tfjsWeights.js';

const PACKAGE = 'faceplugin-face-recognition-js';
const DESCRIPTOR_PACKAGE = '@vladmandic/face-api';
const DESCRIPTOR_FILE = 'descriptor.onnx';

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
    await writeFileAtomic(join(outDir, spec.file), batched);
    models[role] = {
      file: spec.file,
      sha256: sha256Hex(batched),
      inputName: spec.inputName,
      inputShape: [...spec.inputShape],
      outputNames: [...spec.outputNames],
      preprocess: { ...spec.preprocess },
    };
  }
  const descriptor = await buildDescriptor(require, outDir);
  const manifest: ModelManifest = {
    version: 1,
    modelSetId: computeModelSetId(PACKAGE, pkg.version, [
      models.detector.sha256,
      models.landmarks.sha256,
      models.embedder.sha256,
      descriptor.sha256,
    ]),
    source: { package: PACKAGE, version: pkg.version, license: pkg.license },
    models: { ...models, descriptor },
  };
  // The manifest last: a build killed midway leaves the previous manifest, whose checksums refuse
  // any half-replaced set, and the next build replaces everything.
  await writeFileAtomic(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(
    `models: wrote ${Object.keys(manifest.models).length} models to ${outDir} (${manifest.modelSetId})`,
  );
};

/**
 * face-api's face recognition model (tfjs weights manifest + uint8-quantised .bin) → an ONNX graph
 * with dequantised float32 weights. The input normalisation is inside the graph, so the engine
 * feeds raw 0..255 RGB (mean 0, std 1).
 */
const buildDescriptor = async (
  require: NodeJS.Require,
  outDir: string,
): Promise<NonNullable<ModelManifest['models']['descriptor']>> => {
  const pkgJsonPath = require.resolve(`${DESCRIPTOR_PACKAGE}/package.json`);
  const pkg = JSON.parse(await readFile(pkgJsonPath, 'utf8')) as { version: string; license: string };
  const modelDir = join(dirname(pkgJsonPath), 'model');
  const manifestJson = JSON.parse(
    await readFile(join(modelDir, 'face_recognition_model-weights_manifest.json'), 'utf8'),
  ) as { paths: string[] }[];
  const shards = await Promise.all(
    manifestJson.flatMap((g) => g.paths).map((p) => readFile(join(modelDir, p))),
  );
  const onnxBytes = buildFaceApiDescriptorModel(readTfjsWeights(manifestJson, shards));
  await writeFileAtomic(join(outDir, DESCRIPTOR_FILE), onnxBytes);
  return {
    file: DESCRIPTOR_FILE,
    sha256: sha256Hex(onnxBytes),
    inputName: DESCRIPTOR_INPUT_NAME,
    inputShape: ['N', 3, DESCRIPTOR_INPUT_SIZE, DESCRIPTOR_INPUT_SIZE],
    outputNames: [DESCRIPTOR_OUTPUT_NAME],
    preprocess: { colour: 'rgb', mean: 0, std: 1 },
    source: { package: DESCRIPTOR_PACKAGE, version: pkg.version, license: pkg.license },
  };
};

await main();
