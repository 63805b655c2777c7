import { BatchClient, SubmitJobCommand } from '@aws-sdk/client-batch';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { handler, setGpuBatchSubmitter } from '../../functions/ingest/handler.js';
import { lambdaContext, objectBody, s3Created, sqsEvent } from '../helpers/cloudEvents.js';

const s3 = mockClient(S3Client);
const sqs = mockClient(SQSClient);
const batch = mockClient(BatchClient);

const ENV = {
  AWS_REGION: 'us-east-1',
  BUCKET_NAME: 'photos',
  INGEST_QUEUE_URL: 'https://sqs/ingest',
  DETECT_QUEUE_URL: 'https://sqs/detect',
  MESPOTTER_MODELS_DIR: '/nonexistent',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

type Sent = { QueueUrl?: string; Entries?: { MessageBody?: string; DelaySeconds?: number }[] };
const sentTo = (url: string): Sent[] =>
  sqs
    .commandCalls(SendMessageBatchCommand)
    .map((c) => c.args[0].input as Sent)
    .filter((i) => i.QueueUrl === url);
const bodiesTo = (url: string) =>
  sentTo(url).flatMap((i) => (i.Entries ?? []).map((e) => JSON.parse(e.MessageBody!)));
const putKeys = () => s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key);
const bodyOf = (key: string): string =>
  String(s3.commandCalls(PutObjectCommand).find((c) => c.args[0].input.Key === key)!.args[0].input.Body);
const INPUTS_KEY =
  /^results\/drop-2026-01-02\/inputs\/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z-[0-9a-f]{8}-a-2\.jsonl$/;

describe('Function: ingest', () => {
  beforeEach(() => {
    Object.assign(process.env, ENV);
    s3.reset();
    sqs.reset();
    batch.reset();
    setGpuBatchSubmitter(undefined);
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    s3.on(PutObjectCommand).resolves({});
  });

  afterAll(() => {
    for (const k of Object.keys(ENV)) delete process.env[k];
    delete process.env['GPU_JOB_QUEUE'];
    delete process.env['GPU_JOB_DEFINITION'];
    delete process.env['GPU_BATCH_MIN_PHOTOS'];
  });

  it('queues dropped photos, records non-images as skipped and enrols once per person', async () => {
    // Act
    const out = await handler(
      sqsEvent([
        s3Created('incoming/summer 2024/été.jpg'),
        s3Created('incoming/readme.txt'),
        s3Created('reference/Anna/a.jpg'),
        s3Created('reference/Anna/gallery.json'),
      ]),
      lambdaContext(),
    );

    // Assess
    expect(out.batchItemFailures).toEqual([]);
    expect(bodiesTo(ENV.DETECT_QUEUE_URL)).toEqual([
      {
        kind: 'photo',
        runId: 'drop-2026-01-02',
        bucket: 'photos',
        key: 'incoming/summer 2024/été.jpg',
        etag: 'e1',
        size: 100,
      },
      { kind: 'enrol', bucket: 'photos', person: 'Anna' },
    ]);
    // The drops are recorded for the drop run's summary, once for the invocation, before anything else.
    const [inputs, skipped] = putKeys();
    expect(inputs).toMatch(INPUTS_KEY);
    expect(putKeys()).toEqual([
      inputs,
      expect.stringMatching(/^results\/drop-2026-01-02\/lines\/2026-.+Z-[0-9a-f]{8}-1\.jsonl$/),
    ]);
    expect(bodyOf(inputs!)).toBe('"incoming/summer 2024/été.jpg"\n"incoming/readme.txt"\n');
    expect(JSON.parse(bodyOf(skipped!))).toMatchObject({
      path: 'incoming/readme.txt',
      status: 'skipped',
      people: [],
    });
    // …with the run's finalizer, armed with that record.
    expect(bodiesTo(ENV.INGEST_QUEUE_URL)).toEqual([
      { kind: 'finalize', runId: 'drop-2026-01-02', bucket: 'photos', attempt: 0, anchor: inputs },
    ]);
    expect(sentTo(ENV.INGEST_QUEUE_URL)[0]!.Entries![0]!.DelaySeconds).toBe(30);
  });

  it('arms a drop run’s finalizer once per container moment: the next record is marked, not armed', async () => {
    // Act: a second invocation right after the first test's.
    await handler(
      sqsEvent([s3Created('incoming/later.jpg'), s3Created('incoming/later2.jpg')]),
      lambdaContext(),
    );

    // Assess
    const [inputs] = putKeys();
    expect(inputs).toMatch(/-n-2\.jsonl$/);
    expect(bodiesTo(ENV.INGEST_QUEUE_URL)).toEqual([]);
    expect(bodiesTo(ENV.DETECT_QUEUE_URL).map((b) => b.key)).toEqual([
      'incoming/later.jpg',
      'incoming/later2.jpg',
    ]);
  });

  it('expands a manifest with listing pages into a run, sending at most 10 messages per call', async () => {
    // Prepare: 13 keys, a prefix spread over two pages, a non-image and a duplicate.
    const keys = Array.from({ length: 13 }, (_, i) => JSON.stringify(`photos/p${i}.jpg`));
    const manifest = [...keys, '{"prefix":"album/"}', '"photos/notes.txt"', '"photos/p0.jpg"'].join('\n');
    // Generic first: aws-sdk-client-mock lets the later, more specific behaviour win.
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' }));
    s3.on(GetObjectCommand, { Key: 'manifests/run.jsonl' }).resolves({ Body: objectBody(manifest) } as never);
    s3.on(ListObjectsV2Command, { Prefix: 'album/', ContinuationToken: undefined }).resolves({
      Contents: [{ Key: 'album/a.jpg', ETag: '"a"', Size: 1 }],
      IsTruncated: true,
      NextContinuationToken: 't2',
    });
    s3.on(ListObjectsV2Command, { Prefix: 'album/', ContinuationToken: 't2' }).resolves({
      Contents: [{ Key: 'album/b.JPG', ETag: '"b"', Size: 2 }, { Key: 'album/' }],
      IsTruncated: false,
    });

    // Act
    const out = await handler(sqsEvent([s3Created('manifests/run.jsonl', '"m1"')]), lambdaContext());

    // Assess
    expect(out.batchItemFailures).toEqual([]);
    const detect = sentTo(ENV.DETECT_QUEUE_URL);
    expect(detect.map((c) => c.Entries!.length)).toEqual([10, 5]);
    expect(bodiesTo(ENV.DETECT_QUEUE_URL).map((b) => b.key)).toContain('album/b.JPG');
    const run = s3
      .commandCalls(PutObjectCommand)
      .find((c) => String(c.args[0].input.Key).endsWith('/run.json'))!;
    expect(JSON.parse(String(run.args[0].input.Body))).toMatchObject({
      total: 16,
      photos: 15,
      route: 'lambda',
    });
    expect(s3).toHaveReceivedCommandTimes(ListObjectsV2Command, 2);
    const finalize = bodiesTo(ENV.INGEST_QUEUE_URL);
    expect(finalize).toEqual([
      { kind: 'finalize', runId: expect.stringMatching(/^run-/), bucket: 'photos', attempt: 0 },
    ]);
    expect(sentTo(ENV.INGEST_QUEUE_URL)[0]!.Entries![0]!.DelaySeconds).toBeGreaterThan(0);
  });

  it('routes a large run to the GPU batch job instead of the detect queue', async () => {
    // Prepare
    Object.assign(process.env, {
      GPU_JOB_QUEUE: 'arn:aws:batch:us-east-1:1:job-queue/gpu',
      GPU_JOB_DEFINITION: 'arn:aws:batch:us-east-1:1:job-definition/d:1',
      GPU_BATCH_MIN_PHOTOS: '3',
    });
    const manifest = ['a.jpg', 'b.jpg', 'c.jpg'].map((k) => JSON.stringify(k)).join('\n');
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' }));
    s3.on(GetObjectCommand, { Key: 'manifests/big.jsonl' }).resolves({ Body: objectBody(manifest) } as never);
    batch.on(SubmitJobCommand).resolves({ jobId: 'job-1', jobName: 'n', jobArn: 'a' });

    // Act
    await handler(sqsEvent([s3Created('manifests/big.jsonl', '"m2"')]), lambdaContext());

    // Assess
    expect(batch).toHaveReceivedCommandWith(SubmitJobCommand, {
      jobQueue: 'arn:aws:batch:us-east-1:1:job-queue/gpu',
      jobDefinition: 'arn:aws:batch:us-east-1:1:job-definition/d:1',
    });
    expect(sentTo(ENV.DETECT_QUEUE_URL)).toEqual([]);
    const run = s3
      .commandCalls(PutObjectCommand)
      .find((c) => String(c.args[0].input.Key).endsWith('/run.json'))!;
    expect(JSON.parse(String(run.args[0].input.Body))).toMatchObject({
      route: 'gpu-batch',
      jobId: 'job-1',
      photos: 3,
    });
    expect(putKeys().some((k) => String(k).endsWith('/keys.jsonl'))).toBe(true);
  });

  it('fails only the record whose work failed', async () => {
    // Prepare: the detect queue refuses the first message's photo.
    sqs.on(SendMessageBatchCommand).callsFake((input: Sent) => {
      if (input.Entries?.some((e) => e.MessageBody?.includes('bad.jpg'))) throw new Error('throttled');
      return { Successful: [], Failed: [] };
    });

    // Act
    const out = await handler(
      sqsEvent([s3Created('incoming/bad.jpg'), s3Created('incoming/good.jpg')]),
      lambdaContext(),
    );

    // Assess
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'm0' }]);
  });
});
