import type { Detection } from '../types.js';
import { boxArea, containment, iou } from './boxMath.js';

export interface NmsOptions {
  /** Suppress when IoU with a kept box exceeds this. */
  iou: number;
  /** Also suppress when this much of the smaller box lies inside a kept box (partial faces from tiles). */
  containment: number;
}

/**
 * Greedy score-ordered non-maximum suppression across all passes. Containment catches a
 * tile's half-face inside the full-frame box, which plain IoU misses.
 */
export const nms = (detections: readonly Detection[], options: NmsOptions): Detection[] => {
  const sorted = [...detections].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const d of sorted) {
    const i = kept.findIndex(
      (k) => iou(k.box, d.box) > options.iou || containment(k.box, d.box) > options.containment,
    );
    if (i < 0) {
      kept.push(d);
    } else if (iou(kept[i]!.box, d.box) <= options.iou && boxArea(d.box) > boxArea(kept[i]!.box)) {
      // A higher-scoring part of a face inside this whole face: keep the whole one, at the better score.
      kept[i] = { ...d, score: kept[i]!.score };
    }
  }
  return kept;
};
