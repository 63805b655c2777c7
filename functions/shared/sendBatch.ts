import { SendMessageBatchCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { sqsClient } from './clients.js';

/** SQS accepts at most 10 entries per SendMessageBatch call. */
export const SQS_BATCH_MAX = 10;
/** SQS's limit on a batch's total payload (and so on one message); AWS allows more since 2025, emulators may not. */
export const SQS_BATCH_BYTES = 256 * 1024;

/** Groups bodies into calls of at most 10 entries and SQS_BATCH_BYTES; one oversized body goes alone. */
export const batchesOf = (texts: readonly string[]): number[][] => {
  const batches: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  texts.forEach((t, i) => {
    const size = Buffer.byteLength(t);
    if (current.length > 0 && (current.length === SQS_BATCH_MAX || bytes + size > SQS_BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(i);
    bytes += size;
  });
  if (current.length > 0) batches.push(current);
  return batches;
};

/**
 * Sends bodies in as few SendMessageBatch calls as SQS allows, retrying entries SQS reports as
 * failed (throttling) twice. Returns the indexes of the bodies that still failed, or whose call
 * failed as a whole, so each caller can retry just the inputs they came from.
 */
export const sendBatchEach = async (
  queueUrl: string,
  bodies: readonly unknown[],
  delaySeconds = 0,
): Promise<Map<number, string>> => {
  const texts = bodies.map((b) => JSON.stringify(b));
  const failed = new Map<number, string>();
  for (const batch of batchesOf(texts)) {
    let pending = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const entries: SendMessageBatchRequestEntry[] = pending.map((i) => ({
        Id: String(i),
        MessageBody: texts[i],
        ...(delaySeconds > 0 ? { DelaySeconds: delaySeconds } : {}),
      }));
      let refused: Map<string, string>;
      try {
        const out = await sqsClient().send(
          new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
        );
        refused = new Map((out.Failed ?? []).map((f) => [f.Id ?? '', `${f.Code}: ${f.Message}`]));
      } catch (error) {
        const e = error as Error;
        // The call failed as a whole: each entry alone once, so one that cannot be sent does not
        // take the others (and the records they came from) down with it.
        if (pending.length > 1) {
          for (const i of pending) {
            const alone = await sendBatchEach(queueUrl, [bodies[i]], delaySeconds);
            const why = alone.get(0);
            if (why !== undefined) failed.set(i, why);
          }
        } else for (const i of pending) failed.set(i, `${e.name}: ${e.message}`);
        break;
      }
      const still = pending.filter((i) => refused.has(String(i)));
      if (still.length > 0 && attempt >= 2) {
        for (const i of still) failed.set(i, refused.get(String(i)) ?? 'refused');
        break;
      }
      pending = still;
      if (pending.length === 0) break;
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
  }
  return failed;
};

/** sendBatchEach for callers whose inputs are retried as a whole: throws if any body was not sent. */
export const sendBatch = async (
  queueUrl: string,
  bodies: readonly unknown[],
  delaySeconds = 0,
): Promise<void> => {
  const failed = await sendBatchEach(queueUrl, bodies, delaySeconds);
  const first = [...failed.values()][0];
  if (first !== undefined)
    throw new Error(`SendMessageBatch failed for ${failed.size} of ${bodies.length} messages: ${first}`);
};
