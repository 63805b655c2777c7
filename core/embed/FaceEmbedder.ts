import type { Affine } from '../align/affine.js';
import { warpToTensor } from '../align/sample.js';
import { ModelError } from '../errors.js';
import type { ModelEntry } from '../models/manifest.js';
import type { ModelSession } from '../runtime/session.js';
import type { RgbImage } from '../types.js';

/**
 * One identity model behind one small interface: square crops in (each a crop → image map into
 * the model's size x size input), one raw vector per crop out. Alignment (which crop) and what to
 * do with the vectors (normalise, flip-average, fuse) live outside, so every embedder is the same
 * few lines around its session.
 */
export interface FaceEmbedder {
  /** Side of the model's square input crop, in pixels. */
  readonly size: number;
  /** Raw (unnormalised) output vector for each crop; batched `batch` crops per model call. */
  run(image: RgbImage, crops: readonly Affine[]): Promise<Float32Array[]>;
  release(): Promise<void>;
}

/** A channels-first single-output model described by its manifest entry. */
export const createFaceEmbedder = (
  session: ModelSession,
  entry: ModelEntry,
  role: string,
  batch: number,
): FaceEmbedder => {
  const [, channels, height, width] = entry.inputShape.map(Number);
  if (channels !== 3 || !height || height !== width)
    throw new ModelError(
      `${role} model: expected a square RGB input, manifest says [${entry.inputShape.join(', ')}]`,
    );
  const size = height;
  const output = entry.outputNames[0];
  if (!output) throw new ModelError(`${role} model: manifest lists no output`);
  const target = {
    width: size,
    height: size,
    colour: entry.preprocess.colour,
    mean: entry.preprocess.mean,
    std: entry.preprocess.std,
  };
  const plane = 3 * size * size;
  return {
    size,
    run: async (image, crops) => {
      const result: Float32Array[] = [];
      for (let start = 0; start < crops.length; start += batch) {
        const part = crops.slice(start, start + batch);
        const input = new Float32Array(part.length * plane);
        part.forEach((crop, i) => {
          warpToTensor(image, crop, target, input, i * plane);
        });
        const out = await session.run({
          [entry.inputName]: { data: input, dims: [part.length, 3, size, size] },
        });
        const t = out[output];
        if (!t) throw new ModelError(`${role} model returned no "${output}" output`);
        const dim = t.dims[1]!;
        // Copy out of the session's buffer: it may be reused by the next call.
        for (let i = 0; i < part.length; i++) result.push(t.data.slice(i * dim, (i + 1) * dim));
      }
      return result;
    },
    release: () => session.release(),
  };
};
