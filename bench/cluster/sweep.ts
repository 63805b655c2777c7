/**
 * The parameter sweep: each group varies one or two parameters around the chosen ones and
 * scores every set, so a default is chosen across sets (by the worst set), not on one.
 */
import type { ClusterParams } from '../../core/cluster/clusterTypes.js';
import { evaluate, type SetScore } from './evaluate.js';
import type { LabelledSet } from './labelledSet.js';

export interface SweepRow {
  group: string;
  changed: Partial<ClusterParams>;
  chosen: boolean;
  scores: SetScore[];
  worst: number;
  mean: number;
}

const GROUPS: { name: string; grid: Partial<ClusterParams>[] }[] = [
  {
    name: 'mergeSimilarity x relativeMerge',
    grid: [0.35, 0.4, 0.45, 0.5, 0.55].flatMap((mergeSimilarity) =>
      [0, 0.5, 0.6, 0.7, 0.8].map((relativeMerge) => ({ mergeSimilarity, relativeMerge })),
    ),
  },
  {
    name: 'joinSimilarity x minMergeSimilarity',
    grid: [0.25, 0.3, 0.35, 0.4].flatMap((joinSimilarity) =>
      [0.2, 0.25, 0.3].map((minMergeSimilarity) => ({ joinSimilarity, minMergeSimilarity })),
    ),
  },
  { name: 'joinMargin', grid: [0, 0.05, 0.1].map((joinMargin) => ({ joinMargin })) },
  { name: 'minClusterSize', grid: [2, 3, 4, 5].map((minClusterSize) => ({ minClusterSize })) },
  { name: 'k', grid: [10, 20, 40].map((k) => ({ k })) },
  { name: 'minEdgeSimilarity', grid: [0.15, 0.2, 0.25].map((minEdgeSimilarity) => ({ minEdgeSimilarity })) },
];

/**
 * The selection rule: the highest worst-set F1 (then mean F1) among the rows whose BCubed
 * precision is at least `minPrecision` on every set. A mixed cluster is the failure users of
 * photo apps complain about most, and a split is repaired by a merge suggestion; so precision is
 * a constraint and F1 the objective. Rows within `tie` of the best on both worst-set and mean F1
 * are ties (on these sets 0.002 is one or two faces). Null when no row qualifies.
 */
export const pickRow = (
  rows: readonly SweepRow[],
  minPrecision = 0.99,
  tie = 0.002,
): { best: SweepRow; ties: SweepRow[] } | null => {
  const ok = rows.filter((r) => r.scores.every((x) => x.bcubed.precision >= minPrecision));
  if (!ok.length) return null;
  const best = ok.reduce((a, b) => (b.worst > a.worst || (b.worst === a.worst && b.mean > a.mean) ? b : a));
  return { best, ties: ok.filter((r) => r.worst >= best.worst - tie && r.mean >= best.mean - tie) };
};

export const sweep = (sets: readonly LabelledSet[], chosen: ClusterParams): SweepRow[] =>
  GROUPS.flatMap((g) =>
    g.grid.map((changed) => {
      const params = { ...chosen, ...changed };
      // The edge floor cannot sit above the merge floor without cutting merges the floor allows.
      params.minEdgeSimilarity = Math.min(params.minEdgeSimilarity, params.minMergeSimilarity);
      const scores = sets.map((s) => evaluate(s, params));
      const f = scores.map((x) => x.bcubed.f1);
      return {
        group: g.name,
        changed,
        chosen: Object.entries(changed).every(([k, v]) => chosen[k as keyof ClusterParams] === v),
        scores,
        worst: Math.min(...f),
        mean: f.reduce((a, b) => a + b, 0) / f.length,
      };
    }),
  );
