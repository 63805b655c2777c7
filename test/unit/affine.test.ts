import { describe, expect, it } from 'vitest';
import { type Affine, applyAffine, invertAffine } from '../../core/align/affine.js';

describe('Function: applyAffine', () => {
  it('computes (a x + b y + c, d x + e y + f)', () => {
    // Prepare
    const m: Affine = { a: 2, b: 3, c: 5, d: -1, e: 4, f: 7 };

    // Act
    const p = applyAffine(m, { x: 1, y: 2 });

    // Assess: (2 + 6 + 5, -1 + 8 + 7).
    expect(p).toEqual({ x: 13, y: 14 });
  });
});

describe('Function: invertAffine', () => {
  it('inverts a scale-and-translate map exactly', () => {
    // Prepare
    const m: Affine = { a: 2, b: 0, c: 3, d: 0, e: 4, f: 5 };

    // Act
    const inv = invertAffine(m);

    // Assess: (+ 0 turns a -0 into 0)
    expect(Object.fromEntries(Object.entries(inv).map(([k, v]) => [k, v + 0]))).toEqual({
      a: 0.5,
      b: 0,
      c: -1.5,
      d: 0,
      e: 0.25,
      f: -1.25,
    });
  });

  it('round-trips points through a general map and its inverse', () => {
    // Prepare: rotation, shear, anisotropic scale and translation.
    const m: Affine = { a: 1.3, b: -0.7, c: 12.5, d: 0.4, e: 2.1, f: -8 };
    const points = [
      { x: 0, y: 0 },
      { x: 17.25, y: -3.5 },
      { x: -40, y: 112 },
    ];

    // Act
    const inv = invertAffine(m);
    const back = points.map((p) => applyAffine(inv, applyAffine(m, p)));
    const forth = points.map((p) => applyAffine(m, applyAffine(inv, p)));

    // Assess
    points.forEach((p, i) => {
      expect(back[i]!.x).toBeCloseTo(p.x, 10);
      expect(back[i]!.y).toBeCloseTo(p.y, 10);
      expect(forth[i]!.x).toBeCloseTo(p.x, 10);
      expect(forth[i]!.y).toBeCloseTo(p.y, 10);
    });
  });

  it('throws a RangeError for a singular map', () => {
    // Prepare: the second row is twice the first, so everything lands on a line.
    const m: Affine = { a: 1, b: 2, c: 0, d: 2, e: 4, f: 0 };

    // Act
    const act = () => invertAffine(m);

    // Assess
    expect(act).toThrow(RangeError);
    expect(act).toThrow(/not invertible/);
  });
});
