import pLimit from 'p-limit';
import { MespotterError } from '../../core/errors.js';
import { decodeImage, encodeJpeg } from '../../core/image/decode.js';
import { type Gallery, scoreFace } from '../../core/match/gallery.js';
import type { PhotoAnalyzer } from '../../core/runtime/PhotoAnalyzer.js';
import { type BenchmarkPhoto, disagreementsOf } from '../../core/teacher/benchmark.js';
import { labelFaces } from '../../core/teacher/labels.js';
import { TokenBucket } from '../../core/teacher/TokenBucket.js';
import type { Teacher, TeacherImage, TeacherSource } from '../../core/teacher/types.js';
import type { ImageAnalysis } from '../../core/types.js';
import type { ProgressSink } from '../progress.js';

/** A sampled photo: where it is, how to read it, and how the teacher should see it. */
export interface PhotoRef {
  path: string;
  read(): Promise<Uint8Array>;
  teacherImage(bytes: Uint8Array): TeacherImage;
}

export interface Thumb {
  dataUri: string;
  width: number;
  height: number;
}

export interface BenchmarkRunOptions {
  engine: PhotoAnalyzer;
  /** How photos are analysed (through the library when one was named); default: the engine. */
  analyse?: (bytes: Uint8Array) => Promise<{ analysis: ImageAnalysis }>;
  gallery: Gallery;
  threshold: number;
  teacher: Teacher;
  source: TeacherSource;
  photos: readonly PhotoRef[];
  teacherThreshold: number;
  minIou?: number;
  ratePerSecond: number;
  lanes: number;
  progress: ProgressSink;
  /** Keep thumbnails of photos with disagreements, for the HTML page. */
  thumbnails: boolean;
  maxThumbnails?: number;
}

const THUMB_SIDE = 480;
const DEFAULT_MAX_THUMBNAILS = 200;

export const thumbnailOf = async (bytes: Uint8Array, maxPixels: number): Promise<Thumb | undefined> => {
  try {
    const { image } = await decodeImage(bytes, { maxSide: THUMB_SIDE, maxPixels });
    const { jpeg, width, height } = await encodeJpeg(image, { quality: 75 });
    return { dataUri: `data:image/jpeg;base64,${jpeg.toString('base64')}`, width, height };
  } catch {
    return undefined;
  }
};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs our engine and the teacher on every sampled photo (each photo is one teacher call, even
 * one where we found no face: the teacher may find the person we missed) and labels our faces.
 */
export const runTeacherBenchmark = async (
  o: BenchmarkRunOptions,
): Promise<{ photos: BenchmarkPhoto[]; thumbnails: Map<string, Thumb> }> => {
  const bucket = new TokenBucket(o.ratePerSecond);
  const limit = pLimit(o.lanes);
  const thumbnails = new Map<string, Thumb>();
  const maxThumbs = o.maxThumbnails ?? DEFAULT_MAX_THUMBNAILS;
  let done = 0;
  let matched = 0;
  o.progress.start(o.photos.length);
  const photos = await Promise.all(
    o.photos.map((ref) =>
      limit(async (): Promise<BenchmarkPhoto> => {
        const photo = await benchmarkOne(o, ref, bucket, thumbnails, maxThumbs);
        if (photo.faces.some((f) => f.label === 'match')) matched++;
        o.progress.update(++done, matched);
        return photo;
      }),
    ),
  );
  o.progress.stop();
  return { photos, thumbnails };
};

const benchmarkOne = async (
  o: BenchmarkRunOptions,
  ref: PhotoRef,
  bucket: TokenBucket,
  thumbnails: Map<string, Thumb>,
  maxThumbs: number,
): Promise<BenchmarkPhoto> => {
  let bytes: Uint8Array;
  let analysis: ImageAnalysis;
  try {
    bytes = await ref.read();
    analysis = o.analyse ? (await o.analyse(bytes)).analysis : await o.engine.analyze(bytes);
  } catch (error) {
    return {
      path: ref.path,
      status: 'error',
      faces: [],
      teacherOnly: [],
      failure: {
        code: error instanceof MespotterError ? error.code : 'internal_error',
        message: (error as Error).message,
      },
    };
  }
  const scored = analysis.faces.map((f) => ({ box: f.box, score: scoreFace(o.gallery, f.embedding) }));
  const base = { path: ref.path, width: analysis.width, height: analysis.height };
  const wait = bucket.reserve();
  if (wait) await sleep(wait);
  const result = await o.teacher.compareFaces(o.source, {
    image: ref.teacherImage(bytes),
    width: analysis.width,
    height: analysis.height,
  });
  if (!result.ok) {
    return {
      ...base,
      status: 'failed',
      faces: scored.map((f, index) => ({ index, ...f, label: 'unpaired' as const })),
      teacherOnly: [],
      failure: { code: result.failure.code, message: result.failure.message },
    };
  }
  const labels = labelFaces(scored, result.comparison.faces, {
    teacherThreshold: o.teacherThreshold,
    ...(o.minIou !== undefined ? { minIou: o.minIou } : {}),
  });
  const photo: BenchmarkPhoto = { ...base, status: 'compared', ...labels };
  if (o.thumbnails && thumbnails.size < maxThumbs && disagreementsOf(photo, o.threshold).length > 0) {
    const thumb = await thumbnailOf(bytes, o.engine.config.decode.maxPixels);
    if (thumb && thumbnails.size < maxThumbs) thumbnails.set(ref.path, thumb);
  }
  return photo;
};
