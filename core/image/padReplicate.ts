import type { RgbImage } from '../types.js';

/** Adds a border of padX/padY pixels made by repeating the edge pixels (no hard frame edge for the detector). */
export const padReplicate = (image: RgbImage, padX: number, padY: number): RgbImage => {
  const width = image.width + 2 * padX;
  const height = image.height + 2 * padY;
  const data = new Uint8Array(width * height * 3);
  const src = image.data;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(image.height - 1, Math.max(0, y - padY));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(image.width - 1, Math.max(0, x - padX));
      const s = (sy * image.width + sx) * 3;
      const d = (y * width + x) * 3;
      data[d] = src[s]!;
      data[d + 1] = src[s + 1]!;
      data[d + 2] = src[s + 2]!;
    }
  }
  return { data, width, height };
};
