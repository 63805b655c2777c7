import { z } from 'zod';
import { detectStageSettings, detectStageShape } from '../functions/detect/detectEnv.js';
import { EnvName, EnvSchema, envVar } from '../functions/shared/env.js';

/** The GPU batch container's whole environment: the job (from SubmitJob) and the detect stage's settings. */
export const gpuBatchEnv = new EnvSchema(
  'gpu-batch',
  {
    ...detectStageShape,
    [EnvName.GpuRunId]: envVar.text(),
    [EnvName.GpuBucket]: envVar.text(),
    [EnvName.GpuKeysKey]: envVar.text(),
    // cpu lets the same image be tried on a machine without a GPU.
    [EnvName.GpuDevice]: z.enum(['cuda', 'cpu'], { error: 'must be cuda or cpu' }).default('cuda'),
    [EnvName.GpuConcurrency]: envVar.number(4, { int: true, min: 1, max: 64 }),
    // Photos still failing after the container's own retries go back to the Lambda path (and its DLQ).
    [EnvName.DetectQueueUrl]: envVar.url(),
  },
  (v) => ({
    job: { runId: v[EnvName.GpuRunId], bucket: v[EnvName.GpuBucket], keysKey: v[EnvName.GpuKeysKey] },
    device: v[EnvName.GpuDevice],
    concurrency: v[EnvName.GpuConcurrency],
    detectQueueUrl: v[EnvName.DetectQueueUrl],
    detect: detectStageSettings(v),
  }),
);
