import { describe, expect, it } from 'vitest';
import { TopK } from '../../cli/report/TopK.js';

/** A seeded generator, so a failure can be replayed. */
const lcg = (seed: number) => () => {
  seed = (seed * 1_664_525 + 1_013_904_223) >>> 0;
  return seed / 2 ** 32;
};

describe('Class: TopK', () => {
  it('keeps the same items as sorting everything, best first, ties in arrival order', () => {
    for (const seed of [1, 7, 42, 1234]) {
      // Prepare: scores on a grid so the kept ones tie with each other and with the ones pushed out
      const random = lcg(seed);
      const scores = Array.from({ length: 2_000 }, () => Math.round(random() * 200) / 200);
      const top = new TopK<number>(37);
      const evicted: number[] = [];

      // Act
      for (const [i, s] of scores.entries()) {
        const r = top.offer(i, s);
        if (r.evicted !== undefined) evicted.push(r.evicted);
      }

      // Assess
      const expected = scores
        .map((s, i) => ({ s, i }))
        .sort((a, b) => b.s - a.s || a.i - b.i)
        .slice(0, 37)
        .map((x) => x.i);
      expect(top.best()).toEqual(expected);
      expect(top.size).toBe(37);
      expect(new Set([...evicted, ...expected]).size).toBe(evicted.length + expected.length);
    }
  });

  it('answers wouldKeep the way offer behaves: room, better than the lowest, never on a tie', () => {
    // Prepare
    const top = new TopK<string>(2);
    top.offer('a', 0.5);

    // Act / Assess
    expect(top.wouldKeep(0.1)).toBe(true);
    top.offer('b', 0.4);
    expect(top.wouldKeep(0.4)).toBe(false);
    expect(top.offer('c', 0.4)).toEqual({ kept: false });
    expect(top.wouldKeep(0.41)).toBe(true);
    expect(top.offer('d', 0.41)).toEqual({ kept: true, evicted: 'b' });
    expect(top.best()).toEqual(['a', 'd']);
  });

  it('keeps nothing with no room', () => {
    const top = new TopK<string>(0);
    expect(top.wouldKeep(1)).toBe(false);
    expect(top.offer('a', 1)).toEqual({ kept: false });
    expect(top.best()).toEqual([]);
  });
});
