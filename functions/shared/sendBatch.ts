import { SendMessageBatchCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { sqsClient } from './clients.js';

/** SQS accepts at most 10 entries per SendMessageBatch call. */
export const SQS_BATCH_MAX = 10;

/**
 * Sends bodies in batches of 10, retrying the entries SQS reports as failed (throttling); what
 * still fails after that throws, so the caller's message is retried as a whole.
 */
export const sendBatch = async (
  queueUrl: string,
  bodies: readonly unknown[],
  delaySeconds = 0,
): Promise<void> => {
  for (let start = 0; start < bodies.length; start += SQS_BATCH_MAX) {
    let entries: SendMessageBatchRequestEntry[] = bodies.slice(start, start + SQS_BATCH_MAX).map((b, i) => ({
      Id: String(i),
      MessageBody: JSON.stringify(b),
      ...(delaySeconds > 0 ? { DelaySeconds: delaySeconds } : {}),
    }));
    for (let attempt = 0; entries.length > 0; attempt++) {
      const out = await sqsClient().send(
        new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
      );
      const failed = new Set((out.Failed ?? []).map((f) => f.Id));
      if (failed.size === 0) break;
      if (attempt >= 2) {
        const first = out.Failed?.[0];
        throw new Error(
          `SendMessageBatch failed for ${failed.size} entries: ${first?.Code} ${first?.Message}`,
        );
      }
      entries = entries.filter((e) => failed.has(e.Id));
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
  }
};
