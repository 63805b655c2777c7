import { describe, expect, it } from 'vitest';
import { inverseNormalCdf } from '../../core/decide/inverseNormalCdf.js';
import {
  DEFAULT_TAIL_DOF,
  studentTailMultiplier,
  studentTailThreshold,
} from '../../core/decide/studentTailThreshold.js';
import { studentTQuantile, studentTUpperTail } from '../../core/decide/studentTQuantile.js';
import { type CohortPolicy, cohortThreshold, ThresholdSource } from '../../core/decide/thresholds.js';
import { DEFAULT_THRESHOLD } from '../../core/match/defaults.js';
import { gaussian, type Rng, seededRng } from '../helpers/random.js';

const OPEN: CohortPolicy = { far: 1e-3, floor: -10, ceiling: 10, minCohort: 10 };

describe('Function: studentTQuantile', () => {
  it('gives the tabulated quantiles', () => {
    const known: [number, number, number][] = [
      [0.975, 10, 2.228138852],
      [0.995, 30, 2.749995654],
      [0.999, 5, 5.893429531],
      [0.95, 1, 6.313751515],
      [0.9, 3, 1.637744354],
    ];
    for (const [p, dof, t] of known) expect(studentTQuantile(p, dof)).toBeCloseTo(t, 7);
  });

  it('matches the closed forms for 1 and 2 degrees of freedom', () => {
    for (const p of [0.6, 0.9, 0.99, 1 - 1e-6]) {
      expect(studentTQuantile(p, 1) / Math.tan(Math.PI * (p - 0.5))).toBeCloseTo(1, 9);
      expect(studentTQuantile(p, 2) / ((2 * p - 1) / Math.sqrt(2 * p * (1 - p)))).toBeCloseTo(1, 9);
    }
  });

  it('tends to the normal quantile with many degrees of freedom', () => {
    for (const p of [0.9, 0.999, 1 - 1e-5])
      expect(studentTQuantile(p, 1e7)).toBeCloseTo(inverseNormalCdf(p), 4);
  });

  it('is antisymmetric, zero at one half and the inverse of the upper tail', () => {
    expect(studentTQuantile(0.5, 7)).toBe(0);
    expect(studentTQuantile(0.01, 7)).toBeCloseTo(-studentTQuantile(0.99, 7), 10);
    for (const p of [0.7, 0.99, 1 - 1e-7])
      expect(studentTUpperTail(studentTQuantile(p, 20), 20) / (1 - p)).toBeCloseTo(1, 7);
    expect(studentTUpperTail(0, 20)).toBeCloseTo(0.5, 12);
    expect(studentTUpperTail(-1, 20)).toBeCloseTo(1 - studentTUpperTail(1, 20), 12);
  });

  it('refuses a probability outside (0, 1) and non-positive degrees of freedom', () => {
    for (const p of [0, 1, Number.NaN]) expect(() => studentTQuantile(p, 5)).toThrow(RangeError);
    for (const dof of [0, -1, Number.NaN]) expect(() => studentTQuantile(0.9, dof)).toThrow(RangeError);
  });
});

describe('Function: studentTailMultiplier', () => {
  it('is the normal quantile at the quartile (where both are scaled to agree) and beyond it larger', () => {
    expect(studentTailMultiplier(0.25, DEFAULT_TAIL_DOF)).toBeCloseTo(inverseNormalCdf(0.75), 9);
    for (const far of [1e-2, 1e-3, 1e-4, 1e-5])
      expect(studentTailMultiplier(far, DEFAULT_TAIL_DOF)).toBeGreaterThan(inverseNormalCdf(1 - far));
  });

  it('grows with a heavier tail (fewer degrees of freedom) and tends to the normal one', () => {
    expect(studentTailMultiplier(1e-4, 5)).toBeGreaterThan(studentTailMultiplier(1e-4, 20));
    expect(studentTailMultiplier(1e-4, 1e7)).toBeCloseTo(inverseNormalCdf(1 - 1e-4), 4);
  });
});

/** location + scale × Student's t with `dof` degrees of freedom (normal over the root of a chi-square). */
const studentSample = (rng: Rng, n: number, dof: number, location: number, scale: number): Float64Array =>
  Float64Array.from({ length: n }, () => {
    let chi = 0;
    for (let k = 0; k < dof; k++) chi += gaussian(rng) ** 2;
    return location + (scale * gaussian(rng)) / Math.sqrt(chi / dof);
  });

describe('Function: studentTailThreshold', () => {
  it('leaves about `far` of a Student-t cohort above, where the normal model lets several times more through', () => {
    // Prepare: a cohort with the tail measured on the dev sets.
    const scores = studentSample(seededRng(11), 200_000, 20, 0.05, 0.08);

    // Act
    const t = studentTailThreshold(scores, { ...OPEN, far: 1e-3 }, 20);
    const normal = cohortThreshold(scores, { ...OPEN, far: 1e-3 });

    // Assess
    const above = (x: number): number => scores.filter((s) => s >= x).length / scores.length;
    expect(t.source).toBe(ThresholdSource.Cohort);
    expect(above(t.threshold)).toBeGreaterThan(0.7e-3);
    expect(above(t.threshold)).toBeLessThan(1.3e-3);
    expect(above(normal.threshold)).toBeGreaterThan(1.5e-3);
  });

  it('uses the same robust centre and spread as the normal model', () => {
    const scores = studentSample(seededRng(12), 5000, 20, 0.05, 0.08);
    const t = studentTailThreshold(scores, OPEN, 20);
    const n = cohortThreshold(scores, OPEN);
    expect(t.cohort!.median).toBe(n.cohort!.median);
    expect(t.cohort!.spread).toBe(n.cohort!.spread);
    expect(t.cohort!.raw).toBeCloseTo(
      t.cohort!.median + studentTailMultiplier(OPEN.far, 20) * t.cohort!.spread,
      12,
    );
  });

  it("is robust to a minority of the person's own faces", () => {
    const rng = seededRng(13);
    const impostors = Array.from(studentSample(rng, 3000, 20, 0.05, 0.08));
    const own = Array.from({ length: 90 }, () => 0.75 + 0.05 * gaussian(rng));
    const clean = studentTailThreshold(impostors, OPEN).threshold;
    const mixed = studentTailThreshold([...impostors, ...own], OPEN).threshold;
    expect(mixed - clean).toBeGreaterThan(0);
    expect(mixed - clean).toBeLessThan(0.03);
  });

  it('clamps to floor and ceiling and falls back to the default for a small cohort', () => {
    const scores = studentSample(seededRng(14), 1000, 20, 0.05, 0.08);
    expect(studentTailThreshold(scores, { ...OPEN, floor: 0.6 }).threshold).toBe(0.6);
    const capped = studentTailThreshold(scores, { ...OPEN, ceiling: 0.2 });
    expect(capped.threshold).toBe(0.2);
    expect(capped.cohort!.raw).toBeGreaterThan(0.2);
    expect(studentTailThreshold(scores.slice(0, 9), OPEN)).toEqual({
      threshold: DEFAULT_THRESHOLD,
      source: ThresholdSource.Default,
    });
  });
});
