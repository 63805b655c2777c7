import type { RgbImage } from '../types.js';
import type { Tile } from './tilePlan.js';

/**
 * Copies one tile of a working image into a channels-first float tensor slot, placed at the
 * top-left and zero-padded (the letterbox), normalised as (v - mean) / std.
 * Tiles are never larger than the input, so this is a straight copy: no resampling here.
 */
export const fillDetectorInput = (
  image: RgbImage,
  tile: Tile,
  dst: Float32Array,
  offset: number,
  inputWidth: number,
  inputHeight: number,
  mean: number,
  std: number,
): void => {
  const plane = inputWidth * inputHeight;
  dst.fill(0, offset, offset + 3 * plane);
  const inv = 1 / std;
  const src = image.data;
  const w = Math.min(tile.width, inputWidth);
  const h = Math.min(tile.height, inputHeight);
  for (let y = 0; y < h; y++) {
    let s = ((tile.y + y) * image.width + tile.x) * 3;
    let d = offset + y * inputWidth;
    for (let x = 0; x < w; x++, s += 3, d++) {
      dst[d] = (src[s]! - mean) * inv;
      dst[d + plane] = (src[s + 1]! - mean) * inv;
      dst[d + 2 * plane] = (src[s + 2]! - mean) * inv;
    }
  }
};
