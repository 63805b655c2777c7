/**
 * AWS Batch GPU container entrypoint: job environment in, the shared detect stage on a CUDA engine
 * out. Built into the image by gpu-batch/Dockerfile.
 */
import { FaceEngine } from '../core/FaceEngine.js';
import { createObservability, flushMetrics } from '../functions/shared/observability.js';
import { gpuBatchEnv } from './gpuBatchEnv.js';
import { runGpuBatch } from './runGpuBatch.js';

const { logger, metrics } = createObservability('gpu-batch');

let env: ReturnType<typeof gpuBatchEnv.parse>;
try {
  // The whole environment before any photo: a bad one fails the job (Batch retries it), no line is written.
  env = gpuBatchEnv.parse(process.env);
} catch (error) {
  logger.error('configuration invalid: job failed before any photo', { error: (error as Error).message });
  process.exit(2);
}

const engine = await FaceEngine.create({
  config: { runtime: { device: env.device, embedBatch: 32 } },
});
try {
  const result = await runGpuBatch(
    env.job,
    { engine, logger, metrics, settings: env.detect },
    { concurrency: env.concurrency, attempts: 3, backoffMs: 1000, handOffQueueUrl: env.detectQueueUrl },
  );
  logger.info('run analysed', { ...env.job, ...result });
} finally {
  flushMetrics(metrics);
  await engine.close();
}
