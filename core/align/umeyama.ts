import type { Point } from '../types.js';
import type { Affine } from './affine.js';

/**
 * Least-squares similarity transform (rotation, uniform scale, translation; no reflection)
 * mapping `src` onto `dst` (Umeyama 1991, specialised to 2-D where it has a closed form).
 */
export const umeyama = (src: readonly Point[], dst: readonly Point[]): Affine => {
  const n = src.length;
  if (n < 2 || n !== dst.length) throw new RangeError('umeyama needs two equal-length lists of >= 2 points');
  let sx = 0;
  let sy = 0;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[i]!.x;
    sy += src[i]!.y;
    dx += dst[i]!.x;
    dy += dst[i]!.y;
  }
  sx /= n;
  sy /= n;
  dx /= n;
  dy /= n;
  // With complex numbers z = x + iy the optimal map is w = s*e^{iθ} z: s*e^{iθ} = Σ conj(z)·w / Σ |z|².
  let re = 0;
  let im = 0;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const px = src[i]!.x - sx;
    const py = src[i]!.y - sy;
    const qx = dst[i]!.x - dx;
    const qy = dst[i]!.y - dy;
    re += px * qx + py * qy;
    im += px * qy - py * qx;
    norm += px * px + py * py;
  }
  if (norm < 1e-12) throw new RangeError('umeyama: source points coincide');
  const a = re / norm;
  const b = im / norm;
  return { a, b: -b, c: dx - (a * sx - b * sy), d: b, e: a, f: dy - (b * sx + a * sy) };
};
