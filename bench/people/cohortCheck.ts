/**
 * Does a cohort threshold keep its promise? For each person, the threshold from one half of the
 * library (split by photo, the person's own unlabelled faces included) is checked on the impostor
 * faces of the other half: false matches observed against the FAR the rule targets. Also the shape
 * of the impostor tail itself, after each person's median/MAD standardisation, against a normal
 * and Student's t tails, and how many cohort faces a stable threshold needs.
 */
import { inverseNormalCdf } from '../../core/decide/inverseNormalCdf.js';
import type { PersonModel } from '../../core/decide/PeopleMatrix.js';
import { studentTailMultiplier } from '../../core/decide/studentTailThreshold.js';
import { cohortThreshold } from '../../core/decide/thresholds.js';
import { seededRng } from '../../core/util/seededRng.js';
import type { BenchFace, PeopleSetName } from './benchFace.js';
import { cohortColumns } from './thresholdRules.js';

export interface TailPerson {
  name: string;
  set: PeopleSetName;
  /** Scores of the person's template against every cohort face (own faces included). */
  column: Float32Array;
  /** Which cohort faces are impostors for this person. */
  impostor: Uint8Array;
}

const setOfPerson = (name: string): PeopleSetName => name.split('/')[0] as PeopleSetName;

export const tailPeople = (people: readonly PersonModel[], cohort: readonly BenchFace[]): TailPerson[] => {
  const cols = cohortColumns(
    people,
    cohort.map((f) => f.vectors),
  );
  return people.map((p, j) => ({
    name: p.name,
    set: setOfPerson(p.name),
    column: cols[j]!,
    impostor: Uint8Array.from(cohort, (f) => (f.identity === p.name ? 0 : 1)),
  }));
};

const medianSorted = (s: Float64Array): number => {
  const n = s.length;
  return n % 2 ? s[n >> 1]! : (s[(n >> 1) - 1]! + s[n >> 1]!) / 2;
};

export const robustFit = (scores: ArrayLike<number>): { median: number; spread: number } => {
  const sorted = Float64Array.from(scores).sort();
  const median = medianSorted(sorted);
  return { median, spread: 1.4826 * medianSorted(sorted.map((s) => Math.abs(s - median)).sort()) };
};

/** Impostor scores standardised by each person's robust fit on the whole cohort, pooled, descending. */
export const standardisedImpostors = (people: readonly TailPerson[]): Float64Array => {
  const out: number[] = [];
  for (const p of people) {
    const { median, spread } = robustFit(p.column);
    for (let i = 0; i < p.column.length; i++) if (p.impostor[i]) out.push((p.column[i]! - median) / spread);
  }
  return Float64Array.from(out).sort().reverse();
};

/** The value a fraction `far` of `desc` reaches; null with fewer than `minCount` values above it. */
export const empiricalTail = (desc: Float64Array, far: number, minCount = 5): number | null => {
  const k = Math.floor(far * desc.length);
  return k >= minCount ? desc[k]! : null;
};

export const TAIL_FARS = [1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5] as const;
export const DOF_GRID = [3, 4, 5, 6, 8, 10, 12, 15, 17, 20, 25, 30, 40, 60, 100] as const;

/** The degrees of freedom whose standardised quantiles best match the empirical ones (log error). */
export const fitDof = (desc: Float64Array): { dof: number; error: number } => {
  let best = { dof: Number.POSITIVE_INFINITY, error: Number.POSITIVE_INFINITY };
  const points = TAIL_FARS.map((far) => ({ far, z: empiricalTail(desc, far, 10) })).filter(
    (x): x is { far: (typeof TAIL_FARS)[number]; z: number } => x.z !== null && x.z > 0,
  );
  const err = (k: (far: number) => number): number =>
    points.reduce((s, p) => s + Math.log(p.z / k(p.far)) ** 2, 0);
  for (const dof of DOF_GRID) {
    const e = err((far) => studentTailMultiplier(far, dof));
    if (e < best.error) best = { dof, error: e };
  }
  const normal = err((far) => inverseNormalCdf(1 - far));
  if (normal < best.error) best = { dof: Number.POSITIVE_INFINITY, error: normal };
  return best;
};

export type TailRule =
  | { kind: 'normal' }
  | { kind: 'studentT'; dof: number }
  | { kind: 'fixed'; value: number };

export const tailRuleLabel = (r: TailRule): string =>
  r.kind === 'normal' ? 'normal' : r.kind === 'fixed' ? `fixed ${r.value.toFixed(2)}` : `t${r.dof}`;

/** The rule's raw (unclamped) threshold for a cohort column. */
export const rawThreshold = (rule: TailRule, scores: ArrayLike<number>, far: number): number => {
  if (rule.kind === 'fixed') return rule.value;
  if (rule.kind === 'normal') {
    const c = cohortThreshold(scores, {
      far,
      floor: Number.NEGATIVE_INFINITY,
      ceiling: Number.POSITIVE_INFINITY,
      minCohort: 0,
    });
    return c.threshold;
  }
  const { median, spread } = robustFit(scores);
  return median + studentTailMultiplier(far, rule.dof) * spread;
};

export interface FarCheckRow {
  group: string;
  people: number;
  /** Impostor (face, person) trials checked. */
  trials: number;
  expected: number;
  observed: number;
  /** People with at least one false match, and how many there would be if every person had the group's observed rate. */
  peopleWithFalse: number;
  peopleWithFalseIfUniform: number;
  /** The largest number of false matches of one person, and the FAR implied. */
  worstPerson: { name: string; observed: number; trials: number } | null;
}

/**
 * Split-half check: photos split at random into halves; a person's threshold from half A's column
 * (own faces included) is checked on half B's impostor faces, and the other way round.
 */
export const farCheck = (
  people: readonly TailPerson[],
  cohort: readonly BenchFace[],
  rule: TailRule,
  far: number,
  seed: number,
): FarCheckRow[] => {
  const rng = seededRng(seed);
  const photoHalf = new Map<string, number>();
  const half = Uint8Array.from(cohort, (f) => {
    let h = photoHalf.get(f.photo);
    if (h === undefined) {
      h = rng() < 0.5 ? 0 : 1;
      photoHalf.set(f.photo, h);
    }
    return h;
  });
  const perPerson = people.map((p) => {
    let trials = 0;
    let observed = 0;
    for (const h of [0, 1]) {
      const cal: number[] = [];
      for (let i = 0; i < p.column.length; i++) if (half[i] === h) cal.push(p.column[i]!);
      const t = rawThreshold(rule, cal, far);
      for (let i = 0; i < p.column.length; i++) {
        if (half[i] === h || !p.impostor[i]) continue;
        trials++;
        if (p.column[i]! >= t) observed++;
      }
    }
    return { name: p.name, set: p.set, trials, observed };
  });
  const groups = [...new Set(people.map((p) => p.set)), 'all'];
  return groups.map((g) => {
    const members = perPerson.filter((p) => g === 'all' || p.set === g);
    const trials = members.reduce((s, p) => s + p.trials, 0);
    const observed = members.reduce((s, p) => s + p.observed, 0);
    const rate = trials ? observed / trials : 0;
    const worst = members.reduce<(typeof members)[number] | null>(
      (w, p) => (w === null || p.observed > w.observed ? p : w),
      null,
    );
    return {
      group: g,
      people: members.length,
      trials,
      expected: trials * far,
      observed,
      peopleWithFalse: members.filter((p) => p.observed > 0).length,
      peopleWithFalseIfUniform: members.reduce((s, p) => s + (1 - (1 - rate) ** p.trials), 0),
      worstPerson: worst ? { name: worst.name, observed: worst.observed, trials: worst.trials } : null,
    };
  });
};

/** How much each person's own unlabelled faces in the cohort move their threshold. */
export const ownFaceShift = (
  people: readonly TailPerson[],
  rule: TailRule,
  far: number,
): { mean: number; max: number; maxPerson: string; ownFaces: { median: number; max: number } } => {
  let sum = 0;
  let max = Number.NEGATIVE_INFINITY;
  let maxPerson = '';
  const own: number[] = [];
  for (const p of people) {
    const withOwn = rawThreshold(rule, p.column, far);
    const only = p.column.filter((_, i) => p.impostor[i] === 1);
    own.push(p.column.length - only.length);
    const d = withOwn - rawThreshold(rule, only, far);
    sum += d;
    if (d > max) {
      max = d;
      maxPerson = p.name;
    }
  }
  own.sort((a, b) => a - b);
  return {
    mean: sum / people.length,
    max,
    maxPerson,
    ownFaces: { median: own[own.length >> 1] ?? 0, max: own.at(-1) ?? 0 },
  };
};

/**
 * Threshold stability against cohort size: for each size, `draws` random sub-cohorts per person;
 * the median over people of the thresholds' standard deviation, and the median bias against the
 * whole-cohort threshold. Sub-cohorts drawn without replacement from a finite cohort of N vary
 * less than independent cohorts would, so each deviation is divided by sqrt(1 - size / N).
 */
export const cohortSizeStability = (
  people: readonly TailPerson[],
  rule: TailRule,
  far: number,
  sizes: readonly number[],
  draws: number,
  seed: number,
): { size: number; medianSd: number; p90Sd: number; medianBias: number }[] => {
  const rng = seededRng(seed);
  return sizes.map((size) => {
    const sds: number[] = [];
    const biases: number[] = [];
    for (const p of people) {
      const n = p.column.length;
      if (size >= n) continue;
      const full = rawThreshold(rule, p.column, far);
      const ts: number[] = [];
      const idx = Array.from({ length: n }, (_, i) => i);
      for (let d = 0; d < draws; d++) {
        for (let i = 0; i < size; i++) {
          const j = i + Math.floor(rng() * (n - i));
          [idx[i], idx[j]] = [idx[j]!, idx[i]!];
        }
        const sub = new Float32Array(size);
        for (let i = 0; i < size; i++) sub[i] = p.column[idx[i]!]!;
        ts.push(rawThreshold(rule, sub, far));
      }
      const mean = ts.reduce((s, v) => s + v, 0) / ts.length;
      const sd = Math.sqrt(ts.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, ts.length - 1));
      sds.push(sd / Math.sqrt(1 - size / n));
      biases.push(mean - full);
    }
    sds.sort((a, b) => a - b);
    biases.sort((a, b) => a - b);
    return {
      size,
      medianSd: sds[sds.length >> 1] ?? Number.NaN,
      p90Sd: sds[Math.floor(0.9 * (sds.length - 1))] ?? Number.NaN,
      medianBias: biases[biases.length >> 1] ?? Number.NaN,
    };
  });
};
