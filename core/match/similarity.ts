/** In-place L2 normalisation; returns the original norm (0 for a zero vector, left as is). */
export const l2Normalize = (v: Float32Array): number => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const norm = Math.sqrt(s);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return norm;
};

export const dot = (a: Float32Array, b: Float32Array): number => {
  if (a.length !== b.length) throw new RangeError(`embedding lengths differ: ${a.length} vs ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

/** Cosine similarity of two L2-normalised embeddings. */
export const cosine = dot;
