import type { Detection } from '../types.js';
import type { DetectorPass, Tile } from './tilePlan.js';

export interface DecodeDetectionsOptions {
  inputWidth: number;
  inputHeight: number;
  scoreThreshold: number;
  /** Detections closer than this (working pixels) to a tile edge that is not the image edge are dropped. */
  edgeMargin: number;
}

/**
 * Turns one batch item of the detector's already-decoded outputs (softmaxed scores [A,2],
 * corner boxes [A,4] normalised to the input) into detections in analysis-image pixels.
 * A box cut by an inner tile edge is a partial face: a neighbour or a coarser pass has it whole.
 */
export const decodeDetections = (
  scores: Float32Array,
  boxes: Float32Array,
  item: number,
  anchors: number,
  pass: DetectorPass,
  tile: Tile,
  o: DecodeDetectionsOptions,
): Detection[] => {
  const out: Detection[] = [];
  const inner = {
    left: tile.x > 0,
    top: tile.y > 0,
    right: tile.x + tile.width < pass.width + 2 * pass.padX,
    bottom: tile.y + tile.height < pass.height + 2 * pass.padY,
  };
  const sBase = item * anchors * 2;
  const bBase = item * anchors * 4;
  for (let a = 0; a < anchors; a++) {
    const score = scores[sBase + a * 2 + 1]!;
    if (score < o.scoreThreshold) continue;
    const b = bBase + a * 4;
    // Boxes slightly outside 0..1 occur; clip to the valid (non-padded) part of the tile.
    const x1 = Math.max(0, boxes[b]! * o.inputWidth);
    const y1 = Math.max(0, boxes[b + 1]! * o.inputHeight);
    const x2 = Math.min(tile.width, boxes[b + 2]! * o.inputWidth);
    const y2 = Math.min(tile.height, boxes[b + 3]! * o.inputHeight);
    if (x2 <= x1 || y2 <= y1) continue;
    if (
      (inner.left && x1 < o.edgeMargin) ||
      (inner.top && y1 < o.edgeMargin) ||
      (inner.right && x2 > tile.width - o.edgeMargin) ||
      (inner.bottom && y2 > tile.height - o.edgeMargin)
    ) {
      continue;
    }
    // Back to the resized image (minus any padding, clipped to it), then to analysis pixels.
    const bx1 = Math.max(0, x1 + tile.x - pass.padX);
    const by1 = Math.max(0, y1 + tile.y - pass.padY);
    const bx2 = Math.min(pass.width, x2 + tile.x - pass.padX);
    const by2 = Math.min(pass.height, y2 + tile.y - pass.padY);
    if (bx2 <= bx1 || by2 <= by1) continue;
    const k = 1 / pass.scale;
    out.push({
      box: { x1: bx1 * k, y1: by1 * k, x2: bx2 * k, y2: by2 * k },
      score,
      pass: pass.grid === 1 ? 0 : pass.grid,
    });
  }
  return out;
};
