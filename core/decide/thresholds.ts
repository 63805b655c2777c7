import { DEFAULT_THRESHOLD } from '../match/defaults.js';
import { inverseNormalCdf } from './inverseNormalCdf.js';

/** How a person's threshold was set. */
export const ThresholdSource = {
  /** --threshold on the command line, for everyone. */
  Override: 'override',
  /** Stored on the person (teacher calibration, or set by hand). */
  Person: 'person',
  /** From the library's impostor cohort for this person at the target false-match rate. */
  Cohort: 'cohort',
  /** Too few faces to calibrate: the global default. */
  Default: 'default',
} as const;
export type ThresholdSource = (typeof ThresholdSource)[keyof typeof ThresholdSource];

export interface ThresholdChoice {
  threshold: number;
  source: ThresholdSource;
  /** Cohort statistics, when the cohort set it. */
  cohort?: { faces: number; median: number; spread: number; raw: number };
}

export interface CohortPolicy {
  /** Target false-match rate per face (impostor face scored at or above the threshold). */
  far: number;
  /** Never below this: a person with an unusually spread-out cohort must not match everything. */
  floor: number;
  /** Never above this: a very tight cohort must not make the person unfindable. */
  ceiling: number;
  /** Fewer cohort faces than this and the default threshold is used. */
  minCohort: number;
}

/**
 * Measured by `npm run bench:people` on ../shared/datasets (BENCHMARKS.md "People", 2026-12-02).
 * far 1e-4, with the Student's t tail the product calibrates with (calibrateThresholds.ts), so the
 * promise holds (0.4x of the target observed): strangers left unknown rise from 96.9 % to 99.1 % on the
 * 61-people album and false matches per 1,000 faces fall from 7.0 to 2.0, for 1-4.6 points of recall
 * against the fixed 0.40 (glint24 0.971 → 0.929); --far 1e-3 keeps recall within 1.2 points. floor 0.40, the global default, so a calibrated
 * threshold is only ever stricter: a floor of 0.30 tripled the album's false matches for 0.1 point
 * of recall. ceiling 0.50: 91-93 % of the hardest sets' own faces reach it; 0.70 found no fewer
 * false matches and, with the t tail, lost up to 12 points of recall. minCohort 500: a threshold
 * from n cohort faces wobbles by about 0.6 / sqrt(n), 0.027 at 500.
 */
export const DEFAULT_COHORT_POLICY: CohortPolicy = Object.freeze({
  far: 1e-4,
  floor: DEFAULT_THRESHOLD,
  ceiling: 0.5,
  minCohort: 500,
});

/** 1.4826 × MAD estimates the standard deviation of a normal bulk. */
const MAD_TO_SIGMA = 1.4826;

const medianOf = (sorted: Float64Array): number => {
  const n = sorted.length;
  return n % 2 ? sorted[n >> 1]! : (sorted[(n >> 1) - 1]! + sorted[n >> 1]!) / 2;
};

/**
 * A person's threshold from the scores of their template against faces that are (overwhelmingly)
 * not them. The bulk of those scores is fitted by its median and MAD, which the person's own
 * unlabelled faces in the cohort (a minority, in the upper tail) barely move, and the threshold is
 * where that fitted distribution leaves `far` of impostors above it, clamped to [floor, ceiling].
 */
export const cohortThreshold = (impostorScores: ArrayLike<number>, policy: CohortPolicy): ThresholdChoice => {
  const n = impostorScores.length;
  if (n < policy.minCohort) return { threshold: DEFAULT_THRESHOLD, source: ThresholdSource.Default };
  const sorted = Float64Array.from(impostorScores).sort();
  const median = medianOf(sorted);
  const deviations = sorted.map((s) => Math.abs(s - median)).sort();
  const spread = MAD_TO_SIGMA * medianOf(deviations);
  const raw = median + inverseNormalCdf(1 - policy.far) * spread;
  const threshold = Math.min(policy.ceiling, Math.max(policy.floor, raw));
  return { threshold, source: ThresholdSource.Cohort, cohort: { faces: n, median, spread, raw } };
};

/**
 * The one threshold rule, for the CLI and the cloud alike: --threshold for everyone, else the
 * person's own stored threshold, else the cohort's, else the default.
 */
export const chooseThreshold = (o: {
  override?: number | undefined;
  person?: number | null | undefined;
  cohort?: ThresholdChoice | undefined;
}): ThresholdChoice => {
  if (o.override !== undefined) return { threshold: o.override, source: ThresholdSource.Override };
  if (o.person !== undefined && o.person !== null)
    return { threshold: o.person, source: ThresholdSource.Person };
  if (o.cohort) return o.cohort;
  return { threshold: DEFAULT_THRESHOLD, source: ThresholdSource.Default };
};
