import 'aws-sdk-client-mock-vitest/extend';
import { Readable } from 'node:stream';
import {
  CompareFacesCommand,
  ImageTooLargeException,
  InvalidParameterException,
  ProvisionedThroughputExceededException,
  RekognitionClient,
  ThrottlingException,
} from '@aws-sdk/client-rekognition';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeImage, encodeJpeg } from '../../core/image/decode.js';
import { cropRgb, faceRegion } from '../../core/teacher/cropRgb.js';
import { reservoirSample } from '../../core/teacher/sample.js';
import { TeacherFailureCode, type TeacherSource } from '../../core/teacher/types.js';
import type { RgbImage } from '../../core/types.js';
import { RekognitionTeacher } from '../../teacher/RekognitionTeacher.js';
import { fitForRekognition, RekognitionLimits, sniffFormat } from '../../teacher/rekognitionImage.js';
import { listS3Photos, parseS3Url } from '../../teacher/s3Photos.js';
import { seededRng } from '../helpers/random.js';

const rekognition = mockClient(RekognitionClient);
const s3 = mockClient(S3Client);

/** Random pixels: JPEG compresses them badly, which is how a test gets a large file cheaply. */
const noise = (width: number, height: number, seed = 1): RgbImage => {
  const rng = seededRng(seed);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rng() * 256);
  return { data, width, height };
};

const smallJpeg = async (): Promise<Uint8Array> => (await encodeJpeg(noise(160, 120), { quality: 80 })).jpeg;

/** getS3Bytes only iterates the body, so a plain Node stream stands in for the SDK's. */
const bodyOf = (bytes: Uint8Array) =>
  Readable.from([Buffer.from(bytes)]) as unknown as GetObjectCommandOutput['Body'];

const noWait = vi.fn(async (_ms: number) => undefined);
const teacherWith = (extra: ConstructorParameters<typeof RekognitionTeacher>[0] = {}) =>
  new RekognitionTeacher({
    client: new RekognitionClient({ region: 'eu-west-1' }),
    s3: new S3Client({ region: 'eu-west-1' }),
    sleep: noWait,
    random: () => 1,
    ...extra,
  });

let jpeg: Uint8Array;
let source: TeacherSource;

beforeEach(async () => {
  rekognition.reset();
  s3.reset();
  noWait.mockClear();
  jpeg = await smallJpeg();
  source = { image: { kind: 'bytes', bytes: jpeg } };
});

afterEach(() => {
  rekognition.reset();
  s3.reset();
});

describe('RekognitionTeacher request and response', () => {
  it('asks for every face with its similarity and converts boxes to the target pixels', async () => {
    rekognition.on(CompareFacesCommand).resolves({
      FaceMatches: [
        {
          Similarity: 98.5,
          Face: { BoundingBox: { Left: 0.1, Top: 0.2, Width: 0.25, Height: 0.5 }, Confidence: 99.9 },
        },
        { Similarity: 3.25, Face: { BoundingBox: { Left: 0.6, Top: 0.1, Width: 0.2, Height: 0.4 } } },
      ],
      UnmatchedFaces: [{ BoundingBox: { Left: 0.9, Top: 0.5, Width: 0.05, Height: 0.1 } }],
    });
    const result = await teacherWith().compareFaces(source, {
      image: { kind: 'bytes', bytes: jpeg },
      width: 2000,
      height: 1000,
    });
    expect(rekognition).toHaveReceivedCommandWith(CompareFacesCommand, {
      SimilarityThreshold: 0,
      QualityFilter: 'NONE',
      SourceImage: { Bytes: jpeg },
      TargetImage: { Bytes: jpeg },
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [a, b, c] = result.comparison.faces;
    expect(a!.similarity).toBe(98.5);
    expect(a!.confidence).toBe(99.9);
    expect(a!.box.x1).toBeCloseTo(200);
    expect(a!.box.y1).toBeCloseTo(200);
    expect(a!.box.x2).toBeCloseTo(700);
    expect(a!.box.y2).toBeCloseTo(700);
    expect(b!.similarity).toBe(3.25);
    expect(c!.similarity).toBeUndefined();
    expect(c!.box.x1).toBeCloseTo(1800);
    expect(result.comparison.attempts).toBe(1);
  });

  it('lets Rekognition read a JPEG in S3 itself', async () => {
    rekognition.on(CompareFacesCommand).resolves({ FaceMatches: [] });
    const result = await teacherWith().compareFaces(source, {
      image: { kind: 's3', bucket: 'photos', key: 'trip/a.JPG', size: 8_000_000 },
      width: 10,
      height: 10,
    });
    expect(result.ok).toBe(true);
    expect(rekognition).toHaveReceivedCommandWith(CompareFacesCommand, {
      TargetImage: { S3Object: { Bucket: 'photos', Name: 'trip/a.JPG' } },
    });
    expect(s3).not.toHaveReceivedAnyCommand();
  });

  it('downloads and re-encodes an S3 object Rekognition refuses as too large', async () => {
    rekognition
      .on(CompareFacesCommand)
      .rejectsOnce(new ImageTooLargeException({ $metadata: {}, message: 'Image size is too large.' }))
      .resolves({ FaceMatches: [] });
    s3.on(GetObjectCommand).resolves({ Body: bodyOf(jpeg), ContentLength: jpeg.byteLength });
    const result = await teacherWith().compareFaces(source, {
      image: { kind: 's3', bucket: 'photos', key: 'a.jpg' },
      width: 160,
      height: 120,
    });
    expect(result.ok).toBe(true);
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: 'photos', Key: 'a.jpg' });
    expect(rekognition).toHaveReceivedCommandTimes(CompareFacesCommand, 2);
    expect(rekognition).toHaveReceivedNthCommandWith(CompareFacesCommand, 2, {
      TargetImage: { Bytes: jpeg },
    });
  });

  it('downloads an S3 object in a format Rekognition cannot read', async () => {
    const webpLike = new Uint8Array([0x52, 0x49, 0x46, 0x46]);
    s3.on(GetObjectCommand).resolves({ Body: bodyOf(webpLike) });
    rekognition.on(CompareFacesCommand).resolves({});
    const result = await teacherWith().compareFaces(source, {
      image: { kind: 's3', bucket: 'photos', key: 'a.webp' },
      width: 10,
      height: 10,
    });
    // The bytes are not a real image: the re-encode fails and that is a typed failure, no call made.
    expect(s3).toHaveReceivedCommandOnce(GetObjectCommand);
    expect(rekognition).not.toHaveReceivedAnyCommand();
    expect(result).toMatchObject({ ok: false, failure: { code: TeacherFailureCode.InvalidImage } });
  });
});

describe('RekognitionTeacher throttling and failures', () => {
  it('retries throttling with backoff, then succeeds', async () => {
    rekognition
      .on(CompareFacesCommand)
      .rejectsOnce(new ProvisionedThroughputExceededException({ $metadata: {}, message: 'slow down' }))
      .rejectsOnce(new ThrottlingException({ $metadata: {}, message: 'Rate exceeded' }))
      .resolves({ FaceMatches: [] });
    const result = await teacherWith({ backoffBaseMs: 100 }).compareFaces(source, {
      image: { kind: 'bytes', bytes: jpeg },
      width: 10,
      height: 10,
    });
    expect(result).toEqual({ ok: true, comparison: { faces: [], attempts: 3 } });
    expect(rekognition).toHaveReceivedCommandTimes(CompareFacesCommand, 3);
    // Exponential: base, then twice the base (random() = 1 here).
    expect(noWait.mock.calls.map(([ms]) => ms)).toEqual([100, 200]);
  });

  it('gives up after its throttling retries with a typed failure', async () => {
    rekognition
      .on(CompareFacesCommand)
      .rejects(new ThrottlingException({ $metadata: {}, message: 'Rate exceeded' }));
    const result = await teacherWith({ throttleRetries: 2 }).compareFaces(source, {
      image: { kind: 'bytes', bytes: jpeg },
      width: 10,
      height: 10,
    });
    expect(result).toEqual({
      ok: false,
      failure: { code: TeacherFailureCode.Throttled, message: 'Rate exceeded', attempts: 3 },
    });
    expect(rekognition).toHaveReceivedCommandTimes(CompareFacesCommand, 3);
  });

  it('does not retry a request Rekognition calls invalid', async () => {
    rekognition
      .on(CompareFacesCommand)
      .rejects(new InvalidParameterException({ $metadata: {}, message: 'Request has invalid parameters' }));
    const result = await teacherWith().compareFaces(source, {
      image: { kind: 'bytes', bytes: jpeg },
      width: 10,
      height: 10,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failure.code).toBe(TeacherFailureCode.InvalidParameter);
    expect(result.failure.message).toMatch(/no face in the source/);
    expect(rekognition).toHaveReceivedCommandOnce(CompareFacesCommand);
    expect(noWait).not.toHaveBeenCalled();
  });
});

describe('images over the limits', () => {
  it('re-encodes an image over 5 MB below the limit before sending it', async () => {
    const big = (await encodeJpeg(noise(2600, 1800, 7), { quality: 100 })).jpeg;
    expect(big.byteLength).toBeGreaterThan(RekognitionLimits.maxBytes);
    rekognition.on(CompareFacesCommand).resolves({ FaceMatches: [] });
    const result = await teacherWith().compareFaces(source, {
      image: { kind: 'bytes', bytes: big },
      width: 2600,
      height: 1800,
    });
    expect(result.ok).toBe(true);
    const sent = rekognition.commandCalls(CompareFacesCommand)[0]!.args[0].input.TargetImage?.Bytes;
    expect(sent).toBeDefined();
    expect(sent!.byteLength).toBeLessThanOrEqual(RekognitionLimits.maxBytes);
    expect(sniffFormat(sent!)).toBe('jpeg');
    // Same aspect ratio, so Rekognition's fractions still map onto the original's pixels.
    const decoded = await decodeImage(sent!, { maxSide: 10_000, maxPixels: 1e8 });
    expect(decoded.originalWidth / decoded.originalHeight).toBeCloseTo(2600 / 1800, 2);
  }, 30_000);

  it('passes a JPEG within the limit through untouched and re-encodes other formats', async () => {
    expect((await fitForRekognition(jpeg)).reencoded).toBe(false);
    const pgm = new Uint8Array([...Buffer.from('P5\n4 4\n255\n'), ...new Uint8Array(16).fill(128)]);
    const fitted = await fitForRekognition(pgm);
    expect(fitted.reencoded).toBe(true);
    expect(sniffFormat(fitted.bytes)).toBe('jpeg');
  });

  it('crops the source to the reference face with some margin', async () => {
    const photo = (await encodeJpeg(noise(1200, 800, 3), { quality: 90 })).jpeg;
    rekognition.on(CompareFacesCommand).resolves({});
    const teacher = teacherWith();
    const withFace: TeacherSource = {
      image: { kind: 'bytes', bytes: photo },
      face: { x1: 500, y1: 300, x2: 700, y2: 500 },
    };
    await teacher.compareFaces(withFace, { image: { kind: 'bytes', bytes: jpeg }, width: 10, height: 10 });
    await teacher.compareFaces(withFace, { image: { kind: 'bytes', bytes: jpeg }, width: 10, height: 10 });
    const calls = rekognition.commandCalls(CompareFacesCommand);
    const sent = calls[0]!.args[0].input.SourceImage?.Bytes;
    const decoded = await decodeImage(sent!, { maxSide: 10_000, maxPixels: 1e8 });
    // 200 px face + 50 % on each side.
    expect([decoded.originalWidth, decoded.originalHeight]).toEqual([400, 400]);
    // Prepared once, reused for the next call.
    expect(calls[1]!.args[0].input.SourceImage?.Bytes).toBe(sent);
  });
});

describe('helpers', () => {
  it('cropRgb copies the right pixels', () => {
    const image = { data: new Uint8Array(4 * 3 * 3).map((_, i) => i), width: 4, height: 3 };
    const crop = cropRgb(image, { x1: 1, y1: 1, x2: 3, y2: 3 });
    expect(crop.width).toBe(2);
    expect(crop.height).toBe(2);
    expect([...crop.data.slice(0, 3)]).toEqual([15, 16, 17]);
    expect([...crop.data.slice(6, 9)]).toEqual([27, 28, 29]);
    expect(faceRegion({ x1: 10, y1: 10, x2: 30, y2: 50 }, 100, 100)).toEqual({
      x1: 0,
      y1: 0,
      x2: 40,
      y2: 70,
    });
  });

  it('parses s3 URLs and lists photos across pages', async () => {
    expect(parseS3Url('s3://bucket/a/b/')).toEqual({ bucket: 'bucket', prefix: 'a/b/' });
    expect(parseS3Url('s3://bucket')).toEqual({ bucket: 'bucket', prefix: '' });
    expect(() => parseS3Url('/local/dir')).toThrow(/s3:/);
    s3.on(ListObjectsV2Command)
      .resolvesOnce({
        Contents: [{ Key: 'p/a.jpg', Size: 10 }, { Key: 'p/notes.txt' }],
        IsTruncated: true,
        NextContinuationToken: 't1',
      })
      .resolvesOnce({ Contents: [{ Key: 'p/b.png', Size: 20 }] });
    const keys: string[] = [];
    for await (const p of listS3Photos(new S3Client({ region: 'eu-west-1' }), parseS3Url('s3://bucket/p/')))
      keys.push(p.key);
    expect(keys).toEqual(['p/a.jpg', 'p/b.png']);
    expect(s3).toHaveReceivedNthCommandWith(ListObjectsV2Command, 2, {
      ContinuationToken: 't1',
      Prefix: 'p/',
    });
  });

  it('samples the same photos for the same seed, each photo about equally often', async () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    expect(await reservoirSample(items, 5, 42)).toEqual(await reservoirSample(items, 5, 42));
    expect(await reservoirSample(items, 100, 1)).toEqual(items);
    const hits = new Array(50).fill(0);
    for (let seed = 1; seed <= 2000; seed++) for (const i of await reservoirSample(items, 5, seed)) hits[i]++;
    // Expected 200 each (2000 * 5 / 50).
    expect(Math.min(...hits)).toBeGreaterThan(140);
    expect(Math.max(...hits)).toBeLessThan(260);
  });
});
