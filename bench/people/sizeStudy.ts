/**
 * How face size, quality and pose change false matches and recall (the quality rule's evidence):
 * the sized probe sets (sizedProbes.ts) decided under a list of policies, counted per size level
 * and per set, plus the impostor score distribution of each level in units of each person's
 * full-size cohort (a small face that scores like a full-size impostor needs no stricter rule).
 */
import type { FaceCondition } from '../../core/decide/faceCondition.js';
import { median } from '../median.js';
import { addProbeCounts, countProbes, emptyProbeCounts, type ProbeCounts } from './probeCounts.js';
import type { NamedPolicy } from './runMode.js';
import type { SizedProbeSet } from './sizedProbes.js';

export interface LevelStats {
  level: number;
  attempted: number;
  found: number;
  /** Impostor scores standardised by each person's cohort (descending), and raw medians. */
  impostorZ: Float64Array;
  impostorMedian: number;
  genuineMedian: number;
  /** policy label → counts, pooled over folds; and per set. */
  counts: Map<string, ProbeCounts>;
  bySet: Map<string, Map<string, ProbeCounts>>;
  attemptedBySet: Map<string, number>;
  foundBySet: Map<string, number>;
}

export const levelStats = (
  sets: readonly SizedProbeSet[],
  policies: readonly NamedPolicy[],
): LevelStats[] => {
  const levels = [...new Set(sets.map((s) => s.level))];
  return levels.map((level) => {
    const mine = sets.filter((s) => s.level === level);
    const z: number[] = [];
    const imp: number[] = [];
    const gen: number[] = [];
    const counts = new Map<string, ProbeCounts>();
    const bySet = new Map<string, Map<string, ProbeCounts>>();
    const attemptedBySet = new Map<string, number>();
    const foundBySet = new Map<string, number>();
    let attempted = 0;
    let found = 0;
    for (const s of mine) {
      for (const [set, n] of s.attempted) {
        attempted += n;
        attemptedBySet.set(set, (attemptedBySet.get(set) ?? 0) + n);
      }
      found += s.probes.length;
      const P = s.matrix.size;
      for (const p of s.probes) {
        foundBySet.set(p.set, (foundBySet.get(p.set) ?? 0) + 1);
        for (let j = 0; j < P; j++) {
          const v = p.row[j]!;
          if (j === p.truth) gen.push(v);
          else {
            // A sample of raw impostor scores is enough for the median.
            if ((j & 7) === 0) imp.push(v);
            z.push(s.matrix.z(j, v));
          }
        }
      }
      for (const pol of policies) {
        counts.set(pol.label, countProbes(s.probes, s.matrix, pol.policy, counts.get(pol.label)));
        const setNames = [...new Set(s.probes.map((p) => p.set))];
        for (const set of setNames) {
          const m = bySet.get(set) ?? new Map<string, ProbeCounts>();
          m.set(
            pol.label,
            countProbes(
              s.probes.filter((p) => p.set === set),
              s.matrix,
              pol.policy,
              m.get(pol.label),
            ),
          );
          bySet.set(set, m);
        }
      }
    }
    return {
      level,
      attempted,
      found,
      impostorZ: Float64Array.from(z).sort().reverse(),
      impostorMedian: median(imp),
      genuineMedian: median(gen),
      counts,
      bySet,
      attemptedBySet,
      foundBySet,
    };
  });
};

/** A bin of faces by one measure of their condition. */
export interface ConditionBin {
  label: string;
  test: (c: FaceCondition) => boolean;
}

export const HEIGHT_BINS: ConditionBin[] = [
  [0, 28],
  [28, 40],
  [40, 56],
  [56, 80],
  [80, 120],
  [120, Number.POSITIVE_INFINITY],
].map(([lo, hi]) => ({
  label: `height ${lo}-${hi === Number.POSITIVE_INFINITY ? '' : hi} px`,
  test: (c: FaceCondition) => c.height >= lo! && c.height < hi!,
}));

export const QUALITY_BINS: ConditionBin[] = [
  [0, 0.6],
  [0.6, 0.8],
  [0.8, 0.9],
  [0.9, 0.97],
  [0.97, 1.01],
].map(([lo, hi]) => ({
  label: `quality ${lo}-${Math.min(1, hi!)}`,
  test: (c: FaceCondition) => c.quality >= lo! && c.quality < hi!,
}));

export const YAW_BINS: ConditionBin[] = [
  [0, 0.15],
  [0.15, 0.3],
  [0.3, 0.5],
  [0.5, Number.POSITIVE_INFINITY],
].map(([lo, hi]) => ({
  label: `|yaw| ${lo}-${hi === Number.POSITIVE_INFINITY ? '' : hi}`,
  test: (c: FaceCondition) => Math.abs(c.yaw) >= lo! && Math.abs(c.yaw) < hi!,
}));

/** Counts per condition bin over the given levels' probes, one policy. */
export const binCounts = (
  sets: readonly SizedProbeSet[],
  bins: readonly ConditionBin[],
  policy: NamedPolicy,
): { bin: string; counts: ProbeCounts }[] =>
  bins.map((b) => {
    const c = emptyProbeCounts();
    for (const s of sets) {
      const probes = s.probes.filter((p) => b.test(p.condition));
      addProbeCounts(c, countProbes(probes, s.matrix, policy.policy));
    }
    return { bin: b.label, counts: c };
  });
