import { bothOrNeither, EnvName, EnvSchema, envVar } from '../shared/env.js';

/** The ingest function's whole environment. */
export const ingestEnv = new EnvSchema(
  'ingest',
  {
    [EnvName.IngestQueueUrl]: envVar.url(),
    [EnvName.DetectQueueUrl]: envVar.url(),
    [EnvName.DlqUrls]: envVar.urlList(),
    // SQS DelaySeconds: a whole number of seconds, at most 15 minutes.
    [EnvName.FinalizeDelaySeconds]: envVar.number(30, { int: true, min: 0, max: 900 }),
    [EnvName.GpuJobQueue]: envVar.optionalText(),
    [EnvName.GpuJobDefinition]: envVar.optionalText(),
    [EnvName.GpuBatchMinPhotos]: envVar.number(Number.POSITIVE_INFINITY, { int: true, min: 1 }),
  },
  (v) => ({
    ingestQueueUrl: v[EnvName.IngestQueueUrl],
    detectQueueUrl: v[EnvName.DetectQueueUrl],
    dlqUrls: v[EnvName.DlqUrls],
    finalizeDelaySeconds: v[EnvName.FinalizeDelaySeconds],
    gpuBatch: bothOrNeither(
      'ingest',
      [EnvName.GpuJobQueue, v[EnvName.GpuJobQueue]],
      [EnvName.GpuJobDefinition, v[EnvName.GpuJobDefinition]],
    )
      ? { jobQueue: v[EnvName.GpuJobQueue]!, jobDefinition: v[EnvName.GpuJobDefinition]! }
      : undefined,
    gpuBatchMinPhotos: v[EnvName.GpuBatchMinPhotos],
  }),
);
export type IngestSettings = ReturnType<typeof ingestEnv.parse>;
