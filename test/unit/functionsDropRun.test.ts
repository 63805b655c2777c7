import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { ResultLine } from '../../core/report/resultLine.js';
import { finalizeDropRun, inputsRecordKey, parseInputsRecordKey } from '../../functions/ingest/dropRun.js';
import { ingestEnv } from '../../functions/ingest/ingestEnv.js';
import type { RunDeps } from '../../functions/ingest/manifestRun.js';
import type { CloudRunSummary } from '../../functions/ingest/summarizeRun.js';
import { createObservability } from '../../functions/shared/observability.js';
import { linesObjectKey } from '../../functions/shared/resultLines.js';
import { objectBody } from '../helpers/cloudEvents.js';

const s3 = mockClient(S3Client);
const sqs = mockClient(SQSClient);

const RUN = 'drop-2026-01-02';
const ENV = {
  INGEST_QUEUE_URL: 'https://sqs/ingest',
  DETECT_QUEUE_URL: 'https://sqs/detect',
  DLQ_URLS: 'https://sqs/detect-dlq',
  FINALIZE_DELAY_SECONDS: '10',
};
const deps = (): RunDeps => ({
  ...createObservability('ingest'),
  settings: ingestEnv.parse(ENV),
  gpu: undefined,
});

const at = (second: number) => new Date(Date.UTC(2026, 0, 2, 3, 4, second));
const record = (second: number, armed: boolean, keys: string[]) => ({
  key: inputsRecordKey(RUN, at(second), `0000000${second % 10}`, armed, keys.length),
  keys,
});
const line = (path: string, o: Partial<ResultLine> = {}): ResultLine => ({
  path,
  status: 'no_match',
  people: [],
  faces: [],
  ...o,
});

/** The bucket as the finalizer lists and reads it: inputs records, lines, a searched record. */
const serve = (o: {
  records: { key: string; keys: string[] }[];
  lines: ResultLine[];
  searched?: { name: string; threshold: number; thresholdSource?: string }[];
}) => {
  const objects: Record<string, string> = {};
  for (const r of o.records) objects[r.key] = `${r.keys.map((k) => JSON.stringify(k)).join('\n')}\n`;
  // One lines object per line, as a verify or copy batch of one would write them.
  o.lines.forEach((l, i) => {
    objects[linesObjectKey(RUN, at(30 + i), `0000000${i}`, 1)] = `${JSON.stringify(l)}\n`;
  });
  if (o.searched)
    objects[`results/${RUN}/searched/s1.json`] = JSON.stringify({
      at: '2026-01-02T03:04:00.000Z',
      modelSetId: 'm@1',
      people: o.searched,
    });
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
const summaryWritten = (): CloudRunSummary | undefined => {
  const put = s3
    .commandCalls(PutObjectCommand)
    .find((c) => String(c.args[0].input.Key).endsWith('summary.json'));
  return put ? (JSON.parse(String(put.args[0].input.Body)) as CloudRunSummary) : undefined;
};
const rearmed = () =>
  sqs
    .commandCalls(SendMessageBatchCommand)
    .flatMap((c) => c.args[0].input.Entries ?? [])
    .map((e) => ({ body: JSON.parse(e.MessageBody!), delay: e.DelaySeconds }));

describe('Drop runs: inputs records and their finalizer', () => {
  beforeEach(() => {
    process.env['AWS_REGION'] = 'us-east-1';
    process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';
    process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
    process.env['MESPOTTER_MODELS_DIR'] = '/nonexistent';
    s3.reset();
    sqs.reset();
    s3.on(PutObjectCommand).resolves({});
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
  });

  afterAll(() => {
    for (const k of ['POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_METRICS_DISABLED', 'MESPOTTER_MODELS_DIR'])
      delete process.env[k];
  });

  it('names records so that a listing sorts them by time and tells armed ones apart', () => {
    const a = inputsRecordKey(RUN, at(5), 'abcdef01', true, 3);
    expect(a).toBe(`results/${RUN}/inputs/2026-01-02T03:04:05.000Z-abcdef01-a-3.jsonl`);
    expect(parseInputsRecordKey(RUN, a)).toEqual({
      key: a,
      at: '2026-01-02T03:04:05.000Z',
      armed: true,
      count: 3,
    });
    expect(parseInputsRecordKey(RUN, `results/${RUN}/inputs/other.json`)).toBeUndefined();
    expect(parseInputsRecordKey('drop-2026-01-03', a)).toBeUndefined();
  });

  it('stops when a newer armed record exists: that one’s finalizer is the run’s', async () => {
    const mine = record(1, true, ['incoming/a.jpg']);
    serve({ records: [mine, record(2, true, ['incoming/b.jpg'])], lines: [line('incoming/a.jpg')] });

    const outcome = await finalizeDropRun(
      { kind: 'finalize', runId: RUN, bucket: 'b', attempt: 0, anchor: mine.key },
      deps(),
    );

    expect(outcome).toBe('superseded');
    expect(summaryWritten()).toBeUndefined();
    expect(rearmed()).toEqual([]);
  });

  it('waits, re-armed with the same anchor, while a recorded key (here from an unarmed record) has no line', async () => {
    const mine = record(1, true, ['incoming/a.jpg']);
    serve({ records: [mine, record(2, false, ['incoming/b.jpg'])], lines: [line('incoming/a.jpg')] });

    const outcome = await finalizeDropRun(
      { kind: 'finalize', runId: RUN, bucket: 'b', attempt: 2, anchor: mine.key },
      deps(),
    );

    expect(outcome).toBe('waiting');
    expect(summaryWritten()).toBeUndefined();
    expect(rearmed()).toEqual([
      { body: { kind: 'finalize', runId: RUN, bucket: 'b', attempt: 3, anchor: mine.key }, delay: 40 },
    ]);
  });

  it('waits when its own record is not written yet', async () => {
    const mine = record(3, true, ['incoming/a.jpg']);
    serve({ records: [record(1, false, ['incoming/a.jpg'])], lines: [line('incoming/a.jpg')] });
    expect(
      await finalizeDropRun(
        { kind: 'finalize', runId: RUN, bucket: 'b', attempt: 0, anchor: mine.key },
        deps(),
      ),
    ).toBe('waiting');
    expect(summaryWritten()).toBeUndefined();
  });

  it('writes the summary once every key has its line: people searched, counts and copies from the lines', async () => {
    // Arrange: a.jpg dropped twice (two records), three distinct keys, all with lines.
    const mine = record(2, true, ['incoming/a.jpg', 'incoming/c.txt']);
    serve({
      records: [
        record(1, true, ['incoming/a.jpg', 'incoming/b.jpg']),
        mine,
        record(3, false, ['incoming/a.jpg']),
      ],
      lines: [
        line('incoming/a.jpg', {
          status: 'matched',
          people: ['Anna', 'Bea'],
          copies: [
            { people: ['Anna'], outcome: 'copied', destination: 'matches/Anna/incoming/a.jpg' },
            { people: ['Bea'], outcome: 'already_present', destination: 'matches/Bea/incoming/a.jpg' },
          ],
          cached: true,
        }),
        line('incoming/b.jpg', { status: 'error', code: 'corrupt_image', reason: 'bad' }),
        line('incoming/c.txt', { status: 'skipped', code: 'skipped', reason: 'not a photo' }),
      ],
      searched: [
        { name: 'Anna', threshold: 0.4, thresholdSource: 'default' },
        { name: 'Bea', threshold: 0.5, thresholdSource: 'person' },
        { name: 'Cleo', threshold: 0.4, thresholdSource: 'default' },
      ],
    });

    // Act
    const outcome = await finalizeDropRun(
      { kind: 'finalize', runId: RUN, bucket: 'b', attempt: 0, anchor: mine.key },
      deps(),
    );

    // Assert
    expect(outcome).toBe('summarized');
    expect(rearmed()).toEqual([]);
    const summary = summaryWritten()!;
    expect(summary).toMatchObject({
      runId: RUN,
      input: 's3://b/incoming/',
      output: 's3://b/matches/',
      modelSetId: 'm@1',
      startedAt: '2026-01-02T03:04:01.000Z',
      total: 3,
      expected: 3,
      pending: 0,
      deadLettered: 0,
      route: 'lambda',
      cacheHits: 1,
      errorsByCode: { corrupt_image: 1 },
    });
    expect(summary.people).toEqual([
      { name: 'Anna', threshold: 0.4, thresholdSource: 'default', photos: 1 },
      { name: 'Bea', threshold: 0.5, thresholdSource: 'person', photos: 1 },
      { name: 'Cleo', threshold: 0.4, thresholdSource: 'default', photos: 0 },
    ]);
    expect(summary.counts).toEqual({ matched: 1, no_match: 0, no_face: 0, skipped: 1, error: 1 });
    expect(summary.copies).toMatchObject({ copied: 1, already_present: 1, failed: 0 });
  });

  it('writes the summary with pending > 0 on its last check', async () => {
    const mine = record(1, true, ['incoming/a.jpg', 'incoming/b.jpg']);
    serve({ records: [mine], lines: [line('incoming/a.jpg')] });

    await finalizeDropRun(
      { kind: 'finalize', runId: RUN, bucket: 'b', attempt: 95, anchor: mine.key },
      deps(),
    );

    expect(summaryWritten()).toMatchObject({ total: 1, expected: 2, pending: 1, people: [] });
    expect(rearmed()).toEqual([]);
  });
});
