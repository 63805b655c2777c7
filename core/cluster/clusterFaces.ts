import { approximateNeighbours } from './approximateNeighbours.js';
import { averageLinkage } from './averageLinkage.js';
import { ClusterError } from './ClusterError.js';
import { resolveClusterParams } from './clusterParams.js';
import type { ClusterFace, ClusterId, ClusterInput, ClusterResult, FaceId } from './clusterTypes.js';
import { exactNeighbours } from './exactNeighbours.js';
import type { NeighbourGraph } from './neighbourGraph.js';
import { refineNeighbours } from './refineNeighbours.js';

/**
 * Groups faces into people, incrementally:
 * 1. a k-nearest-neighbour graph over all faces (exact up to `exactUpTo`, else a k-means tree);
 * 2. average-linkage merging of the seed faces (good quality and size) and the existing clusters,
 *    while the mean similarity between two groups reaches `mergeSimilarity`; two existing
 *    clusters never merge, a locked one takes nothing;
 * 3. new groups with fewer than `minClusterSize` seeds dissolve: their faces are unknown for now;
 * 4. every face still unplaced (low quality, dissolved) joins the cluster its neighbours are in
 *    when its mean similarity to that cluster reaches `joinSimilarity`, else stays unknown.
 * Existing members never move. The result depends only on the input's content, not its order:
 * faces are processed sorted by id.
 */
export const clusterFaces = (input: ClusterInput): ClusterResult => {
  const params = resolveClusterParams(input.params);
  const faces = [...input.faces].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const n = faces.length;
  const dim = faces[0]?.embedding.length ?? 0;
  const rowOf = new Map<FaceId, number>();
  faces.forEach((f, i) => {
    if (rowOf.has(f.id)) throw new ClusterError(`face ${f.id} is given twice`);
    if (f.embedding.length !== dim || dim === 0) {
      throw new ClusterError(`face ${f.id} has a ${f.embedding.length}-d embedding, others ${dim}-d`);
    }
    rowOf.set(f.id, i);
  });

  const existing = [...(input.existing ?? [])].sort((a, b) => a.id - b.id);
  const groupOf = new Map<ClusterId, number>();
  existing.forEach((c, g) => {
    if (!Number.isInteger(c.id) || c.id < 1)
      throw new ClusterError(`cluster id ${c.id} is not a positive integer`);
    if (groupOf.has(c.id)) throw new ClusterError(`cluster ${c.id} is given twice`);
    groupOf.set(c.id, g);
  });
  const maxId = existing.reduce((m, c) => Math.max(m, c.id), 0);
  const firstId = input.nextId ?? maxId + 1;
  if (!Number.isInteger(firstId) || firstId <= maxId) {
    throw new ClusterError(`nextId ${firstId} must be an integer above every existing cluster id (${maxId})`);
  }

  const preset = new Int32Array(n).fill(-1);
  const place = (row: number, g: number, why: string): void => {
    const was = preset[row]!;
    if (was >= 0 && was !== g) {
      throw new ClusterError(
        `face ${faces[row]!.id} is in cluster ${existing[was]!.id} and ${why} ${existing[g]!.id}`,
      );
    }
    preset[row] = g;
  };
  existing.forEach((c, g) => {
    for (const m of c.members) {
      const row = rowOf.get(m);
      if (row === undefined)
        throw new ClusterError(`cluster ${c.id} lists face ${m}, which is not among the faces`);
      place(row, g, 'also in cluster');
    }
  });
  faces.forEach((f, row) => {
    if (f.fixed === undefined) return;
    const g = groupOf.get(f.fixed);
    if (g === undefined)
      throw new ClusterError(`face ${f.id} is fixed to cluster ${f.fixed}, which does not exist`);
    place(row, g, 'fixed to cluster');
  });
  // Exclusions of clusters that no longer exist have nothing left to prevent.
  const forbidden = faces.map((f) =>
    f.excluded?.map((id) => groupOf.get(id)).filter((g): g is number => g !== undefined),
  );

  const vectors = new Float32Array(n * dim);
  faces.forEach((f, i) => {
    vectors.set(f.embedding, i * dim);
  });
  // Pairs between faces already placed cannot change anything: only unplaced faces query.
  const isQuery = new Uint8Array(n);
  const active = new Uint8Array(n);
  let seeds = 0;
  for (let i = 0; i < n; i++) {
    if (preset[i]! >= 0) {
      active[i] = 1;
      continue;
    }
    isQuery[i] = 1;
    if (canSeed(faces[i]!, params.minSeedQuality, params.minSeedSize)) {
      active[i] = 1;
      seeds++;
    }
  }
  const exact = n <= params.exactUpTo;
  const graph: NeighbourGraph = exact
    ? exactNeighbours(vectors, n, dim, params.k, params.minEdgeSimilarity, isQuery)
    : approximateNeighbours(vectors, n, dim, params.k, params.minEdgeSimilarity, isQuery, params);
  if (!exact) refineNeighbours(graph, vectors, dim, params.minEdgeSimilarity, isQuery, params.refineRounds);

  const groups = averageLinkage({
    vectors,
    n,
    dim,
    graph,
    active,
    preset,
    lockedGroups: existing.map((c) => c.locked === true),
    forbidden,
    threshold: params.mergeSimilarity,
    floor: params.minMergeSimilarity,
    relative: params.relativeMerge,
  });
  const { root, size, sum } = groups;
  const kept = (r: number): boolean => groups.preset[r]! >= 0 || size[r]! >= params.minClusterSize;

  // Joining reads the groups as merging left them (no running update), so the order of the
  // unplaced faces does not matter.
  const final = Int32Array.from(root, (r) => (r >= 0 && kept(r) ? r : -1));
  const { k, index, count } = graph;
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    if (!isQuery[i] || final[i]! >= 0) continue;
    let best = -1;
    let bestSim = Number.NEGATIVE_INFINITY;
    let second = Number.NEGATIVE_INFINITY;
    seen.clear();
    for (let t = i * k; t < i * k + count[i]!; t++) {
      const r = root[index[t]!]!;
      if (r < 0 || !kept(r) || seen.has(r)) continue;
      seen.add(r);
      const g = groups.preset[r]!;
      if (g >= 0 && (existing[g]!.locked || forbidden[i]?.includes(g))) continue;
      const s = meanSimilarity(vectors, i * dim, sum[r]!, size[r]!);
      if (s > bestSim || (s === bestSim && r < best)) {
        second = bestSim;
        bestSim = s;
        best = r;
      } else if (s > second) second = s;
    }
    if (best >= 0 && bestSim >= params.joinSimilarity && bestSim - second >= params.joinMargin)
      final[i] = best;
  }

  // New clusters are numbered largest first (ties: the one with the first face id).
  const members = new Map<number, number>();
  for (let i = 0; i < n; i++) if (final[i]! >= 0) members.set(final[i]!, (members.get(final[i]!) ?? 0) + 1);
  const firstRow = new Map<number, number>();
  for (let i = n - 1; i >= 0; i--) if (final[i]! >= 0) firstRow.set(final[i]!, i);
  const fresh = [...members.keys()]
    .filter((r) => groups.preset[r]! < 0)
    .sort((a, b) => members.get(b)! - members.get(a)! || firstRow.get(a)! - firstRow.get(b)!);
  const idOf = new Map<number, ClusterId>();
  fresh.forEach((r, i) => {
    idOf.set(r, firstId + i);
  });
  for (const r of members.keys()) if (groups.preset[r]! >= 0) idOf.set(r, existing[groups.preset[r]!]!.id);

  const assignments = new Map<FaceId, ClusterId | null>();
  let joinedExisting = 0;
  let inNewClusters = 0;
  let unknown = 0;
  faces.forEach((f, i) => {
    const r = final[i]!;
    if (r < 0) {
      unknown++;
      assignments.set(f.id, null);
      return;
    }
    if (groups.preset[r]! < 0) inNewClusters++;
    else if (preset[i]! < 0) joinedExisting++;
    assignments.set(f.id, idOf.get(r)!);
  });
  let edges = 0;
  for (let i = 0; i < n; i++) edges += count[i]!;
  return {
    assignments,
    created: fresh.map((r) => idOf.get(r)!),
    stats: {
      faces: n,
      seeds,
      edges,
      merges: groups.merges,
      joinedExisting,
      inNewClusters,
      unknown,
      graph: exact ? 'exact' : 'approximate',
    },
  };
};

/** Whether a face is good enough to start a cluster (others may only join one). */
export const canSeed = (
  face: Pick<ClusterFace, 'quality' | 'size'>,
  minQuality: number,
  minSize: number,
): boolean => face.quality >= minQuality && face.size >= minSize;

/** Mean similarity of a row to the members of a group, from the group's vector sum. */
const meanSimilarity = (vectors: Float32Array, offset: number, sum: Float32Array, size: number): number => {
  let s = 0;
  for (let d = 0; d < sum.length; d++) s += vectors[offset + d]! * sum[d]!;
  return s / size;
};
