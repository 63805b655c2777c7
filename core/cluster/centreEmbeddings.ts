/**
 * Subtracts the vectors' mean and L2-normalises each again. Some embedders (face-api's 128-d
 * descriptor) put every face in a narrow cone: different people score 0.83-0.86 on average and
 * the same person 0.94-0.98 on the development sets, so their cosine cannot be weighted against
 * an embedding whose different-person cosines sit near 0. Centred, both scales agree and
 * `fuseEmbeddings` can combine them. The mean should come from many faces (a whole library).
 */
export const centreEmbeddings = (vectors: readonly Float32Array[]): Float32Array[] => {
  if (vectors.length === 0) return [];
  const dim = vectors[0]!.length;
  const mean = new Float64Array(dim);
  for (const v of vectors) {
    if (v.length !== dim) throw new RangeError(`vector lengths differ: ${v.length} vs ${dim}`);
    for (let i = 0; i < dim; i++) mean[i]! += v[i]!;
  }
  for (let i = 0; i < dim; i++) mean[i]! /= vectors.length;
  return vectors.map((v) => {
    const out = new Float32Array(dim);
    let q = 0;
    for (let i = 0; i < dim; i++) {
      out[i] = v[i]! - mean[i]!;
      q += out[i]! * out[i]!;
    }
    const norm = Math.sqrt(q);
    if (norm > 0) for (let i = 0; i < dim; i++) out[i]! /= norm;
    return out;
  });
};
