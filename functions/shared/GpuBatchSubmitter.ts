import { SubmitJobCommand } from '@aws-sdk/client-batch';
import { batchClient } from './clients.js';

export interface GpuBatchRun {
  runId: string;
  bucket: string;
  /** Object listing the run's photo keys, one JSON string per line. */
  keysKey: string;
  photos: number;
}

/** Hands a large run to the GPU batch job (GPU issue); small runs stay on Lambda. */
export interface GpuBatchSubmitter {
  submit(run: GpuBatchRun): Promise<{ jobId: string }>;
}

/** AWS Batch SubmitJob; the container reads the run's key list and writes the same result lines. */
export class AwsBatchSubmitter implements GpuBatchSubmitter {
  readonly #jobQueue: string;
  readonly #jobDefinition: string;

  constructor(jobQueue: string, jobDefinition: string) {
    this.#jobQueue = jobQueue;
    this.#jobDefinition = jobDefinition;
  }

  async submit(run: GpuBatchRun): Promise<{ jobId: string }> {
    const out = await batchClient().send(
      new SubmitJobCommand({
        jobName: `mespotter-${run.runId}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 128),
        jobQueue: this.#jobQueue,
        jobDefinition: this.#jobDefinition,
        parameters: { runId: run.runId, bucket: run.bucket, keysKey: run.keysKey },
        containerOverrides: {
          environment: [
            { name: 'MESPOTTER_RUN_ID', value: run.runId },
            { name: 'MESPOTTER_BUCKET', value: run.bucket },
            { name: 'MESPOTTER_KEYS_KEY', value: run.keysKey },
          ],
        },
      }),
    );
    if (!out.jobId) throw new Error('SubmitJob returned no jobId');
    return { jobId: out.jobId };
  }
}
