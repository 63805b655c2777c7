import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { z } from 'zod';
import { type DetectDeps, detectPhoto } from '../functions/detect/detectPhoto.js';
import { CloudError, CloudErrorCode } from '../functions/shared/errors.js';
import type { PhotoMessage } from '../functions/shared/messages.js';
import { flushOutputs, type RecordOutputs } from '../functions/shared/RecordOutputs.js';
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

/** Photos whose verify messages and error lines are sent and written together. */
export const GPU_FLUSH_EVERY = 50;

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
  const giveUp = (message: PhotoMessage, error: unknown): void => {
    deps.logger.error('photo failed after retries; handed to the detect queue', {
      key: message.key,
      error: (error as Error).message,
    });
    handOff.push(message);
  };
  for (let start = 0; start < keys.length; start += GPU_FLUSH_EVERY) {
    const chunk = keys.slice(start, start + GPU_FLUSH_EVERY);
    const done: { message: PhotoMessage; outputs: RecordOutputs }[] = [];
    await Promise.all(
      chunk.map((key) =>
        limit(async () => {
          const message: PhotoMessage = { kind: 'photo', runId: job.runId, bucket: job.bucket, key };
          for (let attempt = 1; ; attempt++) {
            try {
              done.push({ message, outputs: await detectPhoto(message, deps) });
              return;
            } catch (error) {
              if (attempt < options.attempts) {
                await sleep(options.backoffMs * 2 ** (attempt - 1));
                continue;
              }
              giveUp(message, error);
              return;
            }
          }
        }),
      ),
    );
    // The chunk's messages in SendMessageBatch calls and its error lines in one object; what could
    // not be written after the retries goes back to the Lambda path too.
    let pending = done;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const problems = await flushOutputs(pending.map((d) => d.outputs));
      const failed = pending.filter((_, i) => problems[i] !== undefined);
      if (failed.length > 0 && attempt >= options.attempts) {
        for (const d of failed) giveUp(d.message, new Error(problems[pending.indexOf(d)]));
        break;
      }
      pending = failed;
      if (pending.length > 0) await sleep(options.backoffMs * 2 ** (attempt - 1));
    }
  }
  // If this fails too, the job fails and Batch retries it; analysed photos come from the faces index.
  await sendBatch(options.handOffQueueUrl, handOff);
  return { photos: keys.length, handedOff: handOff.length };
};
