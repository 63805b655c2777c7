import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { BatchProcessor, EventType } from '@aws-lambda-powertools/batch';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ResultLine } from '../../core/report/resultLine.js';
import {
  flushOutputs,
  InvocationOutputs,
  processRecordsWithOutputs,
} from '../../functions/shared/RecordOutputs.js';
import {
  countLines,
  LINES_PER_OBJECT,
  linesObjectKey,
  listLinesObjects,
  parseLinesObjectKey,
  readRunLines,
  writeLines,
} from '../../functions/shared/resultLines.js';
import { batchesOf, SQS_BATCH_BYTES, sendBatchEach } from '../../functions/shared/sendBatch.js';
import { lambdaContext, objectBody, sqsEvent } from '../helpers/cloudEvents.js';

const s3 = mockClient(S3Client);
const sqs = mockClient(SQSClient);

const line = (path: string, o: Partial<ResultLine> = {}): ResultLine => ({
  path,
  status: 'no_match',
  people: [],
  faces: [],
  ...o,
});
const at = (second: number) => new Date(Date.UTC(2026, 0, 2, 3, 4, second));
const putsUnder = (prefix: string) =>
  s3.commandCalls(PutObjectCommand).filter((c) => String(c.args[0].input.Key).startsWith(prefix));
const bodyLines = (c: ReturnType<typeof putsUnder>[number]) =>
  String(c.args[0].input.Body)
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ResultLine);

/** A bucket the listing and GetObject mocks serve from. */
const serve = (objects: Record<string, string>) => {
  s3.on(ListObjectsV2Command).callsFake((input: { Prefix: string }) => ({
    Contents: Object.keys(objects)
      .filter((k) => k.startsWith(input.Prefix))
      .sort()
      .map((Key) => ({ Key })),
  }));
  s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
    const text = objects[input.Key];
    if (text === undefined) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
    return { ETag: '"x"', Body: objectBody(text) };
  });
};

describe('Result lines: one object per batch, the newest line per path', () => {
  beforeEach(() => {
    process.env['AWS_REGION'] = 'us-east-1';
    s3.reset();
    sqs.reset();
    s3.on(PutObjectCommand).resolves({});
  });

  it('names objects by time, writer and count, and reads the count back from the name', () => {
    const key = linesObjectKey('r1', at(5), 'abcdef01', 37);
    expect(key).toBe('results/r1/lines/2026-01-02T03:04:05.000Z-abcdef01-37.jsonl');
    expect(parseLinesObjectKey('r1', key)).toEqual({ key, count: 37 });
    // An object of the layout before (one per photo, a hash for a name) holds one line.
    expect(parseLinesObjectKey('r1', 'results/r1/lines/0a1b2c.jsonl')).toEqual({
      key: 'results/r1/lines/0a1b2c.jsonl',
      count: 1,
    });
    expect(parseLinesObjectKey('r2', key)).toBeUndefined();
  });

  it('writes a batch as one object, and at most LINES_PER_OBJECT lines to an object', async () => {
    await writeLines('b', 'r1', [line('a.jpg'), line('b.jpg')], at(1));
    const many = Array.from({ length: LINES_PER_OBJECT + 1 }, (_, i) => line(`p${i}.jpg`));
    await writeLines('b', 'r1', many, at(2));

    const puts = putsUnder('results/r1/lines/');
    expect(puts.map((c) => bodyLines(c).length)).toEqual([2, LINES_PER_OBJECT, 1]);
    expect(puts.map((c) => parseLinesObjectKey('r1', String(c.args[0].input.Key))?.count)).toEqual([
      2,
      LINES_PER_OBJECT,
      1,
    ]);
  });

  it('keeps the newest line of a path written twice, and counts lines from the names alone', async () => {
    // Arrange: a.jpg's line written again by a later batch (a retry, a second drop).
    serve({
      [linesObjectKey('r1', at(1), '00000001', 2)]:
        `${JSON.stringify(line('a.jpg'))}\n${JSON.stringify(line('b.jpg'))}\n`,
      [linesObjectKey('r1', at(2), '00000002', 1)]:
        `${JSON.stringify(line('a.jpg', { status: 'matched', people: ['Anna'] }))}\nnot json\n`,
      'results/r1/lines/': '',
      'results/r1/summary.json': '{}',
    });

    // Act
    const objects = await listLinesObjects('b', 'r1');
    const lines = await readRunLines('b', 'r1', objects);

    // Assess
    expect(countLines(objects)).toBe(3);
    expect(Object.fromEntries([...lines].map(([p, l]) => [p, l.status]))).toEqual({
      'b.jpg': 'no_match',
      'a.jpg': 'matched',
    });
  });
});

describe('Batch outputs: lines and messages written together, failures per record', () => {
  beforeEach(() => {
    process.env['AWS_REGION'] = 'us-east-1';
    s3.reset();
    sqs.reset();
    s3.on(PutObjectCommand).resolves({});
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  });

  it('groups SQS batches by ten and by the 256 KB payload limit', () => {
    expect(batchesOf(Array.from({ length: 23 }, () => 'x')).map((b) => b.length)).toEqual([10, 10, 3]);
    const big = 'y'.repeat(100 * 1024);
    expect(batchesOf([big, big, big, 'z'])).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(batchesOf(['y'.repeat(SQS_BATCH_BYTES + 1)])).toEqual([[0]]);
  });

  it('writes one lines object per run and one SendMessageBatch per ten messages of a queue', async () => {
    const entries = [
      { lines: [{ bucket: 'b', runId: 'r1', line: line('a.jpg') }] },
      { lines: [{ bucket: 'b', runId: 'r1', line: line('b.jpg') }] },
      { lines: [{ bucket: 'b', runId: 'drop-2026-01-02', line: line('incoming/c.jpg') }] },
      ...Array.from({ length: 12 }, (_, i) => ({ messages: [{ queueUrl: 'https://sqs/q', body: { i } }] })),
    ];

    expect(await flushOutputs(entries)).toEqual(entries.map(() => undefined));

    expect(putsUnder('results/r1/lines/').map((c) => bodyLines(c).map((l) => l.path))).toEqual([
      ['a.jpg', 'b.jpg'],
    ]);
    expect(putsUnder('results/drop-2026-01-02/lines/')).toHaveLength(1);
    expect(sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!.length)).toEqual([
      10, 2,
    ]);
  });

  it('fails only the records whose lines or messages were not written', async () => {
    // Arrange: run r2's object cannot be written; the queue refuses one entry, then a whole call.
    s3.on(PutObjectCommand).callsFake((input: { Key: string }) => {
      if (input.Key.startsWith('results/r2/'))
        throw Object.assign(new Error('slow down'), { name: 'SlowDown' });
      return {};
    });
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string; MessageBody: string }[] }) => {
      if (input.Entries.some((e) => e.MessageBody.includes('"poison"'))) throw new Error('throttled');
      return { Successful: [], Failed: [] };
    });
    const entries = [
      { lines: [{ bucket: 'b', runId: 'r1', line: line('a.jpg') }] },
      { lines: [{ bucket: 'b', runId: 'r2', line: line('b.jpg') }] },
      { messages: [{ queueUrl: 'https://sqs/q', body: { ok: 1 } }] },
      { messages: [{ queueUrl: 'https://sqs/q', body: { poison: true } }] },
    ];

    // Act
    const problems = await flushOutputs(entries);

    // Assess: the good message went out on its own after the batch call failed.
    expect(problems[0]).toBeUndefined();
    expect(problems[1]).toMatch(/result lines not written: SlowDown/);
    expect(problems[2]).toBeUndefined();
    expect(problems[3]).toMatch(/message not sent: Error: throttled/);
  });

  it('retries entries SQS reports as failed, then gives up on them alone', async () => {
    let calls = 0;
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => {
      calls++;
      return {
        Successful: [],
        Failed: input.Entries.filter((e) => e.Id === '1').map((e) => ({
          Id: e.Id,
          Code: 'Throttled',
          Message: 'try later',
          SenderFault: false,
        })),
      };
    });
    const failed = await sendBatchEach('https://sqs/q', [{ a: 0 }, { a: 1 }, { a: 2 }]);
    expect([...failed]).toEqual([[1, 'Throttled: try later']]);
    expect(calls).toBe(3);
  });

  it('writes an invocation’s outputs only once every record has committed or failed', async () => {
    const outputs = new InvocationOutputs(3);
    const first = outputs.commit({ lines: [{ bucket: 'b', runId: 'r1', line: line('a.jpg') }] });
    await new Promise((r) => setTimeout(r, 10));
    expect(putsUnder('results/')).toEqual([]);
    outputs.abandon();
    const second = outputs.commit({ lines: [{ bucket: 'b', runId: 'r1', line: line('b.jpg') }] });
    await Promise.all([first, second]);
    expect(putsUnder('results/r1/lines/').map((c) => bodyLines(c).length)).toEqual([2]);
  });

  // Powertools runs records in parallel or one after another; both must finish (bounded here: a
  // sequential record once waited for the records after it, forever).
  it.each([
    { processInParallel: true, lineObjects: [3] },
    { processInParallel: false, lineObjects: [1, 1, 1] },
  ])(
    'processes a batch with processInParallel: $processInParallel, failing only the failed record',
    { timeout: 2_000 },
    async ({ processInParallel, lineObjects }) => {
      const event = sqsEvent(['a.jpg', 'bad', 'b.jpg', 'c.jpg']);
      const order: string[] = [];

      const response = await processRecordsWithOutputs(
        event,
        lambdaContext(),
        new BatchProcessor(EventType.SQS),
        async (record) => {
          order.push(record.body);
          if (record.body === 'bad') throw new Error('unreadable');
          return { lines: [{ bucket: 'b', runId: 'r1', line: line(record.body) }] };
        },
        { processInParallel },
      );

      expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1]!.messageId }]);
      expect(order).toEqual(['a.jpg', 'bad', 'b.jpg', 'c.jpg']);
      expect(putsUnder('results/r1/lines/').map((c) => bodyLines(c).length)).toEqual(lineObjects);
    },
  );
});
