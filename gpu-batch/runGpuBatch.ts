import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { z } from 'zod';
import { type DetectDeps, detectPhoto } from '../functions/detect/detectPhoto.js';
import { CloudError, CloudErrorCode } from '../functions/shared/errors.js';
import { errorLine, writeResultLines } from '../functions/shared/resultLines.js';
import { getObjectText } from '../functions/shared/s3Objects.js';

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
  /** Tries per photo for transient failures (S3, SQS) before its error line is written. */
  attempts: number;
  /** First retry delay; doubles each time. */
  backoffMs: number;
}

/**
 * A large run on one GPU machine: every key goes through the same detect stage as the Lambda
 * (faces index, verify queue), so verify and copy finish it exactly as for a Lambda run. A photo
 * that still fails after `attempts` tries gets an error line: no photo is left unaccounted for.
 */
export const runGpuBatch = async (
  job: GpuBatchJob,
  deps: DetectDeps,
  options: GpuBatchOptions,
): Promise<{ photos: number; failed: number }> => {
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
  let failed = 0;
  await Promise.all(
    keys.map((key) =>
      limit(async () => {
        for (let attempt = 1; ; attempt++) {
          try {
            await detectPhoto({ kind: 'photo', runId: job.runId, bucket: job.bucket, key }, deps);
            return;
          } catch (error) {
            if (attempt < options.attempts) {
              await sleep(options.backoffMs * 2 ** (attempt - 1));
              continue;
            }
            failed++;
            deps.logger.error('photo failed after retries', { key, error: (error as Error).message });
            await writeResultLines(job.bucket, job.runId, key, [errorLine(key, error)]);
            return;
          }
        }
      }),
    ),
  );
  return { photos: keys.length, failed };
};
