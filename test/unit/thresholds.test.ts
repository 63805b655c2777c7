import { describe, expect, it } from 'vitest';
import { inverseNormalCdf } from '../../core/decide/inverseNormalCdf.js';
import {
  type CohortPolicy,
  chooseThreshold,
  cohortThreshold,
  DEFAULT_COHORT_POLICY,
  ThresholdSource,
} from '../../core/decide/thresholds.js';
import { DEFAULT_THRESHOLD } from '../../core/match/defaults.js';
import { gaussian, seededRng } from '../helpers/random.js';

const OPEN: CohortPolicy = { far: 1e-4, floor: -1, ceiling: 1, minCohort: 10 };

describe('Function: inverseNormalCdf', () => {
  it('gives the known standard normal quantiles', () => {
    const known: [number, number][] = [
      [0.5, 0],
      [0.75, 0.6744897502],
      [0.975, 1.959963985],
      [0.995, 2.575829304],
      [1 - 1e-3, 3.090232306],
      [1 - 1e-4, 3.719016485],
      [1 - 1e-5, 4.264890794],
      [1e-9, -5.997807015],
      // Inside the lower tail branch (p < 0.02425) and just outside it.
      [0.02, -2.053748911],
      [0.03, -1.880793608],
    ];
    for (const [p, z] of known) expect(inverseNormalCdf(p)).toBeCloseTo(z, 7);
  });

  it('is antisymmetric around one half', () => {
    for (const p of [1e-6, 0.01, 0.1, 0.3])
      expect(inverseNormalCdf(p)).toBeCloseTo(-inverseNormalCdf(1 - p), 9);
  });

  it('refuses probabilities outside (0, 1)', () => {
    for (const p of [0, 1, -0.1, 1.5, Number.NaN]) expect(() => inverseNormalCdf(p)).toThrow(RangeError);
  });
});

/** Scores with a known median 0.1 and MAD 0.05: 0.1 ± 0.05 × k for k = 0, 1, 1, 2, 2 … */
const knownCohort = (): number[] => {
  const out = [0.1];
  for (let i = 0; i < 100; i++)
    out.push(0.05, 0.15, 0.1 - 0.05 * (i % 2 ? 1 : 0.5), 0.1 + 0.05 * (i % 2 ? 1 : 0.5));
  return out;
};

describe('Function: cohortThreshold', () => {
  it('is the median plus z(1 - far) times 1.4826 MAD', () => {
    // Prepare: median 0.1; absolute deviations are 0.05 for half of them or more, so MAD 0.05.
    const scores = knownCohort();

    // Act
    const c = cohortThreshold(scores, OPEN);

    // Assess
    expect(c.source).toBe(ThresholdSource.Cohort);
    expect(c.cohort!.faces).toBe(scores.length);
    expect(c.cohort!.median).toBeCloseTo(0.1, 9);
    expect(c.cohort!.spread).toBeCloseTo(1.4826 * 0.05, 9);
    expect(c.threshold).toBeCloseTo(0.1 + 3.719016485 * 1.4826 * 0.05, 6);
    expect(c.cohort!.raw).toBe(c.threshold);
  });

  it('leaves about `far` of a normal cohort above the threshold', () => {
    const rng = seededRng(3);
    const scores = Float32Array.from({ length: 200_000 }, () => 0.05 + 0.1 * gaussian(rng));
    const c = cohortThreshold(scores, { ...OPEN, far: 1e-3 });
    expect(c.threshold).toBeCloseTo(0.05 + 0.1 * 3.0902, 2);
    const above = scores.filter((s) => s >= c.threshold).length / scores.length;
    expect(above).toBeGreaterThan(0.7e-3);
    expect(above).toBeLessThan(1.3e-3);
  });

  it('clamps to the floor and to the ceiling, keeping the raw value', () => {
    const low = cohortThreshold(knownCohort(), { ...OPEN, floor: 0.5 });
    expect(low.threshold).toBe(0.5);
    expect(low.cohort!.raw).toBeLessThan(0.5);
    const high = cohortThreshold(knownCohort(), { ...OPEN, ceiling: 0.2 });
    expect(high.threshold).toBe(0.2);
    expect(high.cohort!.raw).toBeGreaterThan(0.2);
  });

  it('falls back to the default threshold when the cohort is too small', () => {
    const c = cohortThreshold([0.1, 0.2, 0.3], { ...OPEN, minCohort: 4 });
    expect(c).toEqual({ threshold: DEFAULT_THRESHOLD, source: ThresholdSource.Default });
    expect(cohortThreshold([0.1, 0.2, 0.3, 0.4], { ...OPEN, minCohort: 4 }).source).toBe(
      ThresholdSource.Cohort,
    );
  });

  it("is robust to a minority of the person's own faces in the cohort, unlike a mean and standard deviation", () => {
    const rng = seededRng(5);
    const impostors = Array.from({ length: 2000 }, () => 0.05 + 0.1 * gaussian(rng));
    // 3 % of the cohort is the person themself, scoring high.
    const own = Array.from({ length: 60 }, () => 0.75 + 0.05 * gaussian(rng));
    const clean = cohortThreshold(impostors, OPEN).threshold;
    const mixed = cohortThreshold([...impostors, ...own], OPEN).threshold;
    expect(mixed - clean).toBeGreaterThan(0);
    expect(mixed - clean).toBeLessThan(0.03);
    const meanSd = (xs: number[]): number => {
      const m = xs.reduce((s, v) => s + v, 0) / xs.length;
      return m + 3.719 * Math.sqrt(xs.reduce((s, v) => s + (v - m) ** 2, 0) / xs.length);
    };
    expect(meanSd([...impostors, ...own]) - meanSd(impostors)).toBeGreaterThan(0.15);
  });

  it('does not depend on the order of the scores and does not change them', () => {
    const scores = knownCohort();
    const copy = [...scores];
    const a = cohortThreshold(scores, OPEN);
    expect(scores).toEqual(copy);
    expect(cohortThreshold([...scores].reverse(), OPEN)).toEqual(a);
  });

  it('gets stricter as the target false-match rate gets smaller', () => {
    const t = [1e-2, 1e-3, 1e-4, 1e-5].map(
      (far) => cohortThreshold(knownCohort(), { ...OPEN, far }).threshold,
    );
    for (let i = 1; i < t.length; i++) expect(t[i]!).toBeGreaterThan(t[i - 1]!);
  });
});

describe('Function: chooseThreshold', () => {
  const cohort = cohortThreshold(knownCohort(), OPEN);

  it('takes --threshold first, then the person, then the cohort, then the default', () => {
    expect(chooseThreshold({ override: 0.55, person: 0.6, cohort })).toEqual({
      threshold: 0.55,
      source: ThresholdSource.Override,
    });
    expect(chooseThreshold({ person: 0.6, cohort })).toEqual({
      threshold: 0.6,
      source: ThresholdSource.Person,
    });
    expect(chooseThreshold({ cohort })).toBe(cohort);
    expect(chooseThreshold({})).toEqual({ threshold: DEFAULT_THRESHOLD, source: ThresholdSource.Default });
  });

  it('treats 0 as a value and null or undefined as absent', () => {
    expect(chooseThreshold({ override: 0, cohort }).threshold).toBe(0);
    expect(chooseThreshold({ person: 0, cohort }).source).toBe(ThresholdSource.Person);
    expect(chooseThreshold({ override: undefined, person: null, cohort })).toBe(cohort);
  });
});

describe('Constant: DEFAULT_COHORT_POLICY', () => {
  it('only ever makes a threshold stricter than the global default, within a findable range', () => {
    expect(DEFAULT_COHORT_POLICY.floor).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
    expect(DEFAULT_COHORT_POLICY.ceiling).toBeGreaterThan(DEFAULT_COHORT_POLICY.floor);
    expect(DEFAULT_COHORT_POLICY.ceiling).toBeLessThan(1);
    expect(DEFAULT_COHORT_POLICY.far).toBeGreaterThan(0);
    expect(DEFAULT_COHORT_POLICY.far).toBeLessThan(0.5);
    expect(Number.isInteger(DEFAULT_COHORT_POLICY.minCohort)).toBe(true);
  });
});
