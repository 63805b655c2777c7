import { type NeighbourGraph, offerNeighbour, rowDot } from './neighbourGraph.js';

/**
 * Neighbours of neighbours (one round of NN-descent's local join) for the rows of an approximate
 * graph that are not full: those are the faces of small groups, whose few pairs the index is most
 * likely to have split across leaves, and whose clusters depend on every edge. Full rows already
 * have their k links. Offers are symmetric, so a found pair helps both faces.
 */
export const refineNeighbours = (
  g: NeighbourGraph,
  vectors: Float32Array,
  dim: number,
  minSimilarity: number,
  isQuery: Uint8Array,
  rounds: number,
): void => {
  const { n, k, index, count } = g;
  const stamp = new Int32Array(n).fill(-1);
  let mark = 0;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < n; i++) {
      const c = count[i]!;
      if (!isQuery[i] || c === 0 || c === k) continue;
      mark++;
      stamp[i] = mark;
      for (let t = i * k; t < i * k + c; t++) stamp[index[t]!] = mark;
      // The row can change while it is explored; explore the neighbours it had at the start.
      const start = Int32Array.from(index.subarray(i * k, i * k + c));
      for (const j of start) {
        for (let u = j * k; u < j * k + count[j]!; u++) {
          const l = index[u]!;
          if (stamp[l] === mark) continue;
          stamp[l] = mark;
          const s = rowDot(vectors, i * dim, l * dim, dim);
          if (s < minSimilarity) continue;
          offerNeighbour(g, i, l, s);
          offerNeighbour(g, l, i, s);
        }
      }
    }
  }
};
