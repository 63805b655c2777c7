import { randomUUID } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/** ReceiveMessage's own limit. */
const SQS_RECEIVE_MAX = 10;

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface EventSourcePollerOptions {
  name: string;
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  handler: SqsHandler;
  batchSize: number;
  /** Lambda's MaximumBatchingWindow: keep receiving until the batch is full or this passes. */
  batchWindowMs: number;
  /** Batches in flight at once (the mapping's maximum concurrency). */
  maxConcurrency: number;
  /** The function timeout: an invocation running longer counts as failed. */
  timeoutMs: number;
  memoryMb?: number;
  region?: string;
  /** Called with every invocation's outcome (benchmarks, debugging). */
  onInvoke?: (info: InvocationInfo) => void;
}

export interface InvocationInfo {
  name: string;
  records: number;
  failed: number;
  ms: number;
  error?: unknown;
}

/**
 * Lambda's SQS event source mapping, emulated: batches of up to `batchSize` within a window,
 * `maxConcurrency` invocations at once, ReportBatchItemFailures (only successes are deleted; a
 * thrown error, a timeout or a malformed response fails the whole batch). Failed messages stay
 * in the queue until their visibility timeout ends; the queue's redrive policy moves them to the
 * DLQ after maxReceiveCount, as in AWS.
 */
export class EventSourcePoller {
  readonly #o: EventSourcePollerOptions;
  #running = false;
  #loops: Promise<void>[] = [];
  #busy = 0;

  constructor(options: EventSourcePollerOptions) {
    this.#o = options;
  }

  /** Invocations running now. */
  get busy(): number {
    return this.#busy;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loops = Array.from({ length: this.#o.maxConcurrency }, () => this.#loop());
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
  }

  /** The SQS client the mapping polls with (LocalCloud closes it). */
  get sqs(): SQSClient {
    return this.#o.sqs;
  }

  async #receive(max: number, waitSeconds: number): Promise<Message[]> {
    const out = await this.#o.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.#o.queueUrl,
        // SQS returns at most 10 per call; Lambda's pollers gather bigger batches over several.
        MaxNumberOfMessages: Math.min(SQS_RECEIVE_MAX, max),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    return out.Messages ?? [];
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      let batch: Message[];
      try {
        batch = await this.#receive(this.#o.batchSize, 1);
        const until = Date.now() + this.#o.batchWindowMs;
        while (this.#running && batch.length > 0 && batch.length < this.#o.batchSize && Date.now() < until) {
          const more = await this.#receive(this.#o.batchSize - batch.length, 0);
          if (more.length === 0) await new Promise((r) => setTimeout(r, 50));
          batch.push(...more);
        }
      } catch {
        // The emulator is going away, or a transient error: poll again shortly, as Lambda does.
        if (this.#running) await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      if (batch.length === 0) continue;
      this.#busy++;
      try {
        await this.#invoke(batch);
      } finally {
        this.#busy--;
      }
    }
  }

  #event(batch: Message[]): SQSEvent {
    const region = this.#o.region ?? 'us-east-1';
    return {
      Records: batch.map(
        (m): SQSRecord => ({
          messageId: m.MessageId ?? randomUUID(),
          receiptHandle: m.ReceiptHandle ?? '',
          body: m.Body ?? '',
          attributes: {
            ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
            SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
            SenderId: m.Attributes?.SenderId ?? 'local',
            ApproximateFirstReceiveTimestamp:
              m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
          },
          messageAttributes: {},
          md5OfBody: m.MD5OfBody ?? '',
          eventSource: 'aws:sqs',
          eventSourceARN: this.#o.queueArn,
          awsRegion: region,
        }),
      ),
    };
  }

  #context(deadline: number): Context {
    const name = `mespotter-local-${this.#o.name}`;
    return {
      callbackWaitsForEmptyEventLoop: true,
      functionName: name,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${this.#o.region ?? 'us-east-1'}:000000000000:function:${name}`,
      memoryLimitInMB: String(this.#o.memoryMb ?? 1024),
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${name}`,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
  }

  async #invoke(batch: Message[]): Promise<void> {
    const started = performance.now();
    const event = this.#event(batch);
    const deadline = Date.now() + this.#o.timeoutMs;
    let failedIds: Set<string>;
    let error: unknown;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${this.#o.name} timed out after ${this.#o.timeoutMs} ms`)),
          this.#o.timeoutMs,
        );
      });
      const response = await Promise.race([this.#o.handler(event, this.#context(deadline)), timeout]);
      const ids = new Set(event.Records.map((r) => r.messageId));
      const failures = response?.batchItemFailures ?? [];
      // Lambda fails the whole batch when a reported id is empty or not in the batch.
      failedIds = failures.every((f) => f.itemIdentifier && ids.has(f.itemIdentifier))
        ? new Set(failures.map((f) => f.itemIdentifier))
        : ids;
    } catch (e) {
      error = e;
      failedIds = new Set(event.Records.map((r) => r.messageId));
    } finally {
      clearTimeout(timer);
    }
    const done = batch.filter((m) => !failedIds.has(m.MessageId ?? ''));
    for (let i = 0; i < done.length; i += 10) {
      await this.#o.sqs
        .send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.#o.queueUrl,
            Entries: done.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle })),
          }),
        )
        .catch(() => undefined);
    }
    this.#o.onInvoke?.({
      name: this.#o.name,
      records: batch.length,
      failed: failedIds.size,
      ms: performance.now() - started,
      error,
    });
  }
}
