/**
 * Fitting the fusion: map a score onto the first embedder's scale by matching the upper tail of
 * the impostor scores (where thresholds live), and combine the two models with a weight.
 */
import type { FusionWeights } from '../../core/match/fusion.js';
import type { ComponentPairs } from './identityProtocols.js';

/** The false-accept rates whose thresholds the tail map lines up. */
export const TAIL_FARS = [1e-2, 3e-3, 1e-3, 3e-4, 1e-4] as const;

/** The score exceeded by a fraction `far` of the values (sorted descending). */
const above = (desc: Float32Array, far: number): number =>
  desc[Math.min(desc.length - 1, Math.floor(far * desc.length))]!;

const impostorsDesc = (x: Float32Array, same: Uint8Array): Float32Array => {
  const out: number[] = [];
  for (let i = 0; i < x.length; i++) if (same[i] === 0) out.push(x[i]!);
  return Float32Array.from(out).sort().reverse();
};

/** The impostor scores' values at TAIL_FARS (the score a fraction `far` of impostors reach). */
export const impostorTail = (x: Float32Array, same: Uint8Array): number[] => {
  const xs = impostorsDesc(x, same);
  return TAIL_FARS.map((f) => above(xs, f));
};

export interface TailMap {
  scale: number;
  offset: number;
  /** Impostor quantiles of the target and of the mapped source at TAIL_FARS. */
  target: number[];
  mapped: number[];
}

/**
 * Affine map y = scale * x + offset putting x's impostor quantiles at TAIL_FARS onto target's
 * (least squares over the quantile pairs).
 */
export const fitTailMap = (x: Float32Array, target: Float32Array, same: Uint8Array): TailMap => {
  const qx = impostorTail(x, same);
  const qy = impostorTail(target, same);
  const n = qx.length;
  const mx = qx.reduce((s, v) => s + v, 0) / n;
  const my = qy.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (qx[i]! - mx) * (qy[i]! - my);
    sxx += (qx[i]! - mx) ** 2;
  }
  const scale = sxx > 0 ? sxy / sxx : 1;
  const offset = my - scale * mx;
  return { scale, offset, target: qy, mapped: qx.map((v) => scale * v + offset) };
};

/** The second model alone on the first one's scale. */
export const fitDescriptorAlone = (pairs: ComponentPairs): FusionWeights => {
  const m = fitTailMap(pairs.b, pairs.a, pairs.same);
  return { embeddingWeight: 0, descriptorWeight: m.scale, offset: m.offset };
};

/**
 * Weight `w` of the descriptor (0 = first embedder only, 1 = descriptor only), each model first
 * tail-mapped onto the first embedder's scale, then the blend tail-mapped again so its impostor
 * tail matches the first embedder's: returns the folded affine weights.
 */
export const fitFusion = (pairs: ComponentPairs, w: number): FusionWeights => {
  const bMap = fitTailMap(pairs.b, pairs.a, pairs.same);
  const blend = new Float32Array(pairs.a.length);
  for (let i = 0; i < blend.length; i++)
    blend[i] = (1 - w) * pairs.a[i]! + w * (bMap.scale * pairs.b[i]! + bMap.offset);
  const m = fitTailMap(blend, pairs.a, pairs.same);
  return {
    embeddingWeight: m.scale * (1 - w),
    descriptorWeight: m.scale * w * bMap.scale,
    offset: m.scale * w * bMap.offset + m.offset,
  };
};
