import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import {
  bestAccuracyThreshold,
  dPrime,
  eer,
  kFoldAccuracy,
  rocAuc,
  rocCurve,
  type ScoredPair,
  scoreStats,
  tarAtFar,
} from '../../core/match/roc.js';

const same = (score: number, fold?: number): ScoredPair => ({ score, same: true, fold });
const diff = (score: number, fold?: number): ScoredPair => ({ score, same: false, fold });

// Same-person 0.9 and 0.4, different-person 0.6 and 0.1: one of four same/diff orderings is wrong.
const fourPairs: ScoredPair[] = [same(0.9), diff(0.6), same(0.4), diff(0.1)];
const separated: ScoredPair[] = [same(0.9), same(0.8), diff(0.2), diff(0.1)];
const reversed: ScoredPair[] = [same(0.2), same(0.1), diff(0.9), diff(0.8)];

/** Deterministic LCG so the brute-force comparison is reproducible. */
function randomPairs(n: number, seed: number): ScoredPair[] {
  let state = seed;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  // Few distinct scores, so ties between classes are common.
  return Array.from({ length: n }, () => ({ score: Math.floor(next() * 5), same: next() < 0.4 }));
}

function bruteForceAuc(pairs: ScoredPair[]): number {
  const pos = pairs.filter((p) => p.same);
  const neg = pairs.filter((p) => !p.same);
  let wins = 0;
  for (const p of pos) for (const q of neg) wins += p.score > q.score ? 1 : p.score === q.score ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

describe('Function: rocCurve', () => {
  it('lists one point per distinct score, highest threshold first, from (0,0) to (1,1)', () => {
    // Prepare
    const pairs = fourPairs;

    // Act
    const curve = rocCurve(pairs);

    // Assess
    expect(curve).toEqual([
      { threshold: Number.POSITIVE_INFINITY, far: 0, tar: 0 },
      { threshold: 0.9, far: 0, tar: 0.5 },
      { threshold: 0.6, far: 0.5, tar: 0.5 },
      { threshold: 0.4, far: 0.5, tar: 1 },
      { threshold: 0.1, far: 1, tar: 1 },
    ]);
  });

  it('groups tied scores into a single point', () => {
    // Prepare
    const pairs = [same(0.5), diff(0.5), same(0.8)];

    // Act
    const curve = rocCurve(pairs);

    // Assess
    expect(curve).toEqual([
      { threshold: Number.POSITIVE_INFINITY, far: 0, tar: 0 },
      { threshold: 0.8, far: 0, tar: 0.5 },
      { threshold: 0.5, far: 1, tar: 1 },
    ]);
  });

  it('throws ConfigError when one class is missing', () => {
    // Prepare
    const pairs = [same(0.5), same(0.7)];

    // Act
    const act = () => rocCurve(pairs);

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(/2 same, 0 different/);
  });

  it('throws ConfigError on a non-finite score', () => {
    // Prepare
    const pairs = [same(Number.NaN), diff(0.1)];

    // Act
    const act = () => rocCurve(pairs);

    // Assess
    expect(act).toThrow(/pair 1 has a non-finite score/);
  });
});

describe('Function: rocAuc', () => {
  it('is 1 for perfectly separated scores', () => {
    // Prepare
    const pairs = separated;

    // Act
    const auc = rocAuc(pairs);

    // Assess
    expect(auc).toBe(1);
  });

  it('is 0 for reversed scores', () => {
    // Prepare
    const pairs = reversed;

    // Act
    const auc = rocAuc(pairs);

    // Assess
    expect(auc).toBe(0);
  });

  it('is 0.5 when every score ties', () => {
    // Prepare
    const pairs = [same(0.3), same(0.3), diff(0.3), diff(0.3), diff(0.3)];

    // Act
    const auc = rocAuc(pairs);

    // Assess
    expect(auc).toBe(0.5);
  });

  it('counts 3 of 4 correctly ordered same/diff comparisons as 0.75', () => {
    // Prepare
    const pairs = fourPairs;

    // Act
    const auc = rocAuc(pairs);

    // Assess
    expect(auc).toBe(0.75);
  });

  it('counts a cross-class tie as half a win', () => {
    // Prepare: comparisons 0.5=0.5 (½), 0.5>0.2, 0.8>0.5, 0.8>0.2
    const pairs = [same(0.5), same(0.8), diff(0.5), diff(0.2)];

    // Act
    const auc = rocAuc(pairs);

    // Assess
    expect(auc).toBe(0.875);
  });

  it('matches the O(n²) pairwise definition on tie-heavy random data', () => {
    // Prepare
    const pairs = randomPairs(500, 42);

    // Act
    const auc = rocAuc(pairs);

    // Assess
    expect(auc).toBeCloseTo(bruteForceAuc(pairs), 12);
  });
});

describe('Function: eer', () => {
  it('finds the point where FAR and FRR are both 0.5', () => {
    // Prepare
    const pairs = fourPairs;

    // Act
    const point = eer(pairs);

    // Assess
    expect(point).toEqual({ threshold: 0.6, rate: 0.5 });
  });

  it('is 0 for perfectly separated scores', () => {
    // Prepare
    const pairs = separated;

    // Act
    const point = eer(pairs);

    // Assess
    expect(point).toEqual({ threshold: 0.8, rate: 0 });
  });

  it('interpolates along the ROC segment that crosses FAR = FRR', () => {
    // Prepare: at 0.8 FAR 0 / FRR 1/3; at 0.7 FAR 1/2 / FRR 1/3 → crossing 2/3 along the segment
    const pairs = [same(0.9), same(0.8), same(0.3), diff(0.7), diff(0.2)];

    // Act
    const point = eer(pairs);

    // Assess
    expect(point.rate).toBeCloseTo(1 / 3, 12);
    expect(point.threshold).toBeCloseTo(0.8 - (2 / 3) * 0.1, 12);
  });
});

describe('Function: tarAtFar', () => {
  it('picks the lowest threshold whose FAR stays within the target', () => {
    // Prepare
    const pairs = fourPairs;

    // Act
    const result = tarAtFar(pairs, 0.5);

    // Assess
    expect(result).toEqual({ threshold: 0.4, tar: 1, far: 0.5, resolved: true });
  });

  it('flags FAR targets finer than 1 / negatives as unresolved', () => {
    // Prepare: 2 negatives cannot resolve FAR 0.1
    const pairs = fourPairs;

    // Act
    const result = tarAtFar(pairs, 0.1);

    // Assess
    expect(result).toEqual({ threshold: 0.9, tar: 0.5, far: 0, resolved: false });
  });

  it('resolves FAR 0.1 with exactly 10 negatives', () => {
    // Prepare: negatives 1..10, same-person 11, 9.5 and 5.5
    const negatives = Array.from({ length: 10 }, (_, i) => diff(i + 1));
    const pairs = [...negatives, same(11), same(9.5), same(5.5)];

    // Act
    const result = tarAtFar(pairs, 0.1);

    // Assess
    expect(result).toEqual({ threshold: 9.5, tar: 2 / 3, far: 0.1, resolved: true });
  });

  it('accepts nothing when the top score is already a false accept', () => {
    // Prepare
    const pairs = [diff(0.9), same(0.5)];

    // Act
    const result = tarAtFar(pairs, 0);

    // Assess
    expect(result).toEqual({ threshold: Number.POSITIVE_INFINITY, tar: 0, far: 0, resolved: false });
  });

  it('throws ConfigError for a FAR outside [0, 1]', () => {
    // Prepare
    const pairs = fourPairs;

    // Act
    const act = () => tarAtFar(pairs, 1.5);

    // Assess
    expect(act).toThrow(ConfigError);
  });
});

describe('Function: bestAccuracyThreshold', () => {
  it('puts the threshold midway between adjacent distinct scores', () => {
    // Prepare
    const pairs = fourPairs;

    // Act
    const best = bestAccuracyThreshold(pairs);

    // Assess: accepting only 0.9 gets 3 of 4 right; ties go to the highest threshold
    expect(best).toEqual({ threshold: 0.75, accuracy: 0.75 });
  });

  it('separates perfectly separated scores', () => {
    // Prepare
    const pairs = separated;

    // Act
    const best = bestAccuracyThreshold(pairs);

    // Assess
    expect(best.accuracy).toBe(1);
    expect(best.threshold).toBeCloseTo(0.5, 12);
  });

  it('accepts everything (threshold = lowest score) when every pair is same-person', () => {
    // Prepare
    const pairs = [same(0.7), same(0.3)];

    // Act
    const best = bestAccuracyThreshold(pairs);

    // Assess
    expect(best).toEqual({ threshold: 0.3, accuracy: 1 });
  });

  it('rejects everything when every pair is different-person', () => {
    // Prepare
    const pairs = [diff(0.7), diff(0.3)];

    // Act
    const best = bestAccuracyThreshold(pairs);

    // Assess
    expect(best).toEqual({ threshold: Number.POSITIVE_INFINITY, accuracy: 1 });
  });
});

describe('Function: kFoldAccuracy', () => {
  // Folds 1 and 2 are easy; fold 3 is reversed, so the threshold learnt elsewhere gets it all wrong.
  const folded: ScoredPair[] = [
    same(0.9, 1),
    diff(0.1, 1),
    same(0.8, 2),
    diff(0.3, 2),
    same(0.4, 3),
    diff(0.6, 3),
  ];

  it('scores each fold with the threshold chosen on the other folds', () => {
    // Prepare
    const pairs = folded;

    // Act
    const result = kFoldAccuracy(pairs);

    // Assess: thresholds 0.7 (folds 2+3), 0.75 (folds 1+3), 0.55 (folds 1+2)
    expect(result.perFold.map((f) => f.fold)).toEqual([1, 2, 3]);
    expect(result.perFold.map((f) => f.accuracy)).toEqual([1, 1, 0]);
    expect(result.perFold[0]!.threshold).toBeCloseTo(0.7, 12);
    expect(result.perFold[1]!.threshold).toBeCloseTo(0.75, 12);
    expect(result.perFold[2]!.threshold).toBeCloseTo(0.55, 12);
    expect(result.mean).toBeCloseTo(2 / 3, 12);
    expect(result.std).toBeCloseTo(Math.sqrt(1 / 3), 12);
    expect(result.stdErr).toBeCloseTo(Math.sqrt(1 / 3) / Math.sqrt(3), 12);
    expect(result.threshold).toBeCloseTo(2 / 3, 12);
  });

  it('assigns folds round-robin when pairs carry none', () => {
    // Prepare: same scores as above, ordered so index % 3 reproduces folds 1, 2, 3
    const pairs = [same(0.9), same(0.8), same(0.4), diff(0.1), diff(0.3), diff(0.6)];

    // Act
    const result = kFoldAccuracy(pairs, 3);

    // Assess
    expect(result.perFold.map((f) => f.accuracy)).toEqual([1, 1, 0]);
    expect(result.mean).toBeCloseTo(2 / 3, 12);
  });

  it('throws ConfigError when only some pairs have a fold', () => {
    // Prepare
    const pairs = [same(0.9, 1), diff(0.1)];

    // Act
    const act = () => kFoldAccuracy(pairs);

    // Assess
    expect(act).toThrow(/1 of 2 pairs have no fold/);
  });

  it('throws ConfigError with fewer than 2 folds', () => {
    // Prepare
    const pairs = [same(0.9, 1), diff(0.1, 1)];

    // Act
    const act = () => kFoldAccuracy(pairs);

    // Assess
    expect(act).toThrow(ConfigError);
  });
});

describe('Function: dPrime', () => {
  it('divides the mean gap by the pooled standard deviation', () => {
    // Prepare: same mean 2 var 1, diff mean 0 var 1
    const pairs = [same(1), same(3), diff(-1), diff(1)];

    // Act
    const d = dPrime(pairs);

    // Assess
    expect(d).toBe(2);
  });
});

describe('Function: scoreStats', () => {
  it('summarises scores with interpolated percentiles', () => {
    // Prepare
    const scores = [4, 1, 5, 3, 2];

    // Act
    const stats = scoreStats(scores);

    // Assess
    expect(stats.n).toBe(5);
    expect(stats.mean).toBe(3);
    expect(stats.std).toBeCloseTo(Math.SQRT2, 12);
    expect(stats.min).toBe(1);
    expect(stats.p05).toBeCloseTo(1.2, 12);
    expect(stats.p50).toBe(3);
    expect(stats.p95).toBeCloseTo(4.8, 12);
    expect(stats.max).toBe(5);
  });

  it('reports n = 0 and NaN elsewhere for no scores', () => {
    // Prepare
    const scores: number[] = [];

    // Act
    const stats = scoreStats(scores);

    // Assess
    expect(stats.n).toBe(0);
    expect(stats.mean).toBeNaN();
    expect(stats.p50).toBeNaN();
  });
});
