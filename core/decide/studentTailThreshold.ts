import { DEFAULT_THRESHOLD } from '../match/defaults.js';
import { inverseNormalCdf } from './inverseNormalCdf.js';
import { studentTQuantile } from './studentTQuantile.js';
import { type CohortPolicy, type ThresholdChoice, ThresholdSource } from './thresholds.js';

/**
 * Degrees of freedom of the reference tail, measured on ../shared/datasets (BENCHMARKS.md
 * "People"): impostor scores standardised by each person's median and MAD follow Student's t with
 * 20 degrees of freedom from FAR 1e-2 to 1e-4 in the default (fused) embed mode, fitted on all sets
 * and on three of them leaving each out (fast mode fits 15), much heavier than the normal tail.
 */
export const DEFAULT_TAIL_DOF = 20;

const median = (sorted: Float64Array): number => {
  const n = sorted.length;
  return n % 2 ? sorted[n >> 1]! : (sorted[(n >> 1) - 1]! + sorted[n >> 1]!) / 2;
};

/**
 * Multiplier of the MAD-based spread (1.4826 × MAD) at which a Student's t with `dof` degrees of
 * freedom leaves `far` above: its quantile rescaled so its own MAD-based spread is 1.
 */
export const studentTailMultiplier = (far: number, dof: number): number =>
  (studentTQuantile(1 - far, dof) * inverseNormalCdf(0.75)) / studentTQuantile(0.75, dof);

/**
 * Like `cohortThreshold` (thresholds.ts), the same robust centre and spread (median and
 * 1.4826 × MAD, which the person's own unlabelled faces, a minority in the upper tail, barely
 * move), but the threshold is where a Student's t tail, not a normal one, leaves `far` of
 * impostors above it: impostor scores have more lookalikes far out than a normal bulk predicts
 * (relatives, same capture conditions), so the normal model's thresholds let several times `far`
 * through. Clamped to [floor, ceiling]; the default threshold when the cohort is too small.
 */
export const studentTailThreshold = (
  impostorScores: ArrayLike<number>,
  policy: CohortPolicy,
  dof: number = DEFAULT_TAIL_DOF,
): ThresholdChoice => {
  const n = impostorScores.length;
  if (n < policy.minCohort) return { threshold: DEFAULT_THRESHOLD, source: ThresholdSource.Default };
  const sorted = Float64Array.from(impostorScores).sort();
  const centre = median(sorted);
  const spread = 1.4826 * median(sorted.map((s) => Math.abs(s - centre)).sort());
  const raw = centre + studentTailMultiplier(policy.far, dof) * spread;
  const threshold = Math.min(policy.ceiling, Math.max(policy.floor, raw));
  return { threshold, source: ThresholdSource.Cohort, cohort: { faces: n, median: centre, spread, raw } };
};
