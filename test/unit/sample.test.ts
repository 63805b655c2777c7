import { describe, expect, it } from 'vitest';
import type { Affine } from '../../core/align/affine.js';
import { type SampleTarget, warpToTensor } from '../../core/align/sample.js';
import type { RgbImage } from '../../core/types.js';

const W = 4;
const H = 3;
const red = (x: number, y: number): number => 10 + 20 * x + 80 * y;
const green = (x: number, y: number): number => 255 - red(x, y);
const blue = (x: number, y: number): number => 1 + 10 * x * y;

/** 4x3 image whose channels are simple functions of the position. */
const image = ((): RgbImage => {
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) data.set([red(x, y), green(x, y), blue(x, y)], (y * W + x) * 3);
  }
  return { data, width: W, height: H };
})();

const identity: Affine = { a: 1, b: 0, c: 0, d: 0, e: 1, f: 0 };
const raw = (width: number, height: number): SampleTarget => ({
  width,
  height,
  colour: 'rgb',
  mean: 0,
  std: 1,
});

/** Reads plane `c` of a channels-first tensor as rows. */
const planeRows = (t: Float32Array, c: number, width: number, height: number): number[][] =>
  Array.from({ length: height }, (_, y) => [
    ...t.subarray(c * width * height + y * width, c * width * height + (y + 1) * width),
  ]);

const expectedRows = (
  f: (x: number, y: number) => number,
  xs: (u: number) => number,
  ys: (v: number) => number,
  width: number,
  height: number,
): number[][] =>
  Array.from({ length: height }, (_, v) => Array.from({ length: width }, (_, u) => f(xs(u), ys(v))));

describe('Function: warpToTensor', () => {
  it('copies every pixel exactly under the identity map, as three planes', () => {
    // Prepare
    const dst = new Float32Array(3 * W * H);

    // Act
    warpToTensor(image, identity, raw(W, H), dst, 0);

    // Assess
    const id = (k: number) => k;
    expect(planeRows(dst, 0, W, H)).toEqual(expectedRows(red, id, id, W, H));
    expect(planeRows(dst, 1, W, H)).toEqual(expectedRows(green, id, id, W, H));
    expect(planeRows(dst, 2, W, H)).toEqual(expectedRows(blue, id, id, W, H));
  });

  it('shifts by whole pixels exactly and replicates the border beyond the image', () => {
    // Prepare: output (u, v) reads input (u + 1, v - 2), clamped into the image.
    const shift: Affine = { a: 1, b: 0, c: 1, d: 0, e: 1, f: -2 };
    const dst = new Float32Array(3 * W * H);

    // Act
    warpToTensor(image, shift, raw(W, H), dst, 0);

    // Assess
    const xs = (u: number) => Math.min(u + 1, W - 1);
    const ys = (v: number) => Math.max(v - 2, 0);
    expect(planeRows(dst, 0, W, H)).toEqual(expectedRows(red, xs, ys, W, H));
    expect(planeRows(dst, 2, W, H)).toEqual(expectedRows(blue, xs, ys, W, H));
  });

  it('interpolates linearly half-way between two pixels', () => {
    // Prepare
    const half: Affine = { a: 1, b: 0, c: 0.5, d: 0, e: 1, f: 0 };
    const dst = new Float32Array(3 * W * H);

    // Act
    warpToTensor(image, half, raw(W, H), dst, 0);

    // Assess: red rises by 20 per column: the midpoint adds 10; the last column is replicated.
    expect(planeRows(dst, 0, W, H)).toEqual([
      [20, 40, 60, 70],
      [100, 120, 140, 150],
      [180, 200, 220, 230],
    ]);
  });

  it('averages the four neighbours at the centre of a 2x2 block', () => {
    // Prepare
    const centre: Affine = { a: 1, b: 0, c: 1.5, d: 0, e: 1, f: 0.5 };
    const dst = new Float32Array(3);

    // Act
    warpToTensor(image, centre, raw(1, 1), dst, 0);

    // Assess: pixels (1,0), (2,0), (1,1), (2,1).
    const mean4 = (f: (x: number, y: number) => number) => (f(1, 0) + f(2, 0) + f(1, 1) + f(2, 1)) / 4;
    expect([...dst]).toEqual([mean4(red), mean4(green), mean4(blue)]);
  });

  it('averages column pairs when halving the width', () => {
    // Prepare: output column u reads input x = 2u + 0.5.
    const halve: Affine = { a: 2, b: 0, c: 0, d: 0, e: 1, f: 0 };
    const dst = new Float32Array(3 * 2 * H);

    // Act
    warpToTensor(image, halve, raw(2, H), dst, 0);

    // Assess
    expect(planeRows(dst, 0, 2, H)).toEqual([
      [20, 60],
      [100, 140],
      [180, 220],
    ]);
  });

  it('writes one ITU-R 601 luma plane in grey mode, normalised, and nothing past it', () => {
    // Prepare
    const pixel: RgbImage = { data: new Uint8Array([200, 100, 50]), width: 1, height: 1 };
    const dst = new Float32Array(3).fill(-7);

    // Act
    warpToTensor(pixel, identity, { width: 1, height: 1, colour: 'grey', mean: 127.5, std: 128 }, dst, 0);

    // Assess: 0.299·200 + 0.587·100 + 0.114·50 = 124.2.
    expect(dst[0]).toBeCloseTo((124.2 - 127.5) / 128, 6);
    expect([dst[1], dst[2]]).toEqual([-7, -7]);
  });

  it('normalises as (v - mean) / std and writes at the given offset only', () => {
    // Prepare
    const bw: RgbImage = { data: new Uint8Array([0, 0, 0, 255, 255, 255]), width: 2, height: 1 };
    const dst = new Float32Array(2 + 6 + 2).fill(9);

    // Act
    warpToTensor(bw, identity, { width: 2, height: 1, colour: 'rgb', mean: 127.5, std: 127.5 }, dst, 2);

    // Assess
    expect([...dst]).toEqual([9, 9, -1, 1, -1, 1, -1, 1, 9, 9]);
  });
});
