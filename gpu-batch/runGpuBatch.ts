import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { z } from 'zod';
import { type DetectDeps, detectPhoto } from '../functions/detect/detectPhoto.js';
import { CloudError, CloudErrorCode } from '../functions/shared/errors.js';
import type { PhotoMessage } from '../functions/shared/messages.js';
import { getObjectText } from '../functions/shared/s3Objects.js';
import { sendBatch } from '../functions/shared/sendBatch.js';

/** What ingest's SubmitJob hands the container (see functions/shared/GpuBatchSubmitter.ts). */
export const gpuBatchJobSchema = z.object({
  runId: z.string().min(1),
  bucket: z.string().min(1),
  /** Object listing the run's photo keys, one JSON string per line. */
  keysKey: z.string().min(1),
});
export type GpuBatchJob = z.infer<typeof gpuBatchJobSchema>;

export interface GpuBatchOptions {
  /** Photos in flight: reading, decoding and the next photo's I/O overlap inference. */
  concurrency: number;
  /** Tries per photo for transient failures (S3, SQS) before it is handed to the detect queue. */
  attempts: number;
  /** First retry delay; doubles each time. */
  backoffMs: number;
  /** The detect queue: what the container could not finish, Lambda retries and, failing that, dead-letters. */
  handOffQueueUrl: string;
}

/**
 * A large run on one GPU machine: every key goes through the same detect stage as the Lambda
 * (faces index, verify queue), so verify and copy finish it exactly as for a Lambda run. A photo's
 * own faults (corrupt, vanished…) get their error line inside the stage; a photo that still fails
 * for another reason after `attempts` tries is not given a line (that would make a passing S3 or
 * SQS fault its outcome) but handed to the detect queue, whose retries and DLQ take it from there.
 */
export const runGpuBatch = async (
  job: GpuBatchJob,
  deps: DetectDeps,
  options: GpuBatchOptions,
): Promise<{ photos: number; handedOff: number }> => {
  const listing = await getObjectText(job.bucket, job.keysKey);
  if (!listing) {
    throw new CloudError(CloudErrorCode.BadManifest, `keys list s3://${job.bucket}/${job.keysKey} not found`);
  }
  const keys = listing.text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      const parsed = z.string().min(1).safeParse(JSON.parse(l));
      if (!parsed.success)
        throw new CloudError(CloudErrorCode.BadManifest, `keys list line ${i + 1} is not a key`);
      return parsed.data;
    });
  const limit = pLimit(options.concurrency);
  const handOff: PhotoMessage[] = [];
  await Promise.all(
    keys.map((key) =>
      limit(async () => {
        const message: PhotoMessage = { kind: 'photo', runId: job.runId, bucket: job.bucket, key };
        for (let attempt = 1; ; attempt++) {
          try {
            await detectPhoto(message, deps);
            return;
          } catch (error) {
            if (attempt < options.attempts) {
              await sleep(options.backoffMs * 2 ** (attempt - 1));
              continue;
            }
            deps.logger.error('photo failed after retries; handed to the detect queue', {
              key,
              error: (error as Error).message,
            });
            handOff.push(message);
            return;
          }
        }
      }),
    ),
  );
  // If this fails too, the job fails and Batch retries it; analysed photos come from the faces index.
  await sendBatch(options.handOffQueueUrl, handOff);
  return { photos: keys.length, handedOff: handOff.length };
};
