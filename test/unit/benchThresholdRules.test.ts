import { describe, expect, it } from 'vitest';
import { cohortColumns, thresholdsOf } from '../../bench/people/thresholdRules.js';
import { studentTailThreshold } from '../../core/decide/studentTailThreshold.js';
import { type CohortPolicy, cohortThreshold } from '../../core/decide/thresholds.js';
import { randomUnitVector, seededRng } from '../helpers/random.js';

describe('bench threshold rules', () => {
  it('the "normal" arm runs the normal tail it is labelled, not the t tail calibrateThresholds uses', () => {
    // Prepare: one person and 2,000 unrelated cohort faces, no clamping so the tails show
    const rng = seededRng(19);
    const people = [{ name: 'p', template: { centroid: randomUnitVector(rng, 32) }, threshold: 0 }];
    const cohort = Array.from({ length: 2000 }, () => ({ embedding: randomUnitVector(rng, 32) }));
    const policy: CohortPolicy = { far: 1e-4, floor: -1, ceiling: 1, minCohort: 500 };
    const column = cohortColumns(people, cohort)[0]!;

    // Act
    const [normal] = thresholdsOf({ kind: 'normal', policy }, people, cohort);
    const [t20] = thresholdsOf({ kind: 'studentT', policy, dof: 20 }, people, cohort);

    // Assess
    expect(normal).toBeCloseTo(cohortThreshold(column, policy).threshold, 5);
    expect(t20).toBeCloseTo(studentTailThreshold(column, policy, 20).threshold, 5);
    expect(t20! - normal!).toBeGreaterThan(0.01);
  });
});
