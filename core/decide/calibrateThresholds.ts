import type { FaceVectors } from '../match/fusion.js';
import type { PeopleMatrix } from './PeopleMatrix.js';
import { studentTailThreshold } from './studentTailThreshold.js';
import type { CohortPolicy, ThresholdChoice } from './thresholds.js';

/**
 * Each person's cohort threshold: their template scored against the cohort (faces nobody claimed),
 * one matrix product for everyone, then the Student's t tail per person's column of scores. The t
 * tail, not the normal one of `cohortThreshold`: measured on ../shared/datasets (BENCHMARKS.md
 * "People"), the normal model let 6.3x the target false-match rate through at 1e-4, the t tail 0.4x
 * (1.1x at 1e-3), so `--far` means what it says.
 */
export const calibrateThresholds = (
  people: PeopleMatrix,
  cohort: readonly FaceVectors[],
  policy: CohortPolicy,
): ThresholdChoice[] => {
  const P = people.size;
  const S = people.score(cohort);
  const column = new Float32Array(cohort.length);
  return people.names.map((_, j) => {
    for (let i = 0; i < cohort.length; i++) column[i] = S[i * P + j]!;
    return studentTailThreshold(column, policy);
  });
};
