import { approximateNeighbours } from './approximateNeighbours.js';
import { ClusterError } from './ClusterError.js';
import type { ClusterFace, ClusterId, ExistingCluster } from './clusterTypes.js';
import { exactNeighbours } from './exactNeighbours.js';

export interface MergeSuggestion {
  /** The cluster to keep: the named one when only one is named, else the larger. */
  into: ClusterId;
  from: ClusterId;
  /** Average linkage: mean similarity over all pairs of their faces. */
  similarity: number;
}

/**
 * Pairs of clusters that look like one person (the user's "one person tagged twice"), most
 * alike first. Each cluster's mean vector stands for it: the dot product of two means is exactly
 * their average linkage. Pairs of two named clusters are included (they may be one person named
 * twice). Candidates come from a neighbour graph over the means, so thousands of clusters are fine.
 */
export const suggestMerges = (
  faces: readonly ClusterFace[],
  clusters: readonly ExistingCluster[],
  options: { minSimilarity?: number; perCluster?: number } = {},
): MergeSuggestion[] => {
  const minSimilarity = options.minSimilarity ?? 0.3;
  const perCluster = options.perCluster ?? 5;
  const byFace = new Map(faces.map((f) => [f.id, f]));
  const live = [...clusters].filter((c) => c.members.length > 0).sort((a, b) => a.id - b.id);
  const m = live.length;
  if (m < 2) return [];
  const dim = faces[0]?.embedding.length ?? 0;
  const means = new Float32Array(m * dim);
  live.forEach((c, r) => {
    for (const id of c.members) {
      const f = byFace.get(id);
      if (!f) throw new ClusterError(`cluster ${c.id} lists face ${id}, which is not among the faces`);
      for (let d = 0; d < dim; d++) means[r * dim + d]! += f.embedding[d]!;
    }
    for (let d = 0; d < dim; d++) means[r * dim + d]! /= c.members.length;
  });
  const all = new Uint8Array(m).fill(1);
  const g =
    m <= 2048
      ? exactNeighbours(means, m, dim, perCluster, minSimilarity, all)
      : approximateNeighbours(means, m, dim, perCluster, minSimilarity, all, {
          leafSize: 192,
          probes: 3,
          seed: 1,
        });
  const out: MergeSuggestion[] = [];
  const seen = new Set<string>();
  for (let r = 0; r < m; r++) {
    for (let t = r * g.k; t < r * g.k + g.count[r]!; t++) {
      const q = g.index[t]!;
      const [a, b] = r < q ? [live[r]!, live[q]!] : [live[q]!, live[r]!];
      const key = `${a.id}:${b.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const aFirst = a.named === b.named ? a.members.length >= b.members.length : a.named === true;
      out.push({
        into: aFirst ? a.id : b.id,
        from: aFirst ? b.id : a.id,
        similarity: g.similarity[t]!,
      });
    }
  }
  return out.sort((x, y) => y.similarity - x.similarity || x.into - y.into || x.from - y.from);
};
