import type { RgbImage } from '../types.js';
import type { Affine } from './affine.js';

export interface SampleTarget {
  width: number;
  height: number;
  /** 'rgb' writes 3 planes, 'grey' writes one (ITU-R 601 luma). */
  colour: 'rgb' | 'grey';
  mean: number;
  std: number;
}

/**
 * Bilinear warp of `image` into a channels-first float tensor slot: output pixel (u, v) takes
 * the source at `outToIn(u, v)`. Outside the image the border is replicated, so a face at the
 * edge of a photo does not gain a black band the models never saw in training.
 */
export const warpToTensor = (
  image: RgbImage,
  outToIn: Affine,
  target: SampleTarget,
  dst: Float32Array,
  offset: number,
): void => {
  const { width: W, height: H, data } = image;
  const plane = target.width * target.height;
  const inv = 1 / target.std;
  const mean = target.mean;
  const grey = target.colour === 'grey';
  const maxX = W - 1;
  const maxY = H - 1;
  for (let v = 0; v < target.height; v++) {
    // Sample at pixel centres.
    const vy = v + 0.5;
    for (let u = 0; u < target.width; u++) {
      const ux = u + 0.5;
      let x = outToIn.a * ux + outToIn.b * vy + outToIn.c - 0.5;
      let y = outToIn.d * ux + outToIn.e * vy + outToIn.f - 0.5;
      x = Math.min(Math.max(x, 0), maxX);
      y = Math.min(Math.max(y, 0), maxY);
      const x0 = x | 0;
      const y0 = y | 0;
      const x1 = x0 < maxX ? x0 + 1 : x0;
      const y1 = y0 < maxY ? y0 + 1 : y0;
      const fx = x - x0;
      const fy = y - y0;
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      const i00 = (y0 * W + x0) * 3;
      const i10 = (y0 * W + x1) * 3;
      const i01 = (y1 * W + x0) * 3;
      const i11 = (y1 * W + x1) * 3;
      const r = data[i00]! * w00 + data[i10]! * w10 + data[i01]! * w01 + data[i11]! * w11;
      const g = data[i00 + 1]! * w00 + data[i10 + 1]! * w10 + data[i01 + 1]! * w01 + data[i11 + 1]! * w11;
      const b = data[i00 + 2]! * w00 + data[i10 + 2]! * w10 + data[i01 + 2]! * w01 + data[i11 + 2]! * w11;
      const o = offset + v * target.width + u;
      if (grey) {
        dst[o] = (0.299 * r + 0.587 * g + 0.114 * b - mean) * inv;
      } else {
        dst[o] = (r - mean) * inv;
        dst[o + plane] = (g - mean) * inv;
        dst[o + 2 * plane] = (b - mean) * inv;
      }
    }
  }
};
