import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveEngineConfig } from '../../core/config.js';
import { ConfigError, ImageError, ImageErrorCode, MespotterError, ModelError } from '../../core/errors.js';
import type { PhotoAnalyzer } from '../../core/runtime/PhotoAnalyzer.js';
import type { ImageAnalysis } from '../../core/types.js';
import { copyEnv } from '../../functions/copy/copyEnv.js';
import { detectEnv } from '../../functions/detect/detectEnv.js';
import { detectPhoto } from '../../functions/detect/detectPhoto.js';
import { ingestEnv } from '../../functions/ingest/ingestEnv.js';
import { CloudError, CloudErrorCode } from '../../functions/shared/errors.js';
import { createObservability } from '../../functions/shared/observability.js';
import { flushOutputs } from '../../functions/shared/RecordOutputs.js';
import { isPermanent } from '../../functions/shared/resultLines.js';
import { verifyEnv } from '../../functions/verify/verifyEnv.js';
import { gpuBatchEnv } from '../../gpu-batch/gpuBatchEnv.js';
import { lambdaContext, objectBody, sqsEvent } from '../helpers/cloudEvents.js';

const s3 = mockClient(S3Client);
const sqs = mockClient(SQSClient);

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/111122223333/q';
const photoBody = (key: string) => JSON.stringify({ kind: 'photo', runId: 'r', bucket: 'photos', key });
const s3Error = (status: number, name: string) =>
  new S3ServiceException({ name, $fault: 'server', $metadata: { httpStatusCode: status }, message: name });

/** Sets variables for one test and restores them afterwards. */
const saved = new Map<string, string | undefined>();
const setEnv = (vars: Record<string, string | undefined>): void => {
  for (const [k, v] of Object.entries(vars)) {
    if (!saved.has(k)) saved.set(k, process.env[k]);
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
};

beforeEach(() => {
  s3.reset();
  sqs.reset();
  s3.on(PutObjectCommand).resolves({});
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  setEnv({ AWS_REGION: 'us-east-1', POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'SILENT' });
});

afterEach(() => {
  for (const [k, v] of saved) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  saved.clear();
});

describe('Function environments: one schema per process', () => {
  it('names every bad variable in one error', () => {
    expect(() => detectEnv.parse({ VERIFY_QUEUE_URL: '', MAX_PHOTO_BYTES: 'abc' })).toThrowError(
      new ConfigError(
        'invalid detect environment: VERIFY_QUEUE_URL is empty; MAX_PHOTO_BYTES must be an integer >= 1 (got "abc")',
      ),
    );
  });

  it('reads numbers strictly: empty, text, fractions for integers and out-of-range values are errors', () => {
    const ok = { VERIFY_QUEUE_URL: QUEUE };
    for (const bad of ['', ' ', 'abc', '12abc', '1.5', '0', '-3', 'Infinity', 'NaN'])
      expect(() => detectEnv.parse({ ...ok, MAX_PHOTO_BYTES: bad }), bad).toThrow(/MAX_PHOTO_BYTES must be/);
    expect(detectEnv.parse({ ...ok, MAX_PHOTO_BYTES: '2000000' }).maxPhotoBytes).toBe(2_000_000);
    expect(detectEnv.parse(ok).maxPhotoBytes).toBeUndefined();
    expect(() => copyEnv.parse({ MULTIPART_COPY_BYTES: '100' })).toThrow(
      /MULTIPART_COPY_BYTES must be an integer in/,
    );
    expect(copyEnv.parse({}).multipartAbove).toBe(5 * 1024 ** 3);
  });

  it('requires the queue URLs each function sends to, and checks they look like URLs', () => {
    expect(() => ingestEnv.parse({ INGEST_QUEUE_URL: QUEUE })).toThrow(/DETECT_QUEUE_URL is not set/);
    expect(() => ingestEnv.parse({ INGEST_QUEUE_URL: QUEUE, DETECT_QUEUE_URL: 'detect' })).toThrow(
      /DETECT_QUEUE_URL is not an http\(s\) URL/,
    );
    expect(() => verifyEnv.parse({ BUCKET_NAME: 'b', COPY_QUEUE_URL: ' ' })).toThrow(
      /COPY_QUEUE_URL is empty/,
    );
    expect(() => verifyEnv.parse({ COPY_QUEUE_URL: QUEUE })).toThrow(/BUCKET_NAME is not set/);
    // The emulator's queue URLs are not WHATWG URLs (numeric last label) but are what SQS accepts here.
    expect(
      detectEnv.parse({ VERIFY_QUEUE_URL: 'http://sqs.us-east-1.127.0.0.1:4566/000000000000/verify' }),
    ).toMatchObject({ verifyQueueUrl: 'http://sqs.us-east-1.127.0.0.1:4566/000000000000/verify' });
  });

  it('checks settings that only work together', () => {
    const base = { INGEST_QUEUE_URL: QUEUE, DETECT_QUEUE_URL: QUEUE };
    expect(() => ingestEnv.parse({ ...base, GPU_JOB_QUEUE: 'arn:q' })).toThrow(
      /GPU_JOB_QUEUE is set but GPU_JOB_DEFINITION is not/,
    );
    expect(
      ingestEnv.parse({ ...base, GPU_JOB_QUEUE: 'arn:q', GPU_JOB_DEFINITION: 'arn:d' }).gpuBatch,
    ).toEqual({
      jobQueue: 'arn:q',
      jobDefinition: 'arn:d',
    });
    expect(ingestEnv.parse(base)).toMatchObject({
      gpuBatch: undefined,
      dlqUrls: [],
      finalizeDelaySeconds: 30,
    });
    expect(() => ingestEnv.parse({ ...base, FINALIZE_DELAY_SECONDS: '2.5' })).toThrow(
      /FINALIZE_DELAY_SECONDS/,
    );
  });

  it('checks the GPU container its job, device and detect settings', () => {
    const job = {
      MESPOTTER_RUN_ID: 'r',
      MESPOTTER_BUCKET: 'b',
      MESPOTTER_KEYS_KEY: 'results/r/keys.jsonl',
      VERIFY_QUEUE_URL: QUEUE,
      DETECT_QUEUE_URL: QUEUE,
    };
    expect(gpuBatchEnv.parse(job)).toMatchObject({ device: 'cuda', concurrency: 4, job: { runId: 'r' } });
    expect(() => gpuBatchEnv.parse({ ...job, MESPOTTER_DEVICE: 'tpu' })).toThrow(
      /MESPOTTER_DEVICE must be cuda or cpu/,
    );
    expect(() => gpuBatchEnv.parse({ ...job, MESPOTTER_GPU_CONCURRENCY: 'many' })).toThrow(
      /MESPOTTER_GPU_CONCURRENCY/,
    );
    expect(() => gpuBatchEnv.parse({ ...job, MAX_PHOTO_BYTES: 'abc' })).toThrow(/MAX_PHOTO_BYTES/);
  });

  it('loads process.env once and keeps throwing the same error until it changes', () => {
    setEnv({ VERIFY_QUEUE_URL: '' });
    const first = (() => {
      try {
        return detectEnv.load();
      } catch (error) {
        return error;
      }
    })();
    expect(first).toBeInstanceOf(ConfigError);
    expect(() => detectEnv.load()).toThrow(first as Error);
    setEnv({ VERIFY_QUEUE_URL: QUEUE });
    expect(detectEnv.load().verifyQueueUrl).toBe(QUEUE);
    expect(detectEnv.load()).toBe(detectEnv.load());
  });
});

describe('Permanent outcomes: only the photo’s own faults', () => {
  it('allows image faults, bad messages and bad manifests, and nothing else', () => {
    for (const code of [
      ImageErrorCode.Corrupt,
      ImageErrorCode.TooLarge,
      ImageErrorCode.TooManyPixels,
      ImageErrorCode.Unsupported,
      ImageErrorCode.Empty,
      ImageErrorCode.Vanished,
    ])
      expect(isPermanent(new ImageError(code, code)), code).toBe(true);
    expect(isPermanent(new CloudError(CloudErrorCode.BadMessage, 'x'))).toBe(true);
    expect(isPermanent(new CloudError(CloudErrorCode.BadManifest, 'x'))).toBe(true);
    // Configuration, models, a body that did not arrive, throttling, 5xx, network: retried.
    expect(isPermanent(new ConfigError('VERIFY_QUEUE_URL is empty'))).toBe(false);
    expect(isPermanent(new ModelError('no models'))).toBe(false);
    expect(isPermanent(new ImageError(ImageErrorCode.Unreadable, 'object has no body'))).toBe(false);
    expect(isPermanent(new MespotterError('missing_env', 'x'))).toBe(false);
    expect(isPermanent(s3Error(503, 'SlowDown'))).toBe(false);
    expect(isPermanent(s3Error(500, 'InternalError'))).toBe(false);
    expect(isPermanent(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(false);
  });
});

describe('Function: detect stage with failures', () => {
  const { logger, metrics } = createObservability('detect-test');
  const engine = (fail?: Error): PhotoAnalyzer => ({
    modelSetId: 'm@1',
    config: resolveEngineConfig(),
    analyze: async (): Promise<ImageAnalysis> => {
      if (fail) throw fail;
      return { width: 10, height: 10, faces: [] } as unknown as ImageAnalysis;
    },
    embedAligned: async () => new Float32Array(0),
    describeAligned: async () => {
      throw new Error('unused');
    },
    close: async () => undefined,
  });
  const settings = { verifyQueueUrl: QUEUE, maxPhotoBytes: undefined, facesIndex: true };
  const run = (e: PhotoAnalyzer) =>
    detectPhoto(
      { kind: 'photo', runId: 'r', bucket: 'photos', key: 'a.jpg' },
      { engine: e, logger, metrics, settings },
    );
  const linePuts = () =>
    s3.commandCalls(PutObjectCommand).filter((c) => String(c.args[0].input.Key).startsWith('results/'));

  beforeEach(() => {
    s3.on(GetObjectCommand, { Key: 'a.jpg' }).callsFake(() => ({
      ETag: '"e"',
      ContentLength: 3,
      Body: objectBody('abc'),
    }));
    // Faces index reads answer nothing: a miss.
  });

  it('records a corrupt photo as its outcome, written with its batch', async () => {
    const out = await run(engine(new ImageError(ImageErrorCode.Corrupt, 'corrupt or truncated image')));
    expect(out.lines?.map((l) => l.line.code)).toEqual(['corrupt_image']);
    expect(out.messages ?? []).toEqual([]);
    expect(linePuts()).toEqual([]);
    expect(await flushOutputs([out])).toEqual([undefined]);
    expect(linePuts()).toHaveLength(1);
    expect(String(linePuts()[0]!.args[0].input.Body)).toContain('"code":"corrupt_image"');
  });

  it('throws, writing nothing, when the models fail or S3 answers 503', async () => {
    await expect(run(engine(new ModelError('Model file missing')))).rejects.toThrow(ModelError);
    s3.on(GetObjectCommand, { Key: 'a.jpg' }).rejects(s3Error(503, 'SlowDown'));
    await expect(run(engine())).rejects.toThrow('SlowDown');
    expect(linePuts()).toEqual([]);
    expect(sqs).not.toHaveReceivedCommand(SendMessageBatchCommand);
  });
});

describe('Handlers refuse a bad environment before any record', () => {
  it('detect: an empty VERIFY_QUEUE_URL fails the invocation, reading and writing nothing', async () => {
    setEnv({ VERIFY_QUEUE_URL: '', MAX_PHOTO_BYTES: undefined, MESPOTTER_MODELS_DIR: '/nonexistent' });
    const { handler } = await import('../../functions/detect/handler.js');
    await expect(
      handler(sqsEvent([photoBody('a.jpg'), photoBody('b.jpg')]), lambdaContext()),
    ).rejects.toThrow(/VERIFY_QUEUE_URL is empty/);
    expect(s3.calls()).toEqual([]);
    expect(sqs.calls()).toEqual([]);
  });

  it('ingest: a number that is not one fails the invocation', async () => {
    setEnv({ INGEST_QUEUE_URL: QUEUE, DETECT_QUEUE_URL: QUEUE, FINALIZE_DELAY_SECONDS: 'soon' });
    const { handler } = await import('../../functions/ingest/handler.js');
    await expect(handler(sqsEvent(['{}']), lambdaContext())).rejects.toThrow(
      /FINALIZE_DELAY_SECONDS must be/,
    );
    expect(s3.calls()).toEqual([]);
  });

  it('copy: a bad MULTIPART_COPY_BYTES fails the invocation before any copy', async () => {
    setEnv({ MULTIPART_COPY_BYTES: 'abc' });
    const { handler } = await import('../../functions/copy/handler.js');
    await expect(handler(sqsEvent(['{}']), lambdaContext())).rejects.toThrow(/MULTIPART_COPY_BYTES/);
    expect(s3.calls()).toEqual([]);
  });

  it('verify: a missing COPY_QUEUE_URL fails the invocation', async () => {
    setEnv({ BUCKET_NAME: 'photos', COPY_QUEUE_URL: undefined });
    const { handler } = await import('../../functions/verify/handler.js');
    await expect(handler(sqsEvent(['{}']), lambdaContext())).rejects.toThrow(/COPY_QUEUE_URL is not set/);
    expect(s3.calls()).toEqual([]);
  });
});
