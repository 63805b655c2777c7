import {
  CopyObjectCommand,
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenOnLoopback } from '../../infra/local/listenOnLoopback.js';
import { RequestClass, RequestMeter } from '../../infra/local/RequestMeter.js';

describe('RequestMeter: requests counted as AWS bills them', () => {
  let server: FauxqsServer;
  const meter = new RequestMeter();
  let s3: S3Client;
  let sqs: SQSClient;
  let queueUrl: string;

  beforeAll(async () => {
    server = await listenOnLoopback(
      () => startFauxqs({ port: 0, logger: false }),
      (s) => meter.attach(s),
    );
    const endpoint = `http://127.0.0.1:${server.port}`;
    const common = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } };
    s3 = new S3Client({ ...common, forcePathStyle: true, userAgentAppId: 'detect' });
    sqs = new SQSClient({ ...common, useQueueUrlAsEndpoint: false, userAgentAppId: 'verify' });
    await s3.send(new CreateBucketCommand({ Bucket: 'b' }));
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'q' }))).QueueUrl!;
  });

  afterAll(async () => {
    s3?.destroy();
    sqs?.destroy();
    await server?.stop();
  });

  it('classifies S3 calls by request class and prefix, SQS calls by 64 KB chunks, and names the caller', async () => {
    // Act
    meter.start();
    await s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'faces/ns/ab/x.json', Body: '{}' }));
    await s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'faces/ns/ab/x.json' }));
    await s3.send(new HeadObjectCommand({ Bucket: 'b', Key: 'faces/ns/ab/x.json' }));
    await s3.send(new ListObjectsV2Command({ Bucket: 'b', Prefix: 'faces/' }));
    await s3.send(
      new CopyObjectCommand({ Bucket: 'b', Key: 'matches/A/x.json', CopySource: 'b/faces/ns/ab/x.json' }),
    );
    const big = 'x'.repeat(100 * 1024);
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: '0', MessageBody: big },
          { Id: '1', MessageBody: 'small' },
        ],
      }),
    );
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    const got = meter.stop();

    // Assess
    expect(got.map((r) => [r.who, r.op, r.class, r.key])).toEqual([
      ['detect', 'PutObject', RequestClass.S3Put, 'faces/ns/ab/x.json'],
      ['detect', 'GetObject', RequestClass.S3Get, 'faces/ns/ab/x.json'],
      ['detect', 'HeadObject', RequestClass.S3Get, 'faces/ns/ab/x.json'],
      ['detect', 'ListObjectsV2', RequestClass.S3Put, 'faces/'],
      ['detect', 'CopyObject', RequestClass.S3Put, 'matches/A/x.json'],
      ['verify', 'SendMessageBatch', RequestClass.Sqs, undefined],
      ['verify', 'ReceiveMessage', RequestClass.Sqs, undefined],
      ['verify', 'ReceiveMessage', RequestClass.Sqs, undefined],
    ]);
    const [send, receive, emptyReceive] = got.slice(5);
    expect(send?.units).toBe(2);
    expect(receive).toMatchObject({ units: 2, empty: false });
    expect(emptyReceive).toMatchObject({ units: 1, empty: true });
    // Nothing is counted while stopped.
    await s3.send(new HeadObjectCommand({ Bucket: 'b', Key: 'faces/ns/ab/x.json' }));
    expect(meter.stop()).toEqual([]);
  });
});
