import { ConfigError } from '../errors.js';

/** mulberry32: small, seedable, good enough to pick a sample. */
const rng = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/**
 * A uniform random sample of `n` items in one pass (reservoir sampling), so a listing of millions
 * of photos never has to be held. Same items in the same order and the same seed give the same
 * sample; it comes back in listing order.
 */
export const reservoirSample = async <T>(
  items: AsyncIterable<T> | Iterable<T>,
  n: number,
  seed: number,
): Promise<T[]> => {
  if (!Number.isInteger(n) || n < 1)
    throw new ConfigError(`sample size must be a positive integer (got ${n})`);
  const random = rng(seed);
  const kept: { i: number; item: T }[] = [];
  let i = 0;
  for await (const item of items) {
    if (kept.length < n) kept.push({ i, item });
    else {
      const j = Math.floor(random() * (i + 1));
      if (j < n) kept[j] = { i, item };
    }
    i++;
  }
  return kept.sort((a, b) => a.i - b.i).map((k) => k.item);
};
