import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type AppProps } from 'aws-cdk-lib';
import { Architecture } from 'aws-cdk-lib/aws-lambda';
import { ConfigError } from '../core/errors.js';
import { DEFAULT_TEACHER_RATE, parseGrayZone } from '../core/teacher/TeacherCascade.js';
import { ensureNativeLayer, LayerArch } from '../layers/native/buildNativeLayer.js';
import { bundleHandlers } from './constructs/bundleHandlers.js';
import { MespotterStack } from './stacks/MespotterStack.js';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Optional context (cdk.json or -c key=value) that shapes the stack. */
export const ContextKey = {
  SourceBucket: 'sourceBucket',
  DetectConcurrency: 'detectConcurrency',
  GpuJobQueueArn: 'gpuJobQueueArn',
  GpuJobDefinitionArn: 'gpuJobDefinitionArn',
  GpuBatchMinPhotos: 'gpuBatchMinPhotos',
  /** `true`: build the GPU batch path (compute environment, queue, job) in this stack. */
  GpuBatch: 'gpuBatch',
  /** Instance type for the GPU compute environment (default g5.xlarge: one A10G). */
  GpuInstanceType: 'gpuInstanceType',
  /** Most vCPUs the GPU compute environment scales to (default 16). */
  GpuMaxVcpus: 'gpuMaxVcpus',
  /** A native layer already built in this folder, used as it is (tests, CI artefacts). */
  NativeLayerDir: 'nativeLayerDir',
  ModelsDir: 'modelsDir',
  /** Use handler bundles already in this folder instead of bundling (tests, CI artefacts). */
  HandlersDir: 'handlersDir',
  /**
   * Where the app builds what the stack ships, unless given above: the handler bundles
   * (<dir>/lambda) and the native layer (<dir>/native-layer, rebuilt only when the onnxruntime-node
   * or sharp version or the architecture changes). Default dist/.
   */
  BuildDir: 'buildDir',
  /** The functions' CPU: `arm64` (default, cheaper) or `x86_64` (e.g. LocalStack on an x64 host). */
  Architecture: 'architecture',
  /**
   * `false`: detect neither looks photos up in nor adds them to the faces index (faces/), saving
   * a GET and a PUT per new photo; photos seen again are analysed again. Default true.
   */
  FacesIndex: 'facesIndex',
  /** `LO,HI`: turns on verify's Rekognition gray-zone cascade (off when unset). */
  TeacherGrayZone: 'teacherGrayZone',
  /** Teacher calls per second across all verify containers (default 5). */
  TeacherRate: 'teacherRate',
  /** US dollars per CompareFaces call, for the costs in results (default: first tier, us-east-1). */
  TeacherPrice: 'teacherPrice',
  /** Teacher similarity (0..100) that counts as the person (default 80). */
  TeacherThreshold: 'teacherThreshold',
  /** Days the faces index (faces/: every face's embedding, bystanders included) is kept (default 30). */
  FacesRetentionDays: 'facesRetentionDays',
  /** Days result lines, run records and summaries (results/) are kept (default 90). */
  ResultsRetentionDays: 'resultsRetentionDays',
  /** Days a failed message is kept in a DLQ, from when it was first sent (default 7, at most 14). */
  DlqRetentionDays: 'dlqRetentionDays',
} as const;

const numberIn = (key: string, text: string, ok: (n: number) => boolean, rule: string): number => {
  const n = Number(text);
  if (!Number.isFinite(n) || !ok(n)) throw new ConfigError(`context ${key} must be ${rule} (got "${text}")`);
  return n;
};

const parseBoolean = (key: string, text: string | undefined): boolean | undefined => {
  if (text === undefined) return undefined;
  if (text === 'true' || text === 'false') return text === 'true';
  throw new ConfigError(`context ${key} must be true or false (got "${text}")`);
};

/** Builds the CDK app; the entry file synthesises it, tests inspect it. */
export const buildApp = (props: AppProps = {}): { app: App; stack: MespotterStack } => {
  const app = new App(props);
  const ctx = (key: string): string | undefined => {
    const v = app.node.tryGetContext(key) as unknown;
    return v === undefined || v === '' ? undefined : String(v);
  };
  const optionalNumber = (key: string, ok: (n: number) => boolean, rule: string): number | undefined => {
    const text = ctx(key);
    return text === undefined ? undefined : numberIn(key, text, ok, rule);
  };
  const grayZone = ctx(ContextKey.TeacherGrayZone);
  const teacherCascade = grayZone
    ? {
        ...parseGrayZone(grayZone),
        ratePerSecond:
          optionalNumber(ContextKey.TeacherRate, (n) => n > 0, 'a number > 0') ?? DEFAULT_TEACHER_RATE,
        priceUsd: optionalNumber(ContextKey.TeacherPrice, (n) => n >= 0, 'a number >= 0'),
        threshold: optionalNumber(ContextKey.TeacherThreshold, (n) => n >= 0 && n <= 100, 'in 0..100'),
      }
    : undefined;
  const days = (key: string, max = Number.POSITIVE_INFINITY): number | undefined =>
    optionalNumber(
      key,
      (n) => Number.isInteger(n) && n >= 1 && n <= max,
      `a whole number of days in 1..${max}`,
    );
  const retention = {
    facesDays: days(ContextKey.FacesRetentionDays, 36_500),
    resultsDays: days(ContextKey.ResultsRetentionDays, 36_500),
    // SQS keeps a message at most 14 days.
    dlqDays: days(ContextKey.DlqRetentionDays, 14),
  };
  const gpuQueue = ctx(ContextKey.GpuJobQueueArn);
  const gpuDefinition = ctx(ContextKey.GpuJobDefinitionArn);
  const architecture = ctx(ContextKey.Architecture) ?? 'arm64';
  if (architecture !== 'arm64' && architecture !== 'x86_64')
    throw new ConfigError(
      `context ${ContextKey.Architecture} must be arm64 or x86_64 (got "${architecture}")`,
    );
  // What a fresh clone lacks is built here, so `npx cdk synth` / `deploy` need no step by hand.
  const buildDir = ctx(ContextKey.BuildDir) ?? join(PROJECT_ROOT, 'dist');
  let handlersDir = ctx(ContextKey.HandlersDir);
  if (!handlersDir) {
    handlersDir = join(buildDir, 'lambda');
    bundleHandlers(PROJECT_ROOT, handlersDir);
  }
  const nativeLayerDir =
    ctx(ContextKey.NativeLayerDir) ??
    ensureNativeLayer(
      PROJECT_ROOT,
      join(buildDir, 'native-layer'),
      architecture === 'arm64' ? LayerArch.Arm64 : LayerArch.X64,
      (m) => console.error(m),
    );
  const stack = new MespotterStack(app, 'Mespotter', {
    handlersDir,
    modelsDir: ctx(ContextKey.ModelsDir) ?? join(PROJECT_ROOT, 'layers', 'models'),
    nativeLayerDir,
    architecture: architecture === 'arm64' ? Architecture.ARM_64 : Architecture.X86_64,
    sourceBucketName: ctx(ContextKey.SourceBucket),
    detectConcurrency: ctx(ContextKey.DetectConcurrency)
      ? Number(ctx(ContextKey.DetectConcurrency))
      : undefined,
    gpuBatch:
      gpuQueue && gpuDefinition
        ? {
            jobQueueArn: gpuQueue,
            jobDefinitionArn: gpuDefinition,
            minPhotos: Number(ctx(ContextKey.GpuBatchMinPhotos) ?? 10_000),
          }
        : undefined,
    gpuBatchJob:
      ctx(ContextKey.GpuBatch) === 'true'
        ? {
            projectRoot: PROJECT_ROOT,
            instanceType: ctx(ContextKey.GpuInstanceType) ?? 'g5.xlarge',
            maxvCpus: Number(ctx(ContextKey.GpuMaxVcpus) ?? 16),
            minPhotos: Number(ctx(ContextKey.GpuBatchMinPhotos) ?? 10_000),
          }
        : undefined,
    teacherCascade,
    facesIndex: parseBoolean(ContextKey.FacesIndex, ctx(ContextKey.FacesIndex)) ?? true,
    retention: Object.fromEntries(Object.entries(retention).filter(([, v]) => v !== undefined)),
    description: 'mespotter: find every photo of a person in a bucket and copy them out',
  });
  return { app, stack };
};
