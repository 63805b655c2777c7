/**
 * The engine behind a two-lane limiter with an in-memory cache, so a photo is analysed once per
 * run however many sections look at it.
 */
import { readFile } from 'node:fs/promises';
import pLimit from 'p-limit';
import { ImageError, ImageErrorCode } from '../../core/errors.js';
import type { FaceEngine } from '../../core/FaceEngine.js';
import { decodeImage } from '../../core/image/decode.js';
import type { ImageAnalysis, RgbImage } from '../../core/types.js';
import { asDecoded, decodePgm, padImage, sha256 } from './images.js';

/** How a photo is fed to the engine: as its bytes, or as decoded pixels padded by a fraction. */
export type Variant = 'raw' | `pad${number}`;

export interface AnalysedPhoto {
  path: string;
  sha256: string;
  analysis: ImageAnalysis;
  ms: number;
}

export class Analyzer {
  readonly #engine: FaceEngine;
  readonly #limit: ReturnType<typeof pLimit>;
  readonly #analyses = new Map<string, Promise<AnalysedPhoto>>();
  readonly #aligned = new Map<string, Promise<Float32Array>>();
  /** Engine milliseconds spent, summed over lanes. */
  engineMs = 0;
  calls = 0;
  /** PGM files the engine refused and the bench decoded itself. */
  pgmFallbacks = 0;

  constructor(engine: FaceEngine, concurrency = 2) {
    this.#engine = engine;
    this.#limit = pLimit(concurrency);
  }

  /**
   * Analyses a photo. `raw` goes through `engine.analyze(bytes)` (the product's path); a PGM the
   * engine refuses is decoded here and given to `analyzeDecoded`. A `padN` variant decodes, pads by
   * N of the long side (edge pixels repeated) and analyses the pixels.
   */
  analyze(path: string, variant: Variant = 'raw'): Promise<AnalysedPhoto> {
    const key = `${variant}|${path}`;
    let p = this.#analyses.get(key);
    if (!p) {
      p = this.#limit(async () => {
        const bytes = new Uint8Array(await readFile(path));
        const t0 = performance.now();
        const isPgm = path.toLowerCase().endsWith('.pgm');
        const fraction = variant === 'raw' ? 0 : Number(variant.slice(3));
        let analysis: ImageAnalysis;
        if (fraction === 0) {
          try {
            analysis = await this.#engine.analyze(bytes);
          } catch (error) {
            // Older engines cannot read PGM: decode it here and hand over the pixels.
            if (!(isPgm && error instanceof ImageError && error.code === ImageErrorCode.Unsupported))
              throw error;
            this.pgmFallbacks++;
            analysis = await this.#engine.analyzeDecoded(asDecoded(decodePgm(bytes), 'pgm'));
          }
        } else {
          let image: RgbImage;
          try {
            image = (
              await decodeImage(bytes, {
                maxSide: this.#engine.config.decode.analysisMaxSide,
                maxPixels: this.#engine.config.decode.maxPixels,
              })
            ).image;
          } catch (error) {
            if (!(isPgm && error instanceof ImageError && error.code === ImageErrorCode.Unsupported))
              throw error;
            this.pgmFallbacks++;
            image = decodePgm(bytes);
          }
          const fed = padImage(image, fraction);
          analysis = unpad(
            await this.#engine.analyzeDecoded(asDecoded(fed, 'padded')),
            fed.width - image.width,
          );
        }
        const ms = performance.now() - t0;
        this.engineMs += ms;
        this.calls++;
        return { path, sha256: sha256(bytes), analysis, ms };
      });
      this.#analyses.set(key, p);
    }
    return p;
  }

  /** Embeds an image already aligned to the ArcFace template. */
  embedAligned(path: string): Promise<Float32Array> {
    let p = this.#aligned.get(path);
    if (!p) {
      p = this.#limit(async () => {
        const bytes = new Uint8Array(await readFile(path));
        const t0 = performance.now();
        const e = await this.#engine.embedAligned(bytes);
        this.engineMs += performance.now() - t0;
        this.calls++;
        return e;
      });
      this.#aligned.set(path, p);
    }
    return p;
  }
}

/** Moves boxes and points of a padded analysis back into the unpadded photo's coordinates. */
const unpad = (a: ImageAnalysis, padTotal: number): ImageAnalysis => {
  const p = padTotal / 2;
  return {
    ...a,
    width: a.width - padTotal,
    height: a.height - padTotal,
    faces: a.faces.map((f) => ({
      ...f,
      box: { x1: f.box.x1 - p, y1: f.box.y1 - p, x2: f.box.x2 - p, y2: f.box.y2 - p },
      points: f.points.map((q) => ({ x: q.x - p, y: q.y - p })) as unknown as typeof f.points,
    })),
  };
};
