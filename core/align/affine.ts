import type { Point } from '../types.js';

/** 2x3 affine map: (x, y) -> (a*x + b*y + c, d*x + e*y + f). */
export interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

export const applyAffine = (m: Affine, p: Point): Point => ({
  x: m.a * p.x + m.b * p.y + m.c,
  y: m.d * p.x + m.e * p.y + m.f,
});

export const invertAffine = (m: Affine): Affine => {
  const det = m.a * m.e - m.b * m.d;
  if (Math.abs(det) < 1e-12) throw new RangeError('affine map is not invertible');
  const a = m.e / det;
  const b = -m.b / det;
  const d = -m.d / det;
  const e = m.a / det;
  return { a, b, c: -(a * m.c + b * m.f), d, e, f: -(d * m.c + e * m.f) };
};
