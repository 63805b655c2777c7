/**
 * One vector whose dot product is a weighted sum of per-model cosines: the concatenation of each
 * L2-normalised part scaled by the square root of its weight, so
 * dot(fuse(a), fuse(b)) = sum of w_i * cos(a_i, b_i). Weights summing to 1 keep it unit length and
 * the similarity a weighted mean. This is how the clustering, which works on dot products (its
 * average linkage is exact from vector sums), can use a fused similarity.
 */
export const fuseEmbeddings = (parts: readonly { vector: Float32Array; weight: number }[]): Float32Array => {
  let dim = 0;
  for (const p of parts) {
    if (!(Number.isFinite(p.weight) && p.weight >= 0)) throw new RangeError(`weight ${p.weight} is not >= 0`);
    dim += p.vector.length;
  }
  const out = new Float32Array(dim);
  let o = 0;
  for (const p of parts) {
    const k = Math.sqrt(p.weight);
    for (let i = 0; i < p.vector.length; i++) out[o + i] = k * p.vector[i]!;
    o += p.vector.length;
  }
  return out;
};
