import 'aws-sdk-client-mock-vitest/extend';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompareFacesCommand, RekognitionClient, ThrottlingException } from '@aws-sdk/client-rekognition';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeAnalysis } from '../../core/analysis/analysisCodec.js';
import { encodeJpeg } from '../../core/image/decode.js';
import { centroidOf, GALLERY_VERSION, type Gallery, serializeGallery } from '../../core/match/gallery.js';
import type { ResultLine } from '../../core/report/resultLine.js';
import type { TeacherLine } from '../../core/teacher/teacherLine.js';
import type { Box, FivePoints, ImageAnalysis } from '../../core/types.js';
import { summarizeRun } from '../../functions/ingest/summarizeRun.js';
import type { CopyMessage } from '../../functions/shared/messages.js';
import type { TeacherHook } from '../../functions/shared/TeacherHook.js';
import { loadRekognitionTeacher, teacherHookFromEnv } from '../../functions/shared/teacherCascadeHook.js';
import { lambdaContext, objectBody, sqsEvent } from '../helpers/cloudEvents.js';
import { seededRng } from '../helpers/random.js';

const rekognition = mockClient(RekognitionClient);
const s3 = mockClient(S3Client);
const sqs = mockClient(SQSClient);

const MODELS_DIR = mkdtempSync(join(tmpdir(), 'mespotter-verify-teacher-'));
const ENV = {
  AWS_REGION: 'us-east-1',
  BUCKET_NAME: 'photos',
  COPY_QUEUE_URL: 'https://sqs/copy',
  MESPOTTER_MODELS_DIR: MODELS_DIR,
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};
const TEACHER_ENV = [
  'MESPOTTER_TEACHER_GRAY_ZONE',
  'MESPOTTER_TEACHER_RATE',
  'MESPOTTER_TEACHER_MAX_WAIT_MS',
  'MESPOTTER_TEACHER_PRICE_USD',
  'MESPOTTER_TEACHER_THRESHOLD',
];

const REFERENCE_KEY = 'reference/alice/a.jpg';
const REFERENCE_BOX: Box = { x1: 100, y1: 80, x2: 220, y2: 220 };
/** The person's template is (1, 0); a face at `score` is (score, sqrt(1 - score²)). */
const gallery: Gallery = {
  version: GALLERY_VERSION,
  person: 'alice',
  modelSetId: 'm@1',
  createdAt: '2026-01-01T00:00:00.000Z',
  threshold: 0.4,
  references: [
    {
      source: REFERENCE_KEY,
      sha256: 'a',
      box: REFERENCE_BOX,
      quality: 0.9,
      embedding: new Float32Array([1, 0]),
    },
  ],
  rejected: [],
  centroid: centroidOf([new Float32Array([1, 0])]),
};

const WIDTH = 1000;
const HEIGHT = 500;
const faceBox = (i: number): Box => ({ x1: i * 200, y1: 0, x2: i * 200 + 100, y2: 120 });
const noPoints = [0, 0, 0, 0, 0].map(() => ({ x: 0, y: 0 })) as unknown as FivePoints;
const analysisOf = (scores: number[]): ImageAnalysis => ({
  width: WIDTH,
  height: HEIGHT,
  rejected: 0,
  faces: scores.map((s, i) => ({
    box: faceBox(i),
    score: 0.99,
    points: noPoints,
    roll: 0,
    quality: 0.9,
    embedding: new Float32Array([s, Math.sqrt(1 - s * s)]),
  })),
});

/** A verify message for `key` whose faces score `scores` against alice. */
const verifyBody = (key: string, scores: number[]): string =>
  JSON.stringify({
    runId: 'run-1',
    bucket: 'photos',
    key,
    etag: '"e"',
    sha256: `sha-${key}`,
    cached: false,
    ms: 5,
    analysis: encodeAnalysis(analysisOf(scores)),
  });

/** CompareFaces' answer: face 0 of the target at `similarity`. */
const teacherSees = (similarity: number) => ({
  FaceMatches: [
    {
      Similarity: similarity,
      Face: {
        BoundingBox: { Left: 4 / WIDTH, Top: 6 / HEIGHT, Width: 94 / WIDTH, Height: 119 / HEIGHT },
        Confidence: 99.9,
      },
    },
  ],
  UnmatchedFaces: [],
});

/** Every result line verify produced: written directly (no match) or handed to copy (match). */
const linesOf = (key: string): ResultLine[] => {
  const written = s3
    .commandCalls(PutObjectCommand)
    .filter((c) => String(c.args[0].input.Key).includes('/lines/'))
    .map((c) => String(c.args[0].input.Body))
    .flatMap((body) => body.split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as ResultLine);
  const copied = sqs
    .commandCalls(SendMessageBatchCommand)
    .flatMap((c) => c.args[0].input.Entries ?? [])
    .map((e) => (JSON.parse(e.MessageBody!) as CopyMessage).line);
  return [...written, ...copied].filter((l) => l.path === key);
};
const lineOf = (key: string): ResultLine => {
  const lines = linesOf(key);
  expect(lines).toHaveLength(1);
  return lines[0]!;
};

type VerifyModule = typeof import('../../functions/verify/handler.js');
/** A fresh verify module, so its module-scope hook reads the environment as a cold start would. */
const coldStart = async (): Promise<VerifyModule> => {
  vi.resetModules();
  return import('../../functions/verify/handler.js');
};
const run = (mod: VerifyModule, event: SQSEvent): Promise<SQSBatchResponse> =>
  mod.handler(event, lambdaContext());

/** The cascade the handler installs, with Rekognition's throttling backoff not actually sleeping. */
const hookWithoutBackoff = (): TeacherHook =>
  teacherHookFromEnv(() => loadRekognitionTeacher({ sleep: async () => undefined }));

let referenceJpeg: Uint8Array;

beforeAll(async () => {
  // A valid manifest (the built one) under another model-set id: verify reads only the manifest.
  const built = JSON.parse(
    readFileSync(new URL('../../layers/models/manifest.json', import.meta.url), 'utf8'),
  );
  writeFileSync(join(MODELS_DIR, 'manifest.json'), JSON.stringify({ ...built, modelSetId: 'm@1' }));
  const rng = seededRng(3);
  const data = new Uint8Array(400 * 300 * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rng() * 256);
  referenceJpeg = (await encodeJpeg({ data, width: 400, height: 300 }, { quality: 80 })).jpeg;
});

beforeEach(() => {
  Object.assign(process.env, ENV);
  for (const k of TEACHER_ENV) delete process.env[k];
  rekognition.reset();
  s3.reset();
  sqs.reset();
  s3.on(ListObjectsV2Command).resolves({
    Contents: [{ Key: 'reference/alice/gallery.json', ETag: '"g1"' }],
  });
  s3.on(GetObjectCommand, { Key: 'reference/alice/gallery.json' }).callsFake(() => ({
    ETag: '"g1"',
    Body: objectBody(serializeGallery(gallery)),
  }));
  s3.on(GetObjectCommand, { Key: REFERENCE_KEY }).callsFake(() => ({
    ContentLength: referenceJpeg.byteLength,
    Body: objectBody(referenceJpeg),
  }));
  s3.on(PutObjectCommand).resolves({});
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
});

afterAll(() => {
  for (const k of [...Object.keys(ENV), ...TEACHER_ENV]) delete process.env[k];
  rmSync(MODELS_DIR, { recursive: true, force: true });
});

describe('Function: verify with the teacher cascade off (default)', () => {
  it('never calls Rekognition and writes no teacher field, even for a gray-zone face', async () => {
    // Arrange
    rekognition.on(CompareFacesCommand).resolves(teacherSees(99));
    const verify = await coldStart();

    // Act
    const out = await run(verify, sqsEvent([verifyBody('incoming/gray.jpg', [0.45])]));

    // Assess
    expect(out.batchItemFailures).toEqual([]);
    expect(rekognition).not.toHaveReceivedCommand(CompareFacesCommand);
    const line = lineOf('incoming/gray.jpg');
    expect(line.status).toBe('matched');
    expect(line).not.toHaveProperty('teacher');
  });
});

describe('Function: verify records who it searched', () => {
  it('once per container and run, before the lines, with each threshold and its source', async () => {
    // Arrange
    const verify = await coldStart();

    // Act
    await run(verify, sqsEvent([verifyBody('incoming/a.jpg', [0.9]), verifyBody('incoming/b.jpg', [0.1])]));

    // Assess
    const keys = s3.commandCalls(PutObjectCommand).map((c) => String(c.args[0].input.Key));
    const searched = keys.filter((k) => k.startsWith('results/run-1/searched/'));
    expect(searched).toHaveLength(1);
    expect(keys[0]).toBe(searched[0]);
    const body = JSON.parse(String(s3.commandCalls(PutObjectCommand)[0]!.args[0].input.Body));
    expect(body).toEqual({
      at: expect.any(String),
      modelSetId: 'm@1',
      people: [{ name: 'alice', threshold: 0.4, thresholdSource: 'person' }],
    });
  });

  it('writes a skipped line when nobody is enrolled, and no searched record', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    const verify = await coldStart();
    await run(verify, sqsEvent([verifyBody('incoming/a.jpg', [0.9])]));
    expect(lineOf('incoming/a.jpg')).toMatchObject({ status: 'skipped', code: 'no_gallery', people: [] });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
  });
});

describe('Function: verify with MESPOTTER_TEACHER_GRAY_ZONE', () => {
  beforeEach(() => {
    process.env['MESPOTTER_TEACHER_GRAY_ZONE'] = '0.3,0.5';
  });

  it('installs the cascade at cold start: a gray match the teacher rejects is overturned', async () => {
    // Arrange
    rekognition.on(CompareFacesCommand).resolves(teacherSees(5));
    const verify = await coldStart();

    // Act
    const out = await run(verify, sqsEvent([verifyBody('incoming/gray.jpg', [0.45])]));

    // Assess
    expect(out.batchItemFailures).toEqual([]);
    expect(rekognition).toHaveReceivedCommandTimes(CompareFacesCommand, 1);
    const input = rekognition.commandCalls(CompareFacesCommand)[0]!.args[0].input;
    // Rekognition reads the photo from the bucket; the reference goes as a crop of its face.
    expect(input.TargetImage).toEqual({ S3Object: { Bucket: 'photos', Name: 'incoming/gray.jpg' } });
    expect(input.SourceImage?.Bytes?.byteLength).toBeGreaterThan(0);
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: 'photos', Key: REFERENCE_KEY });
    const line = lineOf('incoming/gray.jpg');
    expect(line.status).toBe('no_match');
    expect(line.people).toEqual([]);
    expect(line.faces[0]!.person).toBeNull();
    expect(line.teacher).toEqual<ResultLine['teacher']>([
      {
        person: 'alice',
        outcome: 'overturned',
        localStatus: 'matched',
        calls: 1,
        costUsd: 0.001,
        faces: [{ index: 0, label: 'no_match', similarity: 5 }],
      },
    ]);
    // Overturned to no match: nothing for copy.
    expect(sqs).not.toHaveReceivedCommand(SendMessageBatchCommand);
  });

  it('confirms a gray match the teacher agrees with, sends it to copy and uses the configured price', async () => {
    // Arrange
    process.env['MESPOTTER_TEACHER_PRICE_USD'] = '0.0008';
    rekognition.on(CompareFacesCommand).resolves(teacherSees(98));
    const verify = await coldStart();

    // Act
    await run(verify, sqsEvent([verifyBody('incoming/yes.jpg', [0.45])]));

    // Assess
    const line = lineOf('incoming/yes.jpg');
    expect(line.status).toBe('matched');
    expect(line.teacher).toMatchObject([
      { person: 'alice', outcome: 'confirmed', localStatus: 'matched', calls: 1, costUsd: 0.0008 },
    ]);
    expect(sqs).toHaveReceivedCommandWith(SendMessageBatchCommand, { QueueUrl: ENV.COPY_QUEUE_URL });
  });

  it('decides faces outside the gray zone locally, without a call', async () => {
    // Arrange
    rekognition.on(CompareFacesCommand).resolves(teacherSees(5));
    const verify = await coldStart();

    // Act
    await run(
      verify,
      sqsEvent([verifyBody('incoming/sure.jpg', [0.9]), verifyBody('incoming/far.jpg', [0.1])]),
    );

    // Assess
    expect(rekognition).not.toHaveReceivedCommand(CompareFacesCommand);
    expect(lineOf('incoming/sure.jpg')).toMatchObject({ status: 'matched' });
    expect(lineOf('incoming/far.jpg')).toMatchObject({ status: 'no_match' });
    expect(lineOf('incoming/sure.jpg')).not.toHaveProperty('teacher');
    expect(lineOf('incoming/far.jpg')).not.toHaveProperty('teacher');
  });

  it('keeps the local decision and records the failure when Rekognition stays throttled', async () => {
    // Arrange
    rekognition
      .on(CompareFacesCommand)
      .rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));
    const verify = await coldStart();
    verify.setTeacherHook(hookWithoutBackoff());

    // Act
    const out = await run(verify, sqsEvent([verifyBody('incoming/busy.jpg', [0.45])]));

    // Assess
    expect(out.batchItemFailures).toEqual([]);
    // The SDK's attempts, then our 4 backoff rounds.
    expect(rekognition).toHaveReceivedCommandTimes(CompareFacesCommand, 5);
    const line = lineOf('incoming/busy.jpg');
    expect(line.status).toBe('matched');
    expect(line.faces[0]!.person).toBe('alice');
    expect(line.teacher).toMatchObject([
      {
        person: 'alice',
        outcome: 'failed',
        localStatus: 'matched',
        calls: 1,
        costUsd: 0,
        failure: { code: 'teacher_throttled' },
      },
    ]);
    expect(sqs).toHaveReceivedCommandWith(SendMessageBatchCommand, { QueueUrl: ENV.COPY_QUEUE_URL });
  });

  it('keeps the local decision when the call fails outright (no retry)', async () => {
    // Arrange
    rekognition
      .on(CompareFacesCommand)
      .rejects(Object.assign(new Error('not authorised'), { name: 'AccessDeniedException' }));
    const verify = await coldStart();

    // Act
    await run(verify, sqsEvent([verifyBody('incoming/denied.jpg', [0.35])]));

    // Assess
    expect(rekognition).toHaveReceivedCommandTimes(CompareFacesCommand, 1);
    const line = lineOf('incoming/denied.jpg');
    expect(line.status).toBe('no_match');
    expect(line.teacher).toMatchObject([
      {
        person: 'alice',
        outcome: 'failed',
        localStatus: 'no_match',
        failure: { code: 'teacher_access_denied' },
      },
    ]);
  });

  it('rate-limits per container: past the wait budget a photo keeps its local decision', async () => {
    // Arrange: one call per second, no waiting.
    process.env['MESPOTTER_TEACHER_RATE'] = '1';
    process.env['MESPOTTER_TEACHER_MAX_WAIT_MS'] = '0';
    rekognition.on(CompareFacesCommand).resolves(teacherSees(98));
    const verify = await coldStart();

    // Act
    await run(verify, sqsEvent([verifyBody('incoming/a.jpg', [0.45]), verifyBody('incoming/b.jpg', [0.45])]));

    // Assess
    expect(rekognition).toHaveReceivedCommandTimes(CompareFacesCommand, 1);
    const outcomes = [lineOf('incoming/a.jpg'), lineOf('incoming/b.jpg')]
      .map((l) => l.teacher?.[0]?.outcome)
      .sort();
    expect(outcomes).toEqual(['confirmed', 'rate_limited']);
  });

  it('refuses bad settings at cold start rather than guessing', () => {
    process.env['MESPOTTER_TEACHER_GRAY_ZONE'] = '0.5,0.3';
    expect(() => teacherHookFromEnv()).toThrow(/LO <= HI/);
    process.env['MESPOTTER_TEACHER_GRAY_ZONE'] = '0.3,0.5';
    process.env['MESPOTTER_TEACHER_RATE'] = 'fast';
    expect(() => teacherHookFromEnv()).toThrow(/MESPOTTER_TEACHER_RATE/);
    process.env['MESPOTTER_TEACHER_RATE'] = '1';
    process.env['MESPOTTER_TEACHER_THRESHOLD'] = '180';
    expect(() => teacherHookFromEnv()).toThrow(/0\.\.100/);
  });
});

describe('Function: run summary with teacher lines', () => {
  const teacherLine = (outcome: TeacherLine['outcome'], calls: number, costUsd: number): TeacherLine => ({
    outcome,
    localStatus: 'matched',
    calls,
    costUsd,
  });
  const line = (path: string, teacher?: TeacherLine): ResultLine => ({
    path,
    status: 'no_match',
    people: [],
    faces: [],
    ...(teacher ? { teacher: [{ ...teacher, person: 'alice' }] } : {}),
  });
  const record = {
    runId: 'run-1',
    manifest: 'manifests/m.jsonl',
    startedAt: '2026-01-01T00:00:00.000Z',
    total: 3,
    photos: 3,
    route: 'lambda' as const,
    modelSetId: 'm@1',
  };
  const summaryWritten = () =>
    JSON.parse(String(s3.commandCalls(PutObjectCommand)[0]!.args[0].input.Body)) as Record<string, unknown>;
  const serve = (files: Record<string, ResultLine[]>) => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    s3.on(ListObjectsV2Command, { Prefix: 'results/run-1/lines/' }).resolves({
      Contents: Object.keys(files).map((Key) => ({ Key })),
    });
    for (const [Key, lines] of Object.entries(files))
      s3.on(GetObjectCommand, { Key }).callsFake(() => ({
        ETag: '"x"',
        Body: objectBody(lines.map((l) => JSON.stringify(l)).join('\n')),
      }));
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
  };

  it("totals the lines' teacher fields into summary.teacher", async () => {
    serve({
      'results/run-1/lines/1.jsonl': [line('a.jpg', teacherLine('overturned', 1, 0.001))],
      'results/run-1/lines/2.jsonl': [line('b.jpg', teacherLine('failed', 1, 0))],
      'results/run-1/lines/3.jsonl': [line('c.jpg', teacherLine('rate_limited', 0, 0))],
    });
    await summarizeRun('photos', record, ['https://sqs/dlq'], false);
    expect(summaryWritten()['teacher']).toEqual({
      routed: 3,
      calls: 2,
      failures: 1,
      rateLimited: 1,
      overturned: 1,
      costUsd: 0.001,
    });
  });

  it('leaves summary.teacher out when no line was routed', async () => {
    serve({
      'results/run-1/lines/1.jsonl': [line('a.jpg')],
      'results/run-1/lines/2.jsonl': [line('b.jpg')],
      'results/run-1/lines/3.jsonl': [line('c.jpg')],
    });
    await summarizeRun('photos', record, [], false);
    expect(summaryWritten()).not.toHaveProperty('teacher');
  });
});
