/** Share of the exact neighbour graph's edges that the approximate index finds, on one set. */
import { approximateNeighbours } from '../../core/cluster/approximateNeighbours.js';
import type { ClusterParams } from '../../core/cluster/clusterTypes.js';
import { exactNeighbours } from '../../core/cluster/exactNeighbours.js';
import { refineNeighbours } from '../../core/cluster/refineNeighbours.js';
import type { LabelledSet } from './labelledSet.js';

export const graphRecall = (set: LabelledSet, p: ClusterParams): number => {
  const faces = [...set.faces].sort((a, b) => (a.id < b.id ? -1 : 1));
  const n = faces.length;
  const dim = faces[0]?.embedding.length ?? 0;
  const v = new Float32Array(n * dim);
  faces.forEach((f, i) => {
    v.set(f.embedding, i * dim);
  });
  const all = new Uint8Array(n).fill(1);
  const exact = exactNeighbours(v, n, dim, p.k, p.minEdgeSimilarity, all);
  const approx = approximateNeighbours(v, n, dim, p.k, p.minEdgeSimilarity, all, p);
  refineNeighbours(approx, v, dim, p.minEdgeSimilarity, all, p.refineRounds);
  let found = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const have = new Set(approx.index.subarray(i * p.k, i * p.k + approx.count[i]!));
    for (let t = i * p.k; t < i * p.k + exact.count[i]!; t++) {
      total++;
      if (have.has(exact.index[t]!)) found++;
    }
  }
  return total ? found / total : 1;
};
