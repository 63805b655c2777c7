import { describe, expect, it } from 'vitest';
import { fillDetectorInput } from '../../core/detect/detectorInput.js';
import type { RgbImage } from '../../core/types.js';

/** A 5x3 image whose every channel value encodes its position: R = 10x + y, G = R + 100, B = R + 150. */
const makeImage = (width: number, height: number): RgbImage => {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = 10 * x + y;
      data[i + 1] = 10 * x + y + 100;
      data[i + 2] = 10 * x + y + 150;
    }
  }
  return { data, width, height };
};

describe('Function: fillDetectorInput', () => {
  it('copies the tile channels-first at the top left, normalised, and zero-pads the rest', () => {
    // Prepare: a 2x2 tile from (2, 1) into a 4x3 input slot at offset 7 of a buffer full of sentinels.
    const image = makeImage(5, 3);
    const [inputWidth, inputHeight] = [4, 3];
    const plane = inputWidth * inputHeight;
    const offset = 7;
    const dst = new Float32Array(offset + 3 * plane + 5).fill(-999);
    const [mean, std] = [127, 128];

    // Act
    fillDetectorInput(
      image,
      { x: 2, y: 1, width: 2, height: 2 },
      dst,
      offset,
      inputWidth,
      inputHeight,
      mean,
      std,
    );

    // Assess
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < inputHeight; y++) {
        for (let x = 0; x < inputWidth; x++) {
          const inTile = x < 2 && y < 2;
          const r = 10 * (x + 2) + (y + 1);
          const raw = r + [0, 100, 150][c]!;
          const expected = inTile ? (raw - mean) / std : 0;
          expect(dst[offset + c * plane + y * inputWidth + x]).toBe(Math.fround(expected));
        }
      }
    }
    expect([...dst.subarray(0, offset)]).toEqual(new Array(offset).fill(-999));
    expect([...dst.subarray(offset + 3 * plane)]).toEqual(new Array(5).fill(-999));
  });

  it('maps 0 and 255 to -1 and 1 with mean 127.5 and std 127.5', () => {
    // Prepare
    const image: RgbImage = { data: new Uint8Array([0, 255, 0, 255, 0, 255]), width: 2, height: 1 };
    const dst = new Float32Array(3 * 2);

    // Act
    fillDetectorInput(image, { x: 0, y: 0, width: 2, height: 1 }, dst, 0, 2, 1, 127.5, 127.5);

    // Assess: planes R = [0, 255], G = [255, 0], B = [0, 255].
    expect([...dst]).toEqual([-1, 1, 1, -1, -1, 1]);
  });

  it('clears stale values left in the slot by a previous, larger tile', () => {
    // Prepare
    const image = makeImage(5, 3);
    const dst = new Float32Array(3 * 4 * 3);
    fillDetectorInput(image, { x: 0, y: 0, width: 4, height: 3 }, dst, 0, 4, 3, -1, 1);

    // Act
    fillDetectorInput(image, { x: 0, y: 0, width: 1, height: 1 }, dst, 0, 4, 3, -1, 1);

    // Assess: only pixel (0, 0) of each plane is non-zero now.
    const nonZero = [...dst.keys()].filter((i) => dst[i] !== 0);
    expect(nonZero).toEqual([0, 12, 24]);
    expect([dst[0], dst[12], dst[24]]).toEqual([1, 101, 151]);
  });
});
