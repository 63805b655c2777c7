import { describe, expect, it } from 'vitest';
import { approximateNeighbours } from '../../core/cluster/approximateNeighbours.js';
import { blockPairs } from '../../core/cluster/blockPairs.js';
import { exactNeighbours } from '../../core/cluster/exactNeighbours.js';
import { createNeighbourGraph, offerNeighbour, rowDot } from '../../core/cluster/neighbourGraph.js';
import { PairHeap } from '../../core/cluster/PairHeap.js';
import { nearbyUnitVector, randomUnitVector, seededRng } from '../helpers/random.js';

const packed = (vectors: Float32Array[]): Float32Array => {
  const dim = vectors[0]!.length;
  const out = new Float32Array(vectors.length * dim);
  vectors.forEach((v, i) => {
    out.set(v, i * dim);
  });
  return out;
};

/** 30 people x 8 faces in 32-d. */
const people = (seed: number): Float32Array => {
  const rng = seededRng(seed);
  const out: Float32Array[] = [];
  for (let p = 0; p < 30; p++) {
    const c = randomUnitVector(rng, 32);
    for (let f = 0; f < 8; f++) out.push(nearbyUnitVector(rng, c, 0.6));
  }
  return packed(out);
};

const rowSet = (g: ReturnType<typeof createNeighbourGraph>, i: number): number[] =>
  [...g.index.subarray(i * g.k, i * g.k + g.count[i]!)].sort((a, b) => a - b);

describe('Class: PairHeap', () => {
  it('pops the highest similarity first, ties by the lower pair', () => {
    // Prepare
    const h = new PairHeap();
    const entries: [number, number, number][] = [
      [0.5, 3, 4],
      [0.9, 1, 2],
      [0.5, 1, 9],
      [0.7, 0, 1],
      [0.5, 1, 3],
    ];
    for (const [s, a, b] of entries) h.push(s, a, b, 0, 0);
    for (let i = 0; i < 2000; i++) h.push(0.1, 100 + i, 200 + i, 0, 0);

    // Act
    const out: [number, number, number][] = [];
    const top = { sim: 0, a: 0, b: 0, va: 0, vb: 0 };
    while (out.length < 5 && h.pop(top)) out.push([top.sim, top.a, top.b]);

    // Assess
    expect(out).toEqual([
      [0.9, 1, 2],
      [0.7, 0, 1],
      [0.5, 1, 3],
      [0.5, 1, 9],
      [0.5, 3, 4],
    ]);
    expect(h.size).toBe(2000);
  });
});

describe('Function: offerNeighbour', () => {
  it('keeps the k best, each once, whatever the order of offers', () => {
    // Prepare
    const offers: [number, number][] = [
      [5, 0.3],
      [2, 0.9],
      [7, 0.5],
      [2, 0.9],
      [9, 0.5],
      [4, 0.1],
    ];
    const a = createNeighbourGraph(1, 3);
    const b = createNeighbourGraph(1, 3);

    // Act
    for (const [j, s] of offers) offerNeighbour(a, 0, j, s);
    for (const [j, s] of [...offers].reverse()) offerNeighbour(b, 0, j, s);

    // Assess: 7 and 9 tie at 0.5; both fit.
    expect(rowSet(a, 0)).toEqual([2, 7, 9]);
    expect(rowSet(b, 0)).toEqual([2, 7, 9]);
  });
});

describe('Function: blockPairs', () => {
  it('finds the same pairs as pair-by-pair dot products, only those with a querying row', () => {
    // Prepare: 11 rows so the 2x4 blocks leave remainders; the first 7 ask.
    const rng = seededRng(51);
    const rows = packed(Array.from({ length: 11 }, () => randomUnitVector(rng, 13)));
    const want: string[] = [];
    for (let a = 0; a < 7; a++) {
      for (let b = a + 1; b < 11; b++) {
        if (rowDot(rows, a * 13, b * 13, 13) >= -0.1) want.push(`${a}-${b}`);
      }
    }

    // Act
    const got: string[] = [];
    blockPairs(rows, 11, 7, 13, -0.1, (a, b, s) => {
      expect(s).toBeCloseTo(rowDot(rows, a * 13, b * 13, 13), 5);
      got.push(`${a}-${b}`);
    });

    // Assess
    expect(got.sort()).toEqual(want.sort());
    expect(want.length).toBeGreaterThan(10);
  });
});

describe('Function: approximateNeighbours', () => {
  it('finds nearly all edges of the exact graph on grouped data, the same way every time', () => {
    // Prepare
    const v = people(52);
    const n = v.length / 32;
    const all = new Uint8Array(n).fill(1);

    // Act
    const exact = exactNeighbours(v, n, 32, 10, 0.3, all);
    const a = approximateNeighbours(v, n, 32, 10, 0.3, all, { leafSize: 24, probes: 3, seed: 1 });
    const b = approximateNeighbours(v, n, 32, 10, 0.3, all, { leafSize: 24, probes: 3, seed: 1 });

    // Assess
    let found = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const have = new Set(rowSet(a, i));
      for (const j of rowSet(exact, i)) {
        total++;
        if (have.has(j)) found++;
      }
    }
    expect(total).toBeGreaterThan(1000);
    expect(found / total).toBeGreaterThan(0.95);
    expect([...b.index]).toEqual([...a.index]);
  });

  it('computes no pair between two rows that do not ask', () => {
    // Prepare: only row 0 asks.
    const v = people(53);
    const n = v.length / 32;
    const ask = new Uint8Array(n);
    ask[0] = 1;

    // Act
    const g = exactNeighbours(v, n, 32, 10, 0.3, ask);

    // Assess
    expect(g.count[0]).toBeGreaterThan(0);
    for (let i = 1; i < n; i++) for (const j of rowSet(g, i)) expect(j).toBe(0);
  });
});
