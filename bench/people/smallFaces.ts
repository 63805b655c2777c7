/**
 * The development sets' faces made small: every face of a photo set is found again in its photo at
 * full size (matched to the people benchmark's cached face by embedding), then the whole photo is
 * shrunk so that face's box is `height` pixels tall and analysed again by the real engine
 * (detection, landmarks, both embedders), the face picked by box overlap. glint24's aligned crops
 * are shrunk to `height` x `height` and embedded at the template's five points (no detector: its
 * crops are too tight for one). What comes back is what the engine sees of a face that small in a
 * photo: fewer pixels through every stage, not a simulated embedding. Cached in .bench-data/people/.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { ARCFACE_SIZE, ARCFACE_TEMPLATE } from '../../core/align/arcfaceTemplate.js';
import { FaceEngine } from '../../core/FaceEngine.js';
import { type DecodedImage, decodeImage, resizeRgb } from '../../core/image/decode.js';
import type { FaceVectors } from '../../core/match/fusion.js';
import { dot } from '../../core/match/similarity.js';
import type { Box, Face, FivePoints, RgbImage } from '../../core/types.js';
import { asDecoded, padImage } from '../accuracy/images.js';
import type { BenchFace } from './benchFace.js';

/** One face at one size. */
export interface SizedFace {
  /** The BenchFace it is a smaller copy of. */
  key: string;
  /** Target box height in pixels; 0 = the face as it is in the dataset. */
  height: number;
  /** Whether the engine found the face again at this size. */
  found: boolean;
  vectors?: FaceVectors;
  /** Engine quality (detector score x landmark geometry); 1 for glint24. */
  quality: number;
  /** Box height of the face the engine found, in pixels of the photo it was given. */
  size: number;
  /** Box and five points of the face found, in pixels of the photo it was given (absent when not found). */
  box?: Box;
  points?: FivePoints;
}

export const SMALL_HEIGHTS = [24, 32, 48, 64] as const;
const CACHE_VERSION = 2;
const MIN_IOU = 0.3;
/** A re-analysed face is the cached one when their embeddings agree this closely. */
const SAME_FACE = 0.95;

const iou = (a: Box, b: Box): number => {
  const w = Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1));
  const h = Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
  const inter = w * h;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
};

const vectorsOf = (f: { embedding: Float32Array; descriptor?: Float32Array }): FaceVectors =>
  f.descriptor ? { embedding: f.embedding, descriptor: f.descriptor } : { embedding: f.embedding };

const sized = (key: string, height: number, f: Face | undefined): SizedFace =>
  f
    ? {
        key,
        height,
        found: true,
        vectors: vectorsOf(f),
        quality: f.quality,
        size: f.box.y2 - f.box.y1,
        box: f.box,
        points: f.points,
      }
    : { key, height, found: false, quality: 0, size: 0 };

const scaleBox = (b: Box, s: number): Box => ({ x1: b.x1 * s, y1: b.y1 * s, x2: b.x2 * s, y2: b.y2 * s });

const unpadFaces = (faces: readonly Face[], p: number): Face[] =>
  faces.map((f) => ({
    ...f,
    box: { x1: f.box.x1 - p, y1: f.box.y1 - p, x2: f.box.x2 - p, y2: f.box.y2 - p },
    points: f.points.map((q) => ({ x: q.x - p, y: q.y - p })) as unknown as FivePoints,
  }));

interface Work {
  engine: FaceEngine;
  limit: ReturnType<typeof pLimit>;
  heights: readonly number[];
}

/** Faces of one photo at full size; tight crops (bbt portraits) also padded by half the long side. */
const fullSizeFaces = async (w: Work, image: RgbImage, padded: boolean): Promise<Face[]> => {
  if (!padded) return (await w.engine.analyzeDecoded(asDecoded(image, 'bench'))).faces;
  const fed = padImage(image, 0.5);
  return unpadFaces(
    (await w.engine.analyzeDecoded(asDecoded(fed, 'bench'))).faces,
    (fed.width - image.width) / 2,
  );
};

/** The re-analysed face that is `bf` (same embedding), if any. */
const sameFace = (bf: BenchFace, faces: readonly Face[]): Face | undefined => {
  let best: Face | undefined;
  let bestCos = SAME_FACE;
  for (const f of faces) {
    const c = dot(f.embedding, bf.vectors.embedding);
    if (c > bestCos) {
      bestCos = c;
      best = f;
    }
  }
  return best;
};

/** One photo's cached faces, each at full size and at every smaller height. */
const photoSizes = async (w: Work, path: string, faces: readonly BenchFace[]): Promise<SizedFace[]> => {
  const bytes = new Uint8Array(await readFile(path));
  const decoded: DecodedImage = await decodeImage(bytes, {
    maxSide: w.engine.config.decode.analysisMaxSide,
    maxPixels: w.engine.config.decode.maxPixels,
  });
  const image = decoded.image;
  // Given as pixels at scale 1, the engine's boxes are in `image`'s pixels.
  let again = await fullSizeFaces(w, image, false);
  if (faces.some((bf) => !sameFace(bf, again))) again = [...again, ...(await fullSizeFaces(w, image, true))];
  const out: SizedFace[] = [];
  for (const bf of faces) {
    const best = sameFace(bf, again);
    if (!best) {
      out.push(sized(bf.key, 0, undefined));
      continue;
    }
    // The full-size record keeps the cached vectors (what every other benchmark uses) and adds the pose.
    out.push({ ...sized(bf.key, 0, best), vectors: bf.vectors });
    const box = best.box;
    const boxH = box.y2 - box.y1;
    for (const h of w.heights) {
      const s = h / boxH;
      if (s >= 0.9) continue;
      const small = await resizeRgb(
        image,
        Math.max(1, Math.round(image.width * s)),
        Math.max(1, Math.round(image.height * s)),
      );
      const target = scaleBox(box, small.width / image.width);
      const found = (await w.engine.analyzeDecoded(asDecoded(small, 'bench'))).faces;
      let pick: Face | undefined;
      let pickIou = MIN_IOU;
      for (const f of found) {
        const o = iou(f.box, target);
        if (o > pickIou) {
          pickIou = o;
          pick = f;
        }
      }
      out.push(sized(bf.key, h, pick));
    }
  }
  return out;
};

const TEMPLATE_AT = (side: number): FivePoints =>
  ARCFACE_TEMPLATE.map((p) => ({
    x: (p.x * side) / ARCFACE_SIZE,
    y: (p.y * side) / ARCFACE_SIZE,
  })) as unknown as FivePoints;

/** A glint24 crop shrunk to each height and embedded at the template's points. */
const glintSizes = async (w: Work, path: string, bf: BenchFace): Promise<SizedFace[]> => {
  const bytes = new Uint8Array(await readFile(path));
  const { image } = await decodeImage(bytes, { maxSide: ARCFACE_SIZE, maxPixels: 1e7 });
  const out: SizedFace[] = [
    {
      key: bf.key,
      height: 0,
      found: true,
      vectors: bf.vectors,
      quality: 1,
      size: ARCFACE_SIZE,
      box: { x1: 0, y1: 0, x2: ARCFACE_SIZE, y2: ARCFACE_SIZE },
      points: TEMPLATE_AT(ARCFACE_SIZE),
    },
  ];
  for (const h of w.heights) {
    if (h >= ARCFACE_SIZE * 0.9) continue;
    const small = await resizeRgb(image, h, h);
    const [v] = await w.engine.embedAt(asDecoded(small, 'bench'), [TEMPLATE_AT(h)]);
    out.push({
      key: bf.key,
      height: h,
      found: true,
      vectors: vectorsOf(v!),
      quality: 1,
      size: h,
      box: { x1: 0, y1: 0, x2: h, y2: h },
      points: TEMPLATE_AT(h),
    });
  }
  return out;
};

interface CacheHeader {
  version: number;
  key: string;
  embeddingDim: number;
  descriptorDim: number;
  faces: Omit<SizedFace, 'vectors'>[];
}

const cacheId = (
  modelSetId: string,
  embedMode: string,
  faces: readonly BenchFace[],
  heights: readonly number[],
): string => {
  const h = createHash('sha256').update(
    `${CACHE_VERSION}\n${modelSetId}\n${embedMode}\n${heights.join(',')}\n`,
  );
  for (const f of faces) h.update(`${f.key}\t${f.vectors.embedding[0]}\t${f.vectors.embedding[1]}\n`);
  return h.digest('hex').slice(0, 16);
};

const readCache = async (dir: string, name: string, key: string): Promise<SizedFace[] | null> => {
  try {
    const header = JSON.parse(await readFile(join(dir, `${name}.json`), 'utf8')) as CacheHeader;
    if (header.version !== CACHE_VERSION || header.key !== key) return null;
    const bytes = await readFile(join(dir, `${name}.${key}.f32`));
    const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const per = header.embeddingDim + header.descriptorDim;
    let o = 0;
    const out = header.faces.map((f) => {
      if (!f.found) return f;
      const embedding = all.slice(o, o + header.embeddingDim);
      const vectors: FaceVectors = header.descriptorDim
        ? { embedding, descriptor: all.slice(o + header.embeddingDim, o + per) }
        : { embedding };
      o += per;
      return { ...f, vectors };
    });
    return o === all.length ? out : null;
  } catch {
    return null;
  }
};

const writeCache = async (
  dir: string,
  name: string,
  key: string,
  faces: readonly SizedFace[],
): Promise<void> => {
  await mkdir(dir, { recursive: true });
  const found = faces.filter((f) => f.found && f.vectors);
  const embeddingDim = found[0]?.vectors?.embedding.length ?? 0;
  const descriptorDim =
    found.length && found.every((f) => f.vectors!.descriptor) ? found[0]!.vectors!.descriptor!.length : 0;
  const per = embeddingDim + descriptorDim;
  const all = new Float32Array(found.length * per);
  found.forEach((f, i) => {
    all.set(f.vectors!.embedding, i * per);
    if (descriptorDim) all.set(f.vectors!.descriptor!, i * per + embeddingDim);
  });
  const header: CacheHeader = {
    version: CACHE_VERSION,
    key,
    embeddingDim,
    descriptorDim,
    faces: faces.map(({ vectors, ...rest }) => ({ ...rest, found: rest.found && vectors !== undefined })),
  };
  const suffix = `.tmp-${process.pid}`;
  const data = join(dir, `${name}.${key}.f32`);
  const head = join(dir, `${name}.json`);
  await writeFile(data + suffix, new Uint8Array(all.buffer));
  await rename(data + suffix, data);
  await writeFile(head + suffix, JSON.stringify(header));
  await rename(head + suffix, head);
};

/**
 * Every face of `faces` (the people benchmark's library) at full size and at each of `heights`,
 * per set from the cache when it is current, else through the engine.
 */
export const smallFaces = async (o: {
  datasets: string;
  faces: readonly BenchFace[];
  modelSetId: string;
  embedMode: string;
  cacheDir: string;
  heights?: readonly number[];
  log: (msg: string) => void;
}): Promise<{ faces: SizedFace[]; cached: string[] }> => {
  const heights = o.heights ?? SMALL_HEIGHTS;
  const sets = [...new Set(o.faces.map((f) => f.set))];
  const out: SizedFace[] = [];
  const cached: string[] = [];
  let engine: FaceEngine | null = null;
  try {
    for (const set of sets) {
      const own = o.faces.filter((f) => f.set === set);
      const name = `small-${set}`;
      const key = cacheId(o.modelSetId, o.embedMode, own, heights);
      const hit = await readCache(o.cacheDir, name, key);
      if (hit) {
        out.push(...hit);
        cached.push(set);
        continue;
      }
      engine ??= await FaceEngine.create();
      const w: Work = { engine, limit: pLimit(2), heights };
      o.log(`making ${set}'s faces ${heights.join(', ')} px tall (cached afterwards in ${o.cacheDir})…`);
      const t0 = performance.now();
      const jobs: Promise<SizedFace[]>[] = [];
      if (set === 'glint24') {
        for (const f of own)
          jobs.push(w.limit(() => glintSizes(w, join(o.datasets, f.photo.replace(/#\d+$/, '')), f)));
      } else {
        const byPhoto = new Map<string, BenchFace[]>();
        for (const f of own) byPhoto.set(f.photo, [...(byPhoto.get(f.photo) ?? []), f]);
        for (const [photo, list] of byPhoto)
          jobs.push(w.limit(() => photoSizes(w, join(o.datasets, photo), list)));
      }
      let done = 0;
      const results = await Promise.all(
        jobs.map((j) =>
          j.then((r) => {
            if (++done % 100 === 0) o.log(`  ${set}: ${done}/${jobs.length}`);
            return r;
          }),
        ),
      );
      const setFaces = results.flat();
      o.log(`  ${set}: ${setFaces.length} records in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      await writeCache(o.cacheDir, name, key, setFaces);
      out.push(...setFaces);
    }
  } finally {
    await engine?.close();
  }
  return { faces: out, cached };
};
