import { describe, expect, it } from 'vitest';
import { type Affine, applyAffine } from '../../core/align/affine.js';
import { ARCFACE_TEMPLATE } from '../../core/align/arcfaceTemplate.js';
import { umeyama } from '../../core/align/umeyama.js';
import type { Point } from '../../core/types.js';
import { gaussian, seededRng } from '../helpers/random.js';

const similarity = (scale: number, degrees: number, tx: number, ty: number): Affine => {
  const t = (degrees * Math.PI) / 180;
  const [cos, sin] = [Math.cos(t), Math.sin(t)];
  return { a: scale * cos, b: -scale * sin, c: tx, d: scale * sin, e: scale * cos, f: ty };
};

const sse = (m: Affine, src: readonly Point[], dst: readonly Point[]): number =>
  src.reduce((s, p, i) => {
    const q = applyAffine(m, p);
    return s + (q.x - dst[i]!.x) ** 2 + (q.y - dst[i]!.y) ** 2;
  }, 0);

const expectAffineClose = (actual: Affine, expected: Affine, digits: number): void => {
  for (const k of ['a', 'b', 'c', 'd', 'e', 'f'] as const) expect(actual[k]).toBeCloseTo(expected[k], digits);
};

describe('Function: umeyama', () => {
  it('recovers a 90° rotation with scale 2 from two points', () => {
    // Prepare: (0,0)→(0,0) and (1,0)→(0,2).
    const src = [
      { x: 0, y: 0 },
      { x: 1, y: 0 },
    ];
    const dst = [
      { x: 0, y: 0 },
      { x: 0, y: 2 },
    ];

    // Act
    const m = umeyama(src, dst);

    // Assess
    expectAffineClose(m, { a: 0, b: -2, c: 0, d: 2, e: 0, f: 0 }, 12);
  });

  it('recovers known similarity transforms exactly from five face points', () => {
    // Prepare
    const cases = [similarity(1.7, 30, 12, -7), similarity(0.35, -120, -40.5, 300), similarity(3, 179, 0, 0)];

    for (const truth of cases) {
      const dst = ARCFACE_TEMPLATE.map((p) => applyAffine(truth, p));

      // Act
      const m = umeyama(ARCFACE_TEMPLATE, dst);

      // Assess
      expectAffineClose(m, truth, 9);
    }
  });

  it('is the least-squares fit for noisy points: any small change of its parameters fits worse', () => {
    // Prepare
    const rng = seededRng(7);
    const truth = similarity(2.2, 15, 30, 40);
    const dst = ARCFACE_TEMPLATE.map((p) => {
      const q = applyAffine(truth, p);
      return { x: q.x + 2 * gaussian(rng), y: q.y + 2 * gaussian(rng) };
    });

    // Act
    const m = umeyama(ARCFACE_TEMPLATE, dst);

    // Assess: perturb each similarity parameter (a = e, d = -b, c, f) both ways.
    const best = sse(m, ARCFACE_TEMPLATE, dst);
    expect(best).toBeGreaterThan(0);
    const eps = 1e-4;
    const perturbations: Partial<Affine>[] = [
      { a: m.a + eps, e: m.e + eps },
      { a: m.a - eps, e: m.e - eps },
      { b: m.b + eps, d: m.d - eps },
      { b: m.b - eps, d: m.d + eps },
      { c: m.c + eps },
      { c: m.c - eps },
      { f: m.f + eps },
      { f: m.f - eps },
    ];
    for (const p of perturbations) expect(sse({ ...m, ...p }, ARCFACE_TEMPLATE, dst)).toBeGreaterThan(best);
    // And the fit stays near the truth.
    expect(Math.hypot(m.a, m.d)).toBeCloseTo(2.2, 1);
  });

  it('never returns a reflection, even for mirrored targets', () => {
    // Prepare
    const mirrored = ARCFACE_TEMPLATE.map((p) => ({ x: -p.x, y: p.y }));

    // Act
    const m = umeyama(ARCFACE_TEMPLATE, mirrored);

    // Assess: a similarity without reflection has a = e, b = -d and a positive determinant.
    expect(m.a).toBe(m.e);
    expect(m.b).toBe(-m.d);
    expect(m.a * m.e - m.b * m.d).toBeGreaterThanOrEqual(0);
  });

  it('throws a RangeError when the source points coincide', () => {
    // Prepare
    const src = [
      { x: 5, y: 5 },
      { x: 5, y: 5 },
      { x: 5, y: 5 },
    ];
    const dst = [
      { x: 0, y: 0 },
      { x: 1, y: 0 },
      { x: 0, y: 1 },
    ];

    // Act
    const act = () => umeyama(src, dst);

    // Assess
    expect(act).toThrow(RangeError);
    expect(act).toThrow(/coincide/);
  });

  it('throws a RangeError for lists of different length or fewer than two points', () => {
    // Prepare
    const one = [{ x: 0, y: 0 }];
    const two = [
      { x: 0, y: 0 },
      { x: 1, y: 1 },
    ];

    // Act
    const tooFew = () => umeyama(one, one);
    const mismatched = () => umeyama(two, one);

    // Assess
    expect(tooFew).toThrow(RangeError);
    expect(mismatched).toThrow(RangeError);
  });
});
