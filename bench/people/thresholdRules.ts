/**
 * Per-person thresholds for a benchmark run: the fixed global default, the normal tail of the
 * cohort (cohortThreshold, the rule calibrateThresholds used before the t tail replaced it) or the
 * Student's t tail (studentTailThreshold; at DEFAULT_TAIL_DOF that is calibrateThresholds, the
 * decision core's rule) on the same cohort.
 */
import type { PersonModel } from '../../core/decide/PeopleMatrix.js';
import { studentTailThreshold } from '../../core/decide/studentTailThreshold.js';
import {
  type CohortPolicy,
  cohortThreshold,
  DEFAULT_COHORT_POLICY,
  type ThresholdChoice,
} from '../../core/decide/thresholds.js';
import type { FaceVectors } from '../../core/match/fusion.js';
import { matrixOf } from './evaluate.js';

export type ThresholdRule =
  | { kind: 'fixed'; value: number }
  | { kind: 'normal'; policy: CohortPolicy }
  | { kind: 'studentT'; policy: CohortPolicy; dof: number };

/** E.g. `fixed 0.40`, `normal 1e-4`, `t17 1e-4 floor 0.30` (floor, ceiling, minCohort shown when not the defaults). */
export const ruleLabel = (r: ThresholdRule): string => {
  if (r.kind === 'fixed') return `fixed ${r.value.toFixed(2)}`;
  const d = DEFAULT_COHORT_POLICY;
  const p = r.policy;
  return [
    r.kind === 'normal' ? 'normal' : `t${r.dof}`,
    p.far.toExponential(0),
    ...(p.floor !== d.floor ? [`floor ${p.floor.toFixed(2)}`] : []),
    ...(p.ceiling !== d.ceiling ? [`ceiling ${p.ceiling.toFixed(2)}`] : []),
    ...(p.minCohort !== d.minCohort ? [`minCohort ${p.minCohort}`] : []),
  ].join(' ');
};

/** Each person's column of scores against the cohort (person j: scores[j]). */
export const cohortColumns = (
  people: readonly PersonModel[],
  cohort: readonly FaceVectors[],
): Float32Array[] => {
  const m = matrixOf(people, 0);
  const S = m.score(cohort);
  const P = m.size;
  return people.map((_, j) => {
    const col = new Float32Array(cohort.length);
    for (let i = 0; i < cohort.length; i++) col[i] = S[i * P + j]!;
    return col;
  });
};

export const thresholdChoices = (
  rule: ThresholdRule,
  people: readonly PersonModel[],
  cohort: readonly FaceVectors[],
  columns?: readonly Float32Array[],
): ThresholdChoice[] | null => {
  if (rule.kind === 'fixed') return null;
  const cols = columns ?? cohortColumns(people, cohort);
  // 'normal' is the normal tail it is labelled: calibrateThresholds is the t tail now.
  if (rule.kind === 'normal') return cols.map((c) => cohortThreshold(c, rule.policy));
  return cols.map((c) => studentTailThreshold(c, rule.policy, rule.dof));
};

export const thresholdsOf = (
  rule: ThresholdRule,
  people: readonly PersonModel[],
  cohort: readonly FaceVectors[],
  columns?: readonly Float32Array[],
): Float32Array => {
  const choices = thresholdChoices(rule, people, cohort, columns);
  if (rule.kind === 'fixed') return new Float32Array(people.length).fill(rule.value);
  return Float32Array.from(choices!.map((c) => c.threshold));
};
