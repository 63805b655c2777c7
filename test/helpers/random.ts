/** Seeded pseudo-random numbers for reproducible synthetic data. */
import { seededRng } from '../../core/util/seededRng.js';

export { seededRng };
export type Rng = () => number;

/** Standard normal sample (Box-Muller). */
export const gaussian = (rng: Rng): number => {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
};

const normalise = (v: Float32Array): Float32Array => {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s);
  for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
};

/** A uniformly distributed random unit vector (like an L2-normalised embedding). */
export const randomUnitVector = (rng: Rng, dim = 512): Float32Array => {
  const v = new Float32Array(dim);
  for (let i = 0; i < dim; i++) v[i] = gaussian(rng);
  return normalise(v);
};

/**
 * A unit vector near `base`: normalise(base + spread * random unit). With high dimension the
 * random part is almost orthogonal to `base`, so the cosine to `base` is about 1 / sqrt(1 + spread²).
 */
export const nearbyUnitVector = (rng: Rng, base: Float32Array, spread: number): Float32Array => {
  const noise = randomUnitVector(rng, base.length);
  const v = new Float32Array(base.length);
  for (let i = 0; i < v.length; i++) v[i] = base[i]! + spread * noise[i]!;
  return normalise(v);
};

/** A unit vector at cosine about `k` to the unit vector `base`: normalise(k * base + sqrt(1 - k²) * random unit). */
export const unitNear = (rng: Rng, base: Float32Array, k: number): Float32Array => {
  const z = randomUnitVector(rng, base.length);
  return normalise(base.map((x, i) => k * x + Math.sqrt(1 - k * k) * z[i]!));
};
