import type { Box, FivePoints, Point } from '../types.js';
import { type Affine, applyAffine } from './affine.js';

export const LANDMARK_SIZE = 64;

/**
 * Crop the landmark model expects: a square centred on the detection, side = box height.
 * Upright crops are clipped to the image (as the model was used upstream); a rolled face gets
 * a crop rotated by `rollDegrees` so the model sees it upright. Returns the map from crop
 * pixels (0..64) to image pixels.
 */
export const landmarkCrop = (
  box: Box,
  rollDegrees: number,
  imageWidth: number,
  imageHeight: number,
): Affine => {
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  const side = box.y2 - box.y1;
  if (rollDegrees === 0) {
    const x1 = Math.max(0, cx - side / 2);
    const y1 = Math.max(0, cy - side / 2);
    const x2 = Math.min(imageWidth, cx + side / 2);
    const y2 = Math.min(imageHeight, cy + side / 2);
    return { a: (x2 - x1) / LANDMARK_SIZE, b: 0, c: x1, d: 0, e: (y2 - y1) / LANDMARK_SIZE, f: y1 };
  }
  // A rotated face's upright box is larger than the face: use the side it would have upright.
  const t = (rollDegrees * Math.PI) / 180;
  const cos = Math.cos(t);
  const sin = Math.sin(t);
  const w = box.x2 - box.x1;
  const h = box.y2 - box.y1;
  const uprightSide = Math.max(Math.min(w, h), (Math.max(w, h) * 1) / (Math.abs(cos) + Math.abs(sin)));
  const k = uprightSide / LANDMARK_SIZE;
  // in = centre + R(t) * k * (u - 32, v - 32)
  return {
    a: k * cos,
    b: -k * sin,
    c: cx - k * (cos * 32 - sin * 32),
    d: k * sin,
    e: k * cos,
    f: cy - k * (sin * 32 + cos * 32),
  };
};

const mean = (pts: Point[]): Point => ({
  x: pts.reduce((s, p) => s + p.x, 0) / pts.length,
  y: pts.reduce((s, p) => s + p.y, 0) / pts.length,
});

/**
 * 68 model outputs (x, y pairs normalised to the crop) → five alignment points in image pixels:
 * eyes are the means of their lid points, the nose tip is point 30, mouth corners average the
 * outer and inner lip corners (0-based iBUG indices).
 */
export const toFivePoints = (out: Float32Array, offset: number, crop: Affine): FivePoints => {
  const p = (i: number): Point =>
    applyAffine(crop, {
      x: out[offset + 2 * i]! * LANDMARK_SIZE,
      y: out[offset + 2 * i + 1]! * LANDMARK_SIZE,
    });
  return [
    mean([p(37), p(38), p(40), p(41)]),
    mean([p(43), p(44), p(46), p(47)]),
    p(30),
    mean([p(48), p(60)]),
    mean([p(54), p(64)]),
  ];
};

/** Roll of the eye line in degrees; positive when the right eye (image right) is lower. */
export const rollDegrees = (points: FivePoints): number =>
  (Math.atan2(points[1].y - points[0].y, points[1].x - points[0].x) * 180) / Math.PI;
