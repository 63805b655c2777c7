import { describe, expect, it } from 'vitest';
import { bcubed, pairwiseScores } from '../../core/cluster/clusterScores.js';

describe('Function: bcubed', () => {
  it('scores a hand-computed example', () => {
    // Prepare: clusters {0,1} = a,a and {2,3,4} = a,b,b.
    const truth = ['a', 'a', 'a', 'b', 'b'];
    const predicted = [1, 1, 2, 2, 2];

    // Act
    const s = bcubed(truth, predicted);

    // Assess: precision per item 1, 1, 1/3, 2/3, 2/3; recall 2/3, 2/3, 1/3, 1, 1.
    expect(s.precision).toBeCloseTo(11 / 15, 12);
    expect(s.recall).toBeCloseTo(11 / 15, 12);
    expect(s.f1).toBeCloseTo(11 / 15, 12);
  });

  it('counts an unknown face as a cluster of its own: recall suffers, precision does not', () => {
    // Act
    const s = bcubed(['a', 'a'], [null, null]);

    // Assess
    expect(s.precision).toBe(1);
    expect(s.recall).toBe(0.5);
    expect(s.f1).toBeCloseTo(2 / 3, 12);
  });

  it('gives 1 for a perfect clustering whatever the cluster ids', () => {
    // Act / Assess
    expect(bcubed(['a', 'a', 'b', 'c'], [7, 7, 'x', null]).f1).toBe(1);
  });

  it('halves precision when two people share one cluster', () => {
    // Act
    const s = bcubed(['a', 'b'], [1, 1]);

    // Assess
    expect(s.precision).toBe(0.5);
    expect(s.recall).toBe(1);
  });

  it('rejects arrays of different lengths', () => {
    // Act / Assess
    expect(() => bcubed(['a'], [])).toThrow(RangeError);
  });
});

describe('Function: pairwiseScores', () => {
  it('scores a hand-computed example', () => {
    // Prepare: together pairs {0,1}, {2,3}, {2,4}, {3,4}; same-person pairs {0,1}, {0,2}, {1,2}, {3,4}.
    const truth = ['a', 'a', 'a', 'b', 'b'];
    const predicted = [1, 1, 2, 2, 2];

    // Act
    const s = pairwiseScores(truth, predicted);

    // Assess: true pairs put together: {0,1} and {3,4}.
    expect(s.precision).toBe(0.5);
    expect(s.recall).toBe(0.5);
    expect(s.f1).toBe(0.5);
  });

  it('gives precision 1 and recall 0 when nothing is put together', () => {
    // Act
    const s = pairwiseScores(['a', 'a'], [null, null]);

    // Assess
    expect(s.precision).toBe(1);
    expect(s.recall).toBe(0);
    expect(s.f1).toBe(0);
  });
});
