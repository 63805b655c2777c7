import type { Box, RgbImage } from '../types.js';

/**
 * The region sent to a teacher for a reference face: the box grown by `margin` of its size on
 * every side (a teacher's detector wants some head and background), clipped to the image and
 * rounded to whole pixels.
 */
export const faceRegion = (box: Box, width: number, height: number, margin = 0.5): Box => {
  const w = box.x2 - box.x1;
  const h = box.y2 - box.y1;
  return {
    x1: Math.max(0, Math.floor(box.x1 - margin * w)),
    y1: Math.max(0, Math.floor(box.y1 - margin * h)),
    x2: Math.min(width, Math.ceil(box.x2 + margin * w)),
    y2: Math.min(height, Math.ceil(box.y2 + margin * h)),
  };
};

/** Copies a whole-pixel rectangle out of an RGB image; `region` must lie inside it. */
export const cropRgb = (image: RgbImage, region: Box): RgbImage => {
  const x1 = Math.max(0, Math.round(region.x1));
  const y1 = Math.max(0, Math.round(region.y1));
  const width = Math.max(0, Math.min(image.width, Math.round(region.x2)) - x1);
  const height = Math.max(0, Math.min(image.height, Math.round(region.y2)) - y1);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const from = ((y1 + y) * image.width + x1) * 3;
    data.set(image.data.subarray(from, from + width * 3), y * width * 3);
  }
  return { data, width, height };
};
