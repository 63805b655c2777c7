import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EventSourcePoller } from '../../infra/local/EventSourcePoller.js';
import { listenOnLoopback } from '../../infra/local/listenOnLoopback.js';
import { encodeEventKey, s3EventEnvelope } from '../../infra/local/s3EventEnvelope.js';

describe('Class: EventSourcePoller', () => {
  let server: FauxqsServer;
  let sqs: SQSClient;

  beforeAll(async () => {
    server = await listenOnLoopback(() => startFauxqs({ port: 0, logger: false }));
    sqs = new SQSClient({
      endpoint: `http://127.0.0.1:${server.port}`,
      region: 'us-east-1',
      useQueueUrlAsEndpoint: false,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
  });

  afterAll(async () => {
    sqs?.destroy();
    await server?.stop();
  });

  it('deletes what succeeded, redelivers what failed and redrives it to the DLQ after maxReceiveCount', async () => {
    // Prepare: a queue with a 1 s visibility timeout and a DLQ after 2 receives.
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'p-dlq' }));
    const dlqArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes!.QueueArn!;
    const q = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'p',
        Attributes: {
          VisibilityTimeout: '1',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }),
        },
      }),
    );
    const seen: string[] = [];
    const batches: number[] = [];
    const poller = new EventSourcePoller({
      name: 'p',
      sqs,
      queueUrl: q.QueueUrl!,
      queueArn: 'arn',
      batchSize: 10,
      batchWindowMs: 200,
      maxConcurrency: 1,
      timeoutMs: 5_000,
      handler: async (event: SQSEvent) => {
        batches.push(event.Records.length);
        seen.push(...event.Records.map((r) => `${r.body}#${r.attributes.ApproximateReceiveCount}`));
        return {
          batchItemFailures: event.Records.filter((r) => r.body === 'bad').map((r) => ({
            itemIdentifier: r.messageId,
          })),
        };
      },
    });

    // Act
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: q.QueueUrl,
        Entries: ['a', 'bad', 'c'].map((b, i) => ({ Id: String(i), MessageBody: b })),
      }),
    );
    poller.start();
    // The redrive needs two receives a visibility timeout apart: wait for it, not a fixed time.
    await vi.waitFor(
      () => expect(server.inspectQueue('p-dlq')!.messages.ready.map((m) => m.body)).toEqual(['bad']),
      { timeout: 8_000, interval: 50 },
    );
    await poller.stop();

    // Assess
    expect(batches[0]).toBe(3);
    expect(seen.filter((s) => s.startsWith('a#'))).toEqual(['a#1']);
    expect(seen.filter((s) => s.startsWith('bad#'))).toEqual(['bad#1', 'bad#2']);
    expect(server.inspectQueue('p')!.messages.ready).toHaveLength(0);
    expect(server.inspectQueue('p-dlq')!.messages.ready.map((m) => m.body)).toEqual(['bad']);
  });
});

describe('Function: s3EventEnvelope', () => {
  it('encodes keys as S3 does: + for spaces, UTF-8 percent-escapes, slashes kept', () => {
    expect(encodeEventKey('incoming/été 2024/a+b.jpg')).toBe('incoming/%C3%A9t%C3%A9+2024/a%2Bb.jpg');
    const body = JSON.parse(
      s3EventEnvelope({ bucket: 'b', key: 'incoming/a b.jpg', size: 3, etag: '"abc"' }),
    );
    expect(body.Records[0]).toMatchObject({
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      s3: {
        bucket: { name: 'b', arn: 'arn:aws:s3:::b' },
        object: { key: 'incoming/a+b.jpg', size: 3, eTag: 'abc' },
      },
    });
  });
});
