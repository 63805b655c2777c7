import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeAnalysis, encodeAnalysis } from '../../core/analysis/analysisCodec.js';
import { resolveEngineConfig } from '../../core/config.js';
import type { PhotoAnalyzer } from '../../core/runtime/PhotoAnalyzer.js';
import type { FivePoints, ImageAnalysis } from '../../core/types.js';
import { detectPhoto, INLINE_ANALYSIS_MAX } from '../../functions/detect/detectPhoto.js';
import type { VerifyMessage } from '../../functions/shared/messages.js';
import { createObservability } from '../../functions/shared/observability.js';
import { objectBody } from '../helpers/cloudEvents.js';

const s3 = mockClient(S3Client);
const QUEUE = 'https://sqs/verify';

/** An analysis with `faces` faces: ~3.4 KB of JSON each (512-d embedding as base64). */
const analysisWith = (faces: number): ImageAnalysis => ({
  width: 100,
  height: 100,
  rejected: 0,
  faces: Array.from({ length: faces }, (_, i) => ({
    box: { x1: i, y1: 0, x2: i + 10, y2: 10 },
    score: 0.9,
    points: [0, 1, 2, 3, 4].map((k) => ({ x: k, y: k })) as unknown as FivePoints,
    roll: 0,
    quality: 0.9,
    embedding: new Float32Array(512).fill(i / 100),
  })),
});

const engineReturning = (analysis: ImageAnalysis): PhotoAnalyzer & { calls: number } => {
  const e = {
    calls: 0,
    modelSetId: 'm@1',
    config: resolveEngineConfig(),
    analyze: async () => {
      e.calls++;
      return analysis;
    },
    embedAligned: async () => new Float32Array(0),
    describeAligned: async () => {
      throw new Error('unused');
    },
    close: async () => undefined,
  };
  return e;
};

describe('Function: detect stage (faces index, inline analyses, what copy needs)', () => {
  const { logger, metrics } = createObservability('detect-test');
  const run = (engine: PhotoAnalyzer, facesIndex: boolean) =>
    detectPhoto(
      { kind: 'photo', runId: 'r', bucket: 'photos', key: 'a.jpg' },
      { engine, logger, metrics, settings: { verifyQueueUrl: QUEUE, maxPhotoBytes: undefined, facesIndex } },
    );
  const facesCalls = (command: typeof GetObjectCommand | typeof PutObjectCommand) =>
    s3.commandCalls(command).filter((c) => String(c.args[0].input.Key).startsWith('faces/'));

  beforeAll(() => {
    process.env['AWS_REGION'] = 'us-east-1';
    process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
    process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';
  });
  afterAll(() => {
    delete process.env['POWERTOOLS_METRICS_DISABLED'];
    delete process.env['POWERTOOLS_LOG_LEVEL'];
  });

  beforeEach(() => {
    s3.reset();
    s3.on(PutObjectCommand).resolves({});
    // The faces index has nothing yet…
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' }));
    // …and the photo is there, with a type and user metadata.
    s3.on(GetObjectCommand, { Key: 'a.jpg' }).callsFake(() => ({
      ETag: '"e"',
      ContentLength: 3,
      ContentType: 'image/jpeg',
      Metadata: { camera: 'x100' },
      Body: objectBody('abc'),
    }));
  });

  it('writes the faces index once and carries a small analysis and the source in the message', async () => {
    const engine = engineReturning(analysisWith(3));

    const out = await run(engine, true);

    expect(facesCalls(GetObjectCommand)).toHaveLength(1);
    expect(facesCalls(PutObjectCommand)).toHaveLength(1);
    const m = out.messages![0]!.body as VerifyMessage;
    expect(out.messages?.[0]?.queueUrl).toBe(QUEUE);
    expect(decodeAnalysis(m.analysis!)?.faces).toHaveLength(3);
    expect(m.source).toEqual({ size: 3, contentType: 'image/jpeg', metadata: { camera: 'x100' } });
    expect(out.lines ?? []).toEqual([]);
  });

  it('with the faces index off, neither looks up nor writes a small analysis', async () => {
    const out = await run(engineReturning(analysisWith(3)), false);
    expect(facesCalls(GetObjectCommand)).toEqual([]);
    expect(facesCalls(PutObjectCommand)).toEqual([]);
    expect((out.messages![0]!.body as VerifyMessage).analysis).toBeDefined();
  });

  it('stores an analysis too large for the message, index on or off, and sends its hash only', async () => {
    const big = analysisWith(40);
    expect(encodeAnalysis(big).length).toBeGreaterThan(INLINE_ANALYSIS_MAX);
    for (const on of [true, false]) {
      s3.resetHistory();
      const out = await run(engineReturning(big), on);
      const m = out.messages![0]!.body as VerifyMessage;
      expect(m.analysis, `index ${on}`).toBeUndefined();
      expect(facesCalls(PutObjectCommand), `index ${on}`).toHaveLength(1);
      expect(String(facesCalls(PutObjectCommand)[0]!.args[0].input.Key)).toContain(m.sha256);
    }
  });

  it('a faces index hit skips the engine', async () => {
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) =>
      input.Key === 'a.jpg'
        ? { ETag: '"e"', ContentLength: 3, Body: objectBody('abc') }
        : { ETag: '"f"', Body: objectBody(encodeAnalysis(analysisWith(2))) },
    );
    const engine = engineReturning(analysisWith(5));

    const out = await run(engine, true);

    expect(engine.calls).toBe(0);
    expect((out.messages![0]!.body as VerifyMessage).cached).toBe(true);
    expect(facesCalls(PutObjectCommand)).toEqual([]);
  });
});
