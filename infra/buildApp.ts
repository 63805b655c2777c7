import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type AppProps } from 'aws-cdk-lib';
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
  NativeLayerDir: 'nativeLayerDir',
  ModelsDir: 'modelsDir',
  /** Use handler bundles already in this folder instead of bundling (tests, CI artefacts). */
  HandlersDir: 'handlersDir',
} as const;

/** Builds the CDK app; the entry file synthesises it, tests inspect it. */
export const buildApp = (props: AppProps = {}): { app: App; stack: MespotterStack } => {
  const app = new App(props);
  const ctx = (key: string): string | undefined => {
    const v = app.node.tryGetContext(key) as unknown;
    return v === undefined || v === '' ? undefined : String(v);
  };
  const gpuQueue = ctx(ContextKey.GpuJobQueueArn);
  const gpuDefinition = ctx(ContextKey.GpuJobDefinitionArn);
  let handlersDir = ctx(ContextKey.HandlersDir);
  if (!handlersDir) {
    handlersDir = join(PROJECT_ROOT, 'dist', 'lambda');
    bundleHandlers(PROJECT_ROOT, handlersDir);
  }
  const stack = new MespotterStack(app, 'Mespotter', {
    handlersDir,
    modelsDir: ctx(ContextKey.ModelsDir) ?? join(PROJECT_ROOT, 'layers', 'models'),
    nativeLayerDir: ctx(ContextKey.NativeLayerDir) ?? join(PROJECT_ROOT, 'dist', 'native-layer'),
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
    description: 'mespotter: find every photo of a person in a bucket and copy them out',
  });
  return { app, stack };
};
