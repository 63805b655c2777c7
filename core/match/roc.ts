import { ConfigError } from '../errors.js';

/** One verification trial: a similarity score (higher = more alike) and whether the pair is the same person. */
export interface ScoredPair {
  readonly score: number;
  readonly same: boolean;
  /** 1-based cross-validation fold, as in LFW's pairs.txt. */
  readonly fold?: number;
}

/** Operating point when accepting every pair with `score >= threshold`. */
export interface RocPoint {
  readonly threshold: number;
  /** False-accept rate: accepted different-person pairs / all different-person pairs. */
  readonly far: number;
  /** True-accept rate: accepted same-person pairs / all same-person pairs. */
  readonly tar: number;
}

export interface EqualErrorRate {
  readonly threshold: number;
  readonly rate: number;
}

export interface TarAtFar {
  readonly threshold: number;
  readonly tar: number;
  /** FAR actually reached at `threshold` (at most the requested one). */
  readonly far: number;
  /** False when there are fewer than 1/far negatives, so the requested FAR cannot be measured. */
  readonly resolved: boolean;
}

export interface AccuracyThreshold {
  readonly threshold: number;
  readonly accuracy: number;
}

export interface FoldAccuracy {
  readonly fold: number;
  readonly threshold: number;
  readonly accuracy: number;
}

export interface KFoldAccuracy {
  readonly mean: number;
  /** Sample standard deviation (n - 1) of the per-fold accuracies, as the LFW protocol defines it. */
  readonly std: number;
  /** Standard error of the mean: std / sqrt(folds). */
  readonly stdErr: number;
  readonly perFold: readonly FoldAccuracy[];
  /** Mean of the thresholds chosen on each training split. */
  readonly threshold: number;
}

export interface ScoreStats {
  readonly n: number;
  readonly mean: number;
  /** Population standard deviation. */
  readonly std: number;
  readonly min: number;
  readonly p05: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

interface ScoreGroup {
  readonly score: number;
  readonly same: number;
  readonly diff: number;
}

interface Grouped {
  /** Distinct scores, highest first. */
  readonly groups: readonly ScoreGroup[];
  readonly positives: number;
  readonly negatives: number;
}

/** Sorting once and grouping equal scores is what makes every statistic tie-correct and O(n log n). */
function groupDescending(pairs: readonly ScoredPair[]): Grouped {
  for (const [i, p] of pairs.entries()) {
    if (!Number.isFinite(p.score)) throw new ConfigError(`pair ${i + 1} has a non-finite score (${p.score})`);
  }
  const sorted = [...pairs].sort((x, y) => y.score - x.score);
  const groups: ScoreGroup[] = [];
  let positives = 0;
  let i = 0;
  while (i < sorted.length) {
    const score = sorted[i]!.score;
    let same = 0;
    let diff = 0;
    while (i < sorted.length && sorted[i]!.score === score) {
      if (sorted[i]!.same) same++;
      else diff++;
      i++;
    }
    positives += same;
    groups.push({ score, same, diff });
  }
  return { groups, positives, negatives: sorted.length - positives };
}

/** Rates need both denominators; a pair set without one class is a broken input, not a zero. */
function requireBothClasses(g: Grouped): void {
  if (g.positives === 0 || g.negatives === 0) {
    throw new ConfigError(
      `need both same and different pairs (got ${g.positives} same, ${g.negatives} different)`,
    );
  }
}

/**
 * ROC points for every distinct score, highest threshold first. The first point has threshold
 * +Infinity (accept nothing) so the curve always starts at (0, 0) and ends at (1, 1).
 */
export function rocCurve(pairs: readonly ScoredPair[]): RocPoint[] {
  const g = groupDescending(pairs);
  requireBothClasses(g);
  const points: RocPoint[] = [{ threshold: Number.POSITIVE_INFINITY, far: 0, tar: 0 }];
  let tp = 0;
  let fp = 0;
  for (const group of g.groups) {
    tp += group.same;
    fp += group.diff;
    points.push({ threshold: group.score, far: fp / g.negatives, tar: tp / g.positives });
  }
  return points;
}

/** Area under the ROC curve via the Mann–Whitney rank sum; tied same/diff scores count 1/2. */
export function rocAuc(pairs: readonly ScoredPair[]): number {
  const g = groupDescending(pairs);
  requireBothClasses(g);
  // Ranks are 1-based in ascending order; a tie group shares the average of its ranks.
  let rankSum = 0;
  let below = 0;
  for (let k = g.groups.length - 1; k >= 0; k--) {
    const group = g.groups[k]!;
    const count = group.same + group.diff;
    rankSum += group.same * (below + (count + 1) / 2);
    below += count;
  }
  const p = g.positives;
  return (rankSum - (p * (p + 1)) / 2) / (p * g.negatives);
}

/**
 * Equal error rate: where the piecewise-linear ROC curve crosses FAR = FRR (= 1 - TAR).
 * The threshold is interpolated between the two bracketing points' thresholds, or is the lower
 * point's threshold when the upper one is the +Infinity start point.
 */
export function eer(pairs: readonly ScoredPair[]): EqualErrorRate {
  const curve = rocCurve(pairs);
  // FAR - FRR rises from -1 at the start point to +1 at the end, so a crossing always exists.
  for (let i = 1; i < curve.length; i++) {
    const cur = curve[i]!;
    const dCur = cur.far - (1 - cur.tar);
    if (dCur < 0) continue;
    const prev = curve[i - 1]!;
    const dPrev = prev.far - (1 - prev.tar);
    const t = -dPrev / (dCur - dPrev);
    const rate = prev.far + t * (cur.far - prev.far);
    const threshold = Number.isFinite(prev.threshold)
      ? prev.threshold + t * (cur.threshold - prev.threshold)
      : cur.threshold;
    return { threshold, rate };
  }
  // Unreachable: the last ROC point has FAR = 1, FRR = 0.
  throw new Error('eer: ROC curve did not cross FAR = FRR');
}

/**
 * TAR at the lowest threshold (a score present in the data) whose FAR is <= `far`. If even the
 * top score is too permissive, the threshold is +Infinity and nothing is accepted.
 */
export function tarAtFar(pairs: readonly ScoredPair[], far: number): TarAtFar {
  if (!Number.isFinite(far) || far < 0 || far > 1) {
    throw new ConfigError(`target FAR must be between 0 and 1 (got ${far})`);
  }
  const g = groupDescending(pairs);
  requireBothClasses(g);
  // Compare counts, not rates, so e.g. 3/30 vs 0.1 is not at the mercy of float rounding.
  const maxFalseAccepts = far * g.negatives + 1e-9;
  let best = { threshold: Number.POSITIVE_INFINITY, tp: 0, fp: 0 };
  let tp = 0;
  let fp = 0;
  for (const group of g.groups) {
    tp += group.same;
    fp += group.diff;
    if (fp > maxFalseAccepts) break;
    best = { threshold: group.score, tp, fp };
  }
  return {
    threshold: best.threshold,
    tar: best.tp / g.positives,
    far: best.fp / g.negatives,
    resolved: far > 0 && g.negatives * far >= 1 - 1e-9,
  };
}

/**
 * Threshold maximising accuracy, midway between adjacent distinct scores. Accepting everything
 * uses the lowest score; rejecting everything uses +Infinity. Ties go to the highest threshold
 * (fewest false accepts).
 */
export function bestAccuracyThreshold(pairs: readonly ScoredPair[]): AccuracyThreshold {
  if (pairs.length === 0) throw new ConfigError('cannot choose a threshold from zero pairs');
  const g = groupDescending(pairs);
  // Start by rejecting everything: exactly the different-person pairs are right.
  let correct = g.negatives;
  let best = { threshold: Number.POSITIVE_INFINITY, correct };
  for (let k = 0; k < g.groups.length; k++) {
    const group = g.groups[k]!;
    correct += group.same - group.diff;
    if (correct > best.correct) {
      const next = g.groups[k + 1];
      best = { threshold: next ? (group.score + next.score) / 2 : group.score, correct };
    }
  }
  return { threshold: best.threshold, accuracy: best.correct / pairs.length };
}

function accuracyAt(pairs: readonly ScoredPair[], threshold: number): number {
  let correct = 0;
  for (const p of pairs) if (p.score >= threshold === p.same) correct++;
  return correct / pairs.length;
}

/** Fold of every pair: their own, or round-robin 1..folds when none carries one. */
function assignFolds(pairs: readonly ScoredPair[], folds: number): number[] {
  const withFold = pairs.filter((p) => p.fold !== undefined).length;
  if (withFold === 0) return pairs.map((_, i) => (i % folds) + 1);
  if (withFold !== pairs.length) {
    throw new ConfigError(`${pairs.length - withFold} of ${pairs.length} pairs have no fold number`);
  }
  return pairs.map((p, i) => {
    const fold = p.fold!;
    if (!Number.isInteger(fold) || fold < 1) {
      throw new ConfigError(`pair ${i + 1} has an invalid fold ${fold} (folds are integers >= 1)`);
    }
    return fold;
  });
}

/**
 * LFW "unrestricted" protocol: for each fold, pick the best-accuracy threshold on the other folds
 * and score the held-out fold with it, so the reported accuracy never sees its own threshold.
 */
export function kFoldAccuracy(pairs: readonly ScoredPair[], folds = 10): KFoldAccuracy {
  if (!Number.isInteger(folds) || folds < 2)
    throw new ConfigError(`folds must be an integer >= 2 (got ${folds})`);
  const foldOf = assignFolds(pairs, folds);
  const byFold = new Map<number, ScoredPair[]>();
  for (const [i, p] of pairs.entries()) {
    const fold = foldOf[i]!;
    const list = byFold.get(fold) ?? [];
    list.push(p);
    byFold.set(fold, list);
  }
  const foldNumbers = [...byFold.keys()].sort((x, y) => x - y);
  if (foldNumbers.length < 2)
    throw new ConfigError(`k-fold needs at least 2 non-empty folds (got ${foldNumbers.length})`);

  const perFold: FoldAccuracy[] = foldNumbers.map((fold) => {
    const train = pairs.filter((_, i) => foldOf[i] !== fold);
    const { threshold } = bestAccuracyThreshold(train);
    return { fold, threshold, accuracy: accuracyAt(byFold.get(fold)!, threshold) };
  });

  const k = perFold.length;
  const mean = perFold.reduce((s, f) => s + f.accuracy, 0) / k;
  const std = Math.sqrt(perFold.reduce((s, f) => s + (f.accuracy - mean) ** 2, 0) / (k - 1));
  const threshold = perFold.reduce((s, f) => s + f.threshold, 0) / k;
  return { mean, std, stdErr: std / Math.sqrt(k), perFold, threshold };
}

function meanAndVariance(values: readonly number[]): { mean: number; variance: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
  return { mean, variance };
}

/** Separation of the two score distributions in pooled standard deviations (population variances). */
export function dPrime(pairs: readonly ScoredPair[]): number {
  const g = groupDescending(pairs);
  requireBothClasses(g);
  const same = meanAndVariance(pairs.filter((p) => p.same).map((p) => p.score));
  const diff = meanAndVariance(pairs.filter((p) => !p.same).map((p) => p.score));
  return (same.mean - diff.mean) / Math.sqrt((same.variance + diff.variance) / 2);
}

/** Linear-interpolation quantile (numpy's default) of ascending-sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const loValue = sorted[lo]!;
  const hiValue = sorted[Math.min(lo + 1, sorted.length - 1)]!;
  return loValue + (h - lo) * (hiValue - loValue);
}

/** Summary of a score distribution; every field but `n` is NaN when there are no scores. */
export function scoreStats(scores: readonly number[]): ScoreStats {
  const n = scores.length;
  if (n === 0) {
    return {
      n,
      mean: Number.NaN,
      std: Number.NaN,
      min: Number.NaN,
      p05: Number.NaN,
      p50: Number.NaN,
      p95: Number.NaN,
      max: Number.NaN,
    };
  }
  const sorted = [...scores].sort((x, y) => x - y);
  const { mean, variance } = meanAndVariance(sorted);
  return {
    n,
    mean,
    std: Math.sqrt(variance),
    min: sorted[0]!,
    p05: quantile(sorted, 0.05),
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    max: sorted[n - 1]!,
  };
}
