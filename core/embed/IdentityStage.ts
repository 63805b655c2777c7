import type { Affine } from '../align/affine.js';
import { arcfaceCrop, type DescriptorFraming, descriptorCrop, mirrorCrop } from '../align/descriptorCrop.js';
import { EmbedMode, type EngineConfig, FlipMode } from '../config.js';
import { l2Normalize } from '../match/similarity.js';
import type { FivePoints, RgbImage } from '../types.js';
import type { FaceEmbedder } from './FaceEmbedder.js';

/** What the identity models say about one face; both vectors L2-normalised. */
export interface FaceIdentity {
  /** 512-d embedding (first embedder). */
  embedding: Float32Array;
  /** 128-d face-api descriptor (second embedder); absent in fast mode. */
  descriptor?: Float32Array;
}

export interface PickedIdentity {
  /** Index of the chosen candidate among the face's candidates. */
  pick: number;
  identity: FaceIdentity;
}

/** Sum of two raw vectors (a crop and its mirror), before normalising. */
const sum = (a: Float32Array, b: Float32Array): Float32Array => {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! + b[i]!;
  return out;
};

const norm = (v: Float32Array): number => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
};

/**
 * The embedding stage: aligns each face for each identity model, runs them, applies the
 * test-time flip where configured and normalises. The first embedder also arbitrates between a
 * face's roll candidates (its largest raw norm wins); the descriptor and mirrored crops are only
 * computed for the winner.
 */
export class IdentityStage {
  readonly #primary: FaceEmbedder;
  readonly #descriptor: FaceEmbedder | undefined;
  readonly #flipEmbedding: boolean;
  readonly #flipDescriptor: boolean;
  readonly #framing: DescriptorFraming;
  readonly #zoom: number;

  constructor(primary: FaceEmbedder, descriptor: FaceEmbedder | undefined, config: EngineConfig['embed']) {
    this.#primary = primary;
    this.#descriptor = config.mode === EmbedMode.Fused ? descriptor : undefined;
    this.#flipEmbedding = config.flip === FlipMode.Embedding || config.flip === FlipMode.Both;
    this.#flipDescriptor = config.flip === FlipMode.Descriptor || config.flip === FlipMode.Both;
    this.#framing = config.descriptorFraming;
    this.#zoom = config.descriptorZoom;
  }

  /** For each face, its candidate point sets (roll alternatives, at least one each). */
  async embedBest(
    image: RgbImage,
    candidates: readonly (readonly FivePoints[])[],
  ): Promise<PickedIdentity[]> {
    const flat = candidates.flat();
    const raw = await this.#primary.run(image, flat.map(arcfaceCrop));
    const picks: number[] = [];
    const chosen: FivePoints[] = [];
    const chosenRaw: Float32Array[] = [];
    let k = 0;
    for (const alts of candidates) {
      let best = 0;
      for (let j = 1; j < alts.length; j++) if (norm(raw[k + j]!) > norm(raw[k + best]!)) best = j;
      picks.push(best);
      chosen.push(alts[best]!);
      chosenRaw.push(raw[k + best]!);
      k += alts.length;
    }
    const identities = await this.#finish(image, chosen, chosenRaw);
    return identities.map((identity, i) => ({ pick: picks[i]!, identity }));
  }

  /** One face per point set, no roll arbitration (e.g. crops already aligned); `descriptor: false` skips it. */
  async embedPoints(
    image: RgbImage,
    points: readonly FivePoints[],
    descriptor = true,
  ): Promise<FaceIdentity[]> {
    return this.#finish(image, points, await this.#primary.run(image, points.map(arcfaceCrop)), descriptor);
  }

  async release(): Promise<void> {
    await Promise.all([this.#primary.release(), this.#descriptor?.release()]);
  }

  async #finish(
    image: RgbImage,
    points: readonly FivePoints[],
    primaryRaw: readonly Float32Array[],
    withDescriptor = true,
  ): Promise<FaceIdentity[]> {
    if (points.length === 0) return [];
    const mirrored = this.#flipEmbedding
      ? await this.#primary.run(
          image,
          points.map((p) => mirrorCrop(arcfaceCrop(p), this.#primary.size)),
        )
      : [];
    let descriptors: Float32Array[] = [];
    const d = withDescriptor ? this.#descriptor : undefined;
    if (d) {
      const crops: Affine[] = points.map((p) => descriptorCrop(p, this.#framing, this.#zoom));
      const out = await d.run(
        image,
        this.#flipDescriptor ? [...crops, ...crops.map((c) => mirrorCrop(c, d.size))] : crops,
      );
      descriptors = this.#flipDescriptor ? crops.map((_, i) => sum(out[i]!, out[i + crops.length]!)) : out;
      for (const v of descriptors) l2Normalize(v);
    }
    return points.map((_, i) => {
      const embedding = this.#flipEmbedding ? sum(primaryRaw[i]!, mirrored[i]!) : primaryRaw[i]!.slice();
      l2Normalize(embedding);
      return d ? { embedding, descriptor: descriptors[i]! } : { embedding };
    });
  }
}
