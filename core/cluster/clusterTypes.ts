/** Inputs and outputs of face clustering. Pure data: no models, no database. */

export type FaceId = string;
/** Positive integer; the caller renders it (e.g. `person-0001`). */
export type ClusterId = number;

export interface ClusterFace {
  id: FaceId;
  /**
   * Identity vector whose dot product is the similarity the clustering uses: an L2-normalised
   * embedding (cosine), or several weighted ones concatenated by `fuseEmbeddings` (a fused
   * similarity). All faces of one call must have the same length.
   */
  embedding: Float32Array;
  /** 0..1; below `minSeedQuality` the face may join a cluster but never starts one. */
  quality: number;
  /** Face height in original pixels; below `minSeedSize` the face never starts a cluster. */
  size: number;
  /** Put this face in that existing cluster whatever its similarity (a user's assignment). */
  fixed?: ClusterId;
  /** Never put this face in these clusters automatically (a user's "not this person"). */
  excluded?: readonly ClusterId[];
}

export interface ExistingCluster {
  id: ClusterId;
  /** Faces already in it; they stay in it. Every id must be among the call's faces. */
  members: readonly FaceId[];
  /**
   * A named cluster is a person. Clustering treats named and unnamed existing clusters alike (never
   * reshuffled, never merged automatically); merge suggestions put a named one first.
   */
  named?: boolean;
  /** Takes no new faces automatically (only `fixed` ones), e.g. a person the user marked complete. */
  locked?: boolean;
}

export interface ClusterParams {
  /** Neighbours kept per face in the similarity graph (Immich's k nearest neighbours). */
  k: number;
  /** Neighbours below this similarity are not edges: two faces this far apart never start a merge. */
  minEdgeSimilarity: number;
  /** Average linkage (mean similarity over all cross pairs) at which two groups always merge. */
  mergeSimilarity: number;
  /**
   * Groups whose linkage is below `mergeSimilarity` but at least `minMergeSimilarity` merge when
   * the linkage is at least `relativeMerge` times the lower of their cohesions (mean similarity
   * within each group): as alike as their own members are. 0 turns this off.
   */
  relativeMerge: number;
  minMergeSimilarity: number;
  /** A new cluster needs at least this many seed faces; smaller groups stay unknown. */
  minClusterSize: number;
  /**
   * Mean similarity to a cluster needed for a face that is no seed (low quality, or from a group
   * too small to stand) to join it.
   */
  joinSimilarity: number;
  /** Join only when the best cluster beats the second best by this much (0: no margin rule). */
  joinMargin: number;
  minSeedQuality: number;
  minSeedSize: number;
  /** Up to this many faces the neighbour graph is exact (all pairs); above, an approximate index. */
  exactUpTo: number;
  /** Approximate index: faces per leaf of the k-means tree. */
  leafSize: number;
  /** Approximate index: leaves each face is placed in (more: better recall, slower). */
  probes: number;
  /** Approximate index: rounds of neighbours-of-neighbours search for faces with fewer than k neighbours. */
  refineRounds: number;
  /** Seed of the index's k-means sampling (deterministic). */
  seed: number;
}

export interface ClusterInput {
  faces: readonly ClusterFace[];
  existing?: readonly ExistingCluster[];
  params?: Partial<ClusterParams>;
  /** First id for new clusters; default one past the largest existing id. Lets a caller never reuse deleted ids. */
  nextId?: ClusterId;
}

export interface ClusterStats {
  faces: number;
  /** Faces allowed to start a cluster (quality and size). */
  seeds: number;
  edges: number;
  merges: number;
  /** New faces that went into existing clusters. */
  joinedExisting: number;
  /** Faces in clusters created by this call. */
  inNewClusters: number;
  unknown: number;
  /** Whether the neighbour graph was exact or from the approximate index. */
  graph: 'exact' | 'approximate';
}

export interface ClusterResult {
  /** Every input face: its cluster, or null for unknown. */
  assignments: Map<FaceId, ClusterId | null>;
  /** Ids of clusters this call created, largest first. */
  created: ClusterId[];
  stats: ClusterStats;
}
