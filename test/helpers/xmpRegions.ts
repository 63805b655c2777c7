/**
 * Face regions as other programs write them (exiftool struct syntax), and face crops with the
 * region of their face: the tagged photos of `enroll --from-tags` tests.
 */
import type { Box } from '../../core/types.js';
import type { NormRect } from '../../core/xmp/orientationTransform.js';
import { cropAround, samplePath } from './imageFixtures.js';

const f6 = (v: number): string => v.toFixed(6);

/** exiftool's struct syntax for one MWG face region (centre, size), as digiKam writes it. */
export const mwgItem = (name: string, r: NormRect): string =>
  `{Name=${name},Type=Face,Area={X=${f6(r.left + r.width / 2)},Y=${f6(r.top + r.height / 2)},W=${f6(r.width)},H=${f6(r.height)},Unit=normalized}}`;

/** A Windows Photo Gallery region: Rectangle "x, y, w, h" (commas escaped for exiftool). */
export const mpItem = (name: string, r: NormRect): string =>
  `{PersonDisplayName=${name},Rectangle=${[r.left, r.top, r.width, r.height].map(f6).join('|, ')}}`;

/** The exiftool argument that writes these MWG regions. */
export const mwgArg = (items: string[]): string => `-XMP-mwg-rs:RegionInfo={RegionList=[${items.join(',')}]}`;

/** A square crop around a face (cropAround's geometry) and where the face is in it, normalised. */
export const faceCrop = async (
  sample: number,
  b: Box,
  v: { margin: number; size: number; brightness?: number },
  grow = 0,
): Promise<{ jpeg: Buffer; rect: NormRect }> => {
  const jpeg = await cropAround(samplePath(sample), b, v);
  const side = Math.round((b.y2 - b.y1) * (1 + v.margin));
  const left = Math.round((b.x1 + b.x2) / 2 - side / 2);
  const top = Math.round((b.y1 + b.y2) / 2 - side / 2);
  const w = (b.x2 - b.x1) * (1 + grow);
  const h = (b.y2 - b.y1) * (1 + grow);
  const cx = (b.x1 + b.x2) / 2 - left;
  const cy = (b.y1 + b.y2) / 2 - top;
  const rect = { left: (cx - w / 2) / side, top: (cy - h / 2) / side, width: w / side, height: h / side };
  return {
    jpeg,
    rect: {
      left: Math.max(0, rect.left),
      top: Math.max(0, rect.top),
      width: rect.width,
      height: rect.height,
    },
  };
};
