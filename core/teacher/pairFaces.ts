import { iou } from '../detect/boxMath.js';
import type { Box } from '../types.js';

/** A box as fractions of the image's width and height (Rekognition's `BoundingBox`). */
export interface RatioBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Fractions of the upright image size → pixels. Teachers may return boxes reaching past the
 * image (negative `left`); they are kept as they are so IoU sees the true extent.
 */
export const ratioBoxToPixels = (r: RatioBox, imageWidth: number, imageHeight: number): Box => ({
  x1: r.left * imageWidth,
  y1: r.top * imageHeight,
  x2: (r.left + r.width) * imageWidth,
  y2: (r.top + r.height) * imageHeight,
});

/**
 * Different detectors draw different boxes around one face (forehead, chin, ears); 0.3 pairs
 * them while two neighbouring faces, which barely overlap, stay apart.
 */
export const DEFAULT_PAIR_MIN_IOU = 0.3;

export interface FacePair {
  ours: number;
  theirs: number;
  iou: number;
}

export interface Pairing {
  pairs: FacePair[];
  /** Indexes of our boxes with no teacher box. */
  unpairedOurs: number[];
  /** Indexes of teacher boxes with none of ours (faces our detector missed or dropped). */
  unpairedTheirs: number[];
}

/**
 * One-to-one pairing by IoU, greedy from the highest overlap down (ties by index, so the result
 * is deterministic); pairs below `minIou` are not made.
 */
export const pairByIou = (
  ours: readonly Box[],
  theirs: readonly Box[],
  minIou = DEFAULT_PAIR_MIN_IOU,
): Pairing => {
  const candidates: FacePair[] = [];
  ours.forEach((a, i) => {
    theirs.forEach((b, j) => {
      const overlap = iou(a, b);
      if (overlap >= minIou && overlap > 0) candidates.push({ ours: i, theirs: j, iou: overlap });
    });
  });
  candidates.sort((p, q) => q.iou - p.iou || p.ours - q.ours || p.theirs - q.theirs);
  const usedOurs = new Set<number>();
  const usedTheirs = new Set<number>();
  const pairs: FacePair[] = [];
  for (const c of candidates) {
    if (usedOurs.has(c.ours) || usedTheirs.has(c.theirs)) continue;
    usedOurs.add(c.ours);
    usedTheirs.add(c.theirs);
    pairs.push(c);
  }
  pairs.sort((p, q) => p.ours - q.ours);
  return {
    pairs,
    unpairedOurs: ours.map((_, i) => i).filter((i) => !usedOurs.has(i)),
    unpairedTheirs: theirs.map((_, j) => j).filter((j) => !usedTheirs.has(j)),
  };
};
