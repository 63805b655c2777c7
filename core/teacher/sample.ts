import { ConfigError } from '../errors.js';
import { seededRng } from '../util/seededRng.js';

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
  const random = seededRng(seed);
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
