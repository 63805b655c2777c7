/**
 * A k-nearest-neighbour graph over packed vectors: row i holds up to k other rows with their
 * similarity, only those at or above a floor. Filled by offering pairs; a row keeps its k best.
 */
export interface NeighbourGraph {
  readonly n: number;
  readonly k: number;
  /** n * k neighbour indices, -1 where a row has fewer than k. */
  readonly index: Int32Array;
  readonly similarity: Float32Array;
  /** Neighbours held by each row. */
  readonly count: Int32Array;
  /** Weakest similarity of each full row (-Infinity until full): most offers stop at this check. */
  readonly weakest: Float32Array;
}

export const createNeighbourGraph = (n: number, k: number): NeighbourGraph => ({
  n,
  k,
  index: new Int32Array(n * k).fill(-1),
  similarity: new Float32Array(n * k),
  count: new Int32Array(n),
  weakest: new Float32Array(n).fill(Number.NEGATIVE_INFINITY),
});

/**
 * Offers j as a neighbour of i. A full row replaces its weakest entry when s beats it (ties keep
 * the lower index, so the graph does not depend on the order pairs are offered in). The same pair
 * may be offered twice (overlapping index leaves): it is held once.
 */
export const offerNeighbour = (g: NeighbourGraph, i: number, j: number, s: number): void => {
  // Compared as stored, so a tie is a tie.
  s = Math.fround(s);
  if (s < g.weakest[i]!) return;
  const k = g.k;
  const base = i * k;
  const c = g.count[i]!;
  const idx = g.index;
  const sim = g.similarity;
  if (c < k) {
    for (let t = base; t < base + c; t++) if (idx[t] === j) return;
    idx[base + c] = j;
    sim[base + c] = s;
    g.count[i] = c + 1;
    if (c + 1 === k) g.weakest[i] = sim[weakestSlot(idx, sim, base, k)]!;
    return;
  }
  const w = weakestSlot(idx, sim, base, k);
  if (s === sim[w] && j > idx[w]!) return;
  for (let t = base; t < base + k; t++) if (idx[t] === j) return;
  idx[w] = j;
  sim[w] = s;
  g.weakest[i] = sim[weakestSlot(idx, sim, base, k)]!;
};

/** The slot a full row gives up first: lowest similarity, then highest index. */
const weakestSlot = (idx: Int32Array, sim: Float32Array, base: number, k: number): number => {
  let w = base;
  for (let t = base + 1; t < base + k; t++) {
    if (sim[t]! < sim[w]! || (sim[t] === sim[w] && idx[t]! > idx[w]!)) w = t;
  }
  return w;
};

/** Dot product of rows a and b (offsets into one packed array). */
export const rowDot = (v: Float32Array, a: number, b: number, dim: number): number => {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let t = 0;
  // Four accumulators let the multiplications pipeline; the tail handles dims not divisible by 4.
  for (; t + 3 < dim; t += 4) {
    s0 += v[a + t]! * v[b + t]!;
    s1 += v[a + t + 1]! * v[b + t + 1]!;
    s2 += v[a + t + 2]! * v[b + t + 2]!;
    s3 += v[a + t + 3]! * v[b + t + 3]!;
  }
  for (; t < dim; t++) s0 += v[a + t]! * v[b + t]!;
  return s0 + s1 + s2 + s3;
};
