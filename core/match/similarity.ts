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

/** L2-normalised mean of vectors of one length: a set of references' template direction. */
export const meanDirection = (vectors: readonly Float32Array[]): Float32Array => {
  const first = vectors[0];
  if (!first) throw new RangeError('meanDirection needs at least one vector');
  const m = new Float32Array(first.length);
  for (const v of vectors) {
    if (v.length !== m.length) throw new RangeError(`vector lengths differ: ${v.length} vs ${m.length}`);
    for (let i = 0; i < m.length; i++) m[i]! += v[i]!;
  }
  l2Normalize(m);
  return m;
};
