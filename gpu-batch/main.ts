/**
 * AWS Batch GPU container entrypoint: job environment in, the shared detect stage on a CUDA engine
 * out. Built into the image by gpu-batch/Dockerfile.
 */
import { z } from 'zod';
import { FaceEngine } from '../core/FaceEngine.js';
import { EnvName, numberEnv } from '../functions/shared/env.js';
import { createObservability, flushMetrics } from '../functions/shared/observability.js';
import { gpuBatchJobSchema, runGpuBatch } from './runGpuBatch.js';

const env = z
  .object({
    MESPOTTER_RUN_ID: z.string(),
    MESPOTTER_BUCKET: z.string(),
    MESPOTTER_KEYS_KEY: z.string(),
    // cpu lets the same image be tried on a machine without a GPU.
    MESPOTTER_DEVICE: z.enum(['cuda', 'cpu']).default('cuda'),
  })
  .parse(process.env);

const { logger, metrics } = createObservability('gpu-batch');
const engine = await FaceEngine.create({
  config: { runtime: { device: env.MESPOTTER_DEVICE, embedBatch: 32 } },
});
try {
  const job = gpuBatchJobSchema.parse({
    runId: env.MESPOTTER_RUN_ID,
    bucket: env.MESPOTTER_BUCKET,
    keysKey: env.MESPOTTER_KEYS_KEY,
  });
  const result = await runGpuBatch(
    job,
    { engine, logger, metrics },
    { concurrency: numberEnv(EnvName.GpuConcurrency, 4), attempts: 3, backoffMs: 1000 },
  );
  logger.info('run analysed', { ...job, ...result });
} finally {
  flushMetrics(metrics);
  await engine.close();
}
