import { ClusterError } from './ClusterError.js';
import type { ClusterId, ExistingCluster, FaceId } from './clusterTypes.js';

const byId = (clusters: readonly ExistingCluster[], id: ClusterId): ExistingCluster => {
  const c = clusters.find((x) => x.id === id);
  if (!c) throw new ClusterError(`cluster ${id} does not exist`);
  return c;
};

/**
 * Moves every member of `from` into `into` and drops `from`; the other clusters are returned
 * unchanged, in their order. `into` keeps its id and lock; it is named if any of them was.
 */
export const mergeClusters = (
  clusters: readonly ExistingCluster[],
  into: ClusterId,
  from: readonly ClusterId[],
): ExistingCluster[] => {
  const target = byId(clusters, into);
  const sources = [...new Set(from)];
  if (sources.includes(into)) throw new ClusterError(`cannot merge cluster ${into} into itself`);
  const merged = sources.map((id) => byId(clusters, id));
  const members = [...target.members, ...merged.flatMap((c) => c.members)];
  const named = target.named === true || merged.some((c) => c.named === true);
  const result: ExistingCluster = { ...target, members, ...(named ? { named } : {}) };
  return clusters.filter((c) => !sources.includes(c.id)).map((c) => (c.id === into ? result : c));
};

/**
 * Moves `faces` out of cluster `id` into a new unnamed cluster `newId` (default: one past the
 * largest id), appended at the end. Some but not all members must be selected.
 */
export const splitCluster = (
  clusters: readonly ExistingCluster[],
  id: ClusterId,
  faces: readonly FaceId[],
  newId?: ClusterId,
): { clusters: ExistingCluster[]; created: ClusterId } => {
  const source = byId(clusters, id);
  const picked = new Set(faces);
  const have = new Set(source.members);
  for (const f of picked) if (!have.has(f)) throw new ClusterError(`face ${f} is not in cluster ${id}`);
  if (picked.size === 0 || picked.size === have.size) {
    throw new ClusterError(`a split of cluster ${id} needs some but not all of its ${have.size} faces`);
  }
  const created = newId ?? clusters.reduce((m, c) => Math.max(m, c.id), 0) + 1;
  if (!Number.isInteger(created) || created < 1 || clusters.some((c) => c.id === created)) {
    throw new ClusterError(`cluster id ${created} for the split is taken or not a positive integer`);
  }
  const kept: ExistingCluster = { ...source, members: source.members.filter((f) => !picked.has(f)) };
  const moved: ExistingCluster = { id: created, members: source.members.filter((f) => picked.has(f)) };
  return { clusters: [...clusters.map((c) => (c.id === id ? kept : c)), moved], created };
};
