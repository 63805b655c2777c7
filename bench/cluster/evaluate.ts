/** Clusters a labelled set and scores the result against its labels. */
import { clusterFaces } from '../../core/cluster/clusterFaces.js';
import { bcubed, pairwiseScores } from '../../core/cluster/clusterScores.js';
import type {
  ClusterFace,
  ClusterId,
  ClusterParams,
  ExistingCluster,
} from '../../core/cluster/clusterTypes.js';
import { isNamedLabel, type LabelledFace, type LabelledSet } from './labelledSet.js';

export interface SetScore {
  set: string;
  faces: number;
  /** Identities with a real name (not `~` singletons). */
  people: number;
  /** People with at least `minClusterSize` faces: the most clusters a perfect run can make. */
  clusterablePeople: number;
  clusters: number;
  unknownFraction: number;
  bcubed: { precision: number; recall: number; f1: number };
  pairwise: { precision: number; recall: number; f1: number };
  ms: number;
}

export const toClusterFace = (f: LabelledFace, vector: Float32Array = f.embedding): ClusterFace => ({
  id: f.id,
  embedding: vector,
  quality: f.quality,
  size: f.size,
});

export const scorePrediction = (
  set: LabelledSet,
  predicted: readonly (ClusterId | null)[],
  minClusterSize: number,
  ms: number,
): SetScore => {
  const truth = set.faces.map((f) => f.label);
  const named = new Map<string, number>();
  for (const l of truth) if (isNamedLabel(l)) named.set(l, (named.get(l) ?? 0) + 1);
  const clusters = new Set(predicted.filter((p) => p !== null)).size;
  return {
    set: set.name,
    faces: set.faces.length,
    people: named.size,
    clusterablePeople: [...named.values()].filter((c) => c >= minClusterSize).length,
    clusters,
    unknownFraction: predicted.filter((p) => p === null).length / Math.max(1, predicted.length),
    bcubed: bcubed(truth, predicted),
    pairwise: pairwiseScores(truth, predicted),
    ms,
  };
};

export const evaluate = (
  set: LabelledSet,
  params: ClusterParams,
  vectorOf: (f: LabelledFace) => Float32Array = (f) => f.embedding,
): SetScore => {
  const t0 = performance.now();
  const result = clusterFaces({ faces: set.faces.map((f) => toClusterFace(f, vectorOf(f))), params });
  const ms = performance.now() - t0;
  return scorePrediction(
    set,
    set.faces.map((f) => result.assignments.get(f.id)!),
    params.minClusterSize,
    ms,
  );
};

export interface IncrementalScore {
  set: string;
  /** Faces clustered in the first run, then the rest added to its clusters. */
  firstRun: number;
  added: number;
  /** Clusters of the first run, of which every other one was marked named. */
  existing: number;
  named: number;
  /** Members of first-run clusters whose cluster changed in the second run (must be 0). */
  moved: number;
  createdInSecondRun: number;
  joinedExisting: number;
  incremental: SetScore;
  batch: SetScore;
}

/**
 * The incremental path on real faces: cluster every other face (in id order), keep the clusters
 * (every other one named), then add the remaining faces. Scores the final state against one
 * batch run over everything, and counts first-run members that moved.
 */
export const evaluateIncremental = (set: LabelledSet, params: ClusterParams): IncrementalScore => {
  const sorted = [...set.faces].sort((a, b) => (a.id < b.id ? -1 : 1));
  const first = sorted.filter((_, i) => i % 2 === 0);
  const run1 = clusterFaces({ faces: first.map((f) => toClusterFace(f)), params });
  const byCluster = new Map<ClusterId, string[]>();
  for (const [face, c] of run1.assignments) {
    if (c !== null) byCluster.set(c, [...(byCluster.get(c) ?? []), face]);
  }
  const existing: ExistingCluster[] = [...byCluster.entries()].map(([id, members], i) => ({
    id,
    members,
    named: i % 2 === 0,
  }));
  const t0 = performance.now();
  const run2 = clusterFaces({ faces: set.faces.map((f) => toClusterFace(f)), existing, params });
  const ms = performance.now() - t0;
  let moved = 0;
  for (const c of existing) for (const m of c.members) if (run2.assignments.get(m) !== c.id) moved++;
  return {
    set: set.name,
    firstRun: first.length,
    added: set.faces.length - first.length,
    existing: existing.length,
    named: existing.filter((c) => c.named).length,
    moved,
    createdInSecondRun: run2.created.length,
    joinedExisting: run2.stats.joinedExisting,
    incremental: scorePrediction(
      set,
      set.faces.map((f) => run2.assignments.get(f.id)!),
      params.minClusterSize,
      ms,
    ),
    batch: evaluate(set, params),
  };
};
