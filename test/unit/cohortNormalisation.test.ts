import { describe, expect, it } from 'vitest';
import { asNorm, topKStats } from '../../bench/accuracy/cohortNormalisation.js';

describe('cohort normalisation maths (bench)', () => {
  it('takes the mean and spread of the k highest cohort scores only', () => {
    const s = topKStats([0.1, 0.9, 0.3, 0.7, -0.2], 2);
    expect(s.mean).toBeCloseTo(0.8, 12);
    expect(s.sd).toBeCloseTo(0.1, 12);
    expect(topKStats([0.1, 0.9, 0.3, 0.7, -0.2], 99).mean).toBeCloseTo(0.36, 12);
  });

  it('never divides by a zero spread', () => {
    expect(topKStats([0.5, 0.5, 0.5], 3).sd).toBeGreaterThan(0);
    expect(Number.isFinite(asNorm(0.6, topKStats([0.5, 0.5], 2), topKStats([0.5, 0.5], 2)))).toBe(true);
  });

  it('averages the two sides z-scores: a face whose cohort scores run high is discounted', () => {
    const calm = { mean: 0.1, sd: 0.05 };
    const hub = { mean: 0.3, sd: 0.05 };
    expect(asNorm(0.4, calm, calm)).toBeCloseTo(6, 12);
    expect(asNorm(0.4, calm, hub)).toBeCloseTo(4, 12);
    expect(asNorm(0.4, hub, calm)).toBeCloseTo(asNorm(0.4, calm, hub), 12);
  });
});
