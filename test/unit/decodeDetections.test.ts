import { describe, expect, it } from 'vitest';
import { type DecodeDetectionsOptions, decodeDetections } from '../../core/detect/decodeDetections.js';
import type { DetectorPass, Tile } from '../../core/detect/tilePlan.js';

interface Anchor {
  score: number;
  box: [number, number, number, number];
}

/** Builds the detector's [N, A, 2] scores and [N, A, 4] boxes for a batch of items. */
const outputs = (items: Anchor[][]): { scores: Float32Array; boxes: Float32Array; anchors: number } => {
  const anchors = items[0]!.length;
  const scores = new Float32Array(items.length * anchors * 2);
  const boxes = new Float32Array(items.length * anchors * 4);
  items.forEach((item, n) => {
    item.forEach((a, i) => {
      scores[(n * anchors + i) * 2] = 1 - a.score;
      scores[(n * anchors + i) * 2 + 1] = a.score;
      boxes.set(a.box, (n * anchors + i) * 4);
    });
  });
  return { scores, boxes, anchors };
};

const options: DecodeDetectionsOptions = {
  inputWidth: 320,
  inputHeight: 240,
  scoreThreshold: 0.75,
  edgeMargin: 8,
};

/** Grid-2 pass of a 1280x960 analysis image: a 640x480 working image. */
const grid2: DetectorPass = { grid: 2, scale: 0.5, width: 640, height: 480, padX: 0, padY: 0, tiles: [] };
/** Its top-right tile: the left and bottom edges are inner, the top and right edges are the image's. */
const topRight: Tile = { x: 320, y: 0, width: 320, height: 240 };

describe('Function: decodeDetections', () => {
  it('maps a box from tile-normalised to analysis pixels through the tile offset and pass scale', () => {
    // Prepare: (0.25, 0.25, 0.5, 0.5) of 320x240 = (80, 60, 160, 120) in the tile.
    const { scores, boxes, anchors } = outputs([[{ score: 0.875, box: [0.25, 0.25, 0.5, 0.5] }]]);

    // Act
    const found = decodeDetections(scores, boxes, 0, anchors, grid2, topRight, options);

    // Assess: ((80 + 320) / 0.5, 60 / 0.5, (160 + 320) / 0.5, 120 / 0.5).
    expect(found).toEqual([{ box: { x1: 800, y1: 120, x2: 960, y2: 240 }, score: 0.875, pass: 2 }]);
  });

  it('keeps scores equal to the threshold and drops lower ones', () => {
    // Prepare
    const { scores, boxes, anchors } = outputs([
      [
        { score: 0.75, box: [0.25, 0.25, 0.5, 0.5] },
        { score: 0.625, box: [0.5, 0.25, 0.75, 0.5] },
      ],
    ]);

    // Act
    const found = decodeDetections(scores, boxes, 0, anchors, grid2, topRight, options);

    // Assess
    expect(found.map((d) => d.score)).toEqual([0.75]);
  });

  it('reads the requested batch item, not the first one', () => {
    // Prepare: item 0 holds a confident face that must not leak into item 1.
    const { scores, boxes, anchors } = outputs([
      [
        { score: 0.9375, box: [0.25, 0.25, 0.5, 0.5] },
        { score: 0.9375, box: [0.5, 0.5, 0.75, 0.75] },
      ],
      [
        { score: 0.125, box: [0.25, 0.25, 0.5, 0.5] },
        { score: 0.875, box: [0.375, 0.375, 0.5, 0.625] },
      ],
    ]);

    // Act
    const found = decodeDetections(scores, boxes, 1, anchors, grid2, topRight, options);

    // Assess: (120, 90, 160, 150) in the tile.
    expect(found).toEqual([{ box: { x1: 880, y1: 180, x2: 960, y2: 300 }, score: 0.875, pass: 2 }]);
  });

  it('drops boxes within the margin of an inner tile edge (partial faces)', () => {
    // Prepare: touching the inner left edge (x1 = 3.2 px) and the inner bottom edge (y2 = 237.6 px).
    const { scores, boxes, anchors } = outputs([
      [
        { score: 0.9375, box: [0.01, 0.25, 0.25, 0.5] },
        { score: 0.9375, box: [0.25, 0.5, 0.5, 0.99] },
      ],
    ]);

    // Act
    const found = decodeDetections(scores, boxes, 0, anchors, grid2, topRight, options);

    // Assess
    expect(found).toEqual([]);
  });

  it('keeps boxes at the image border, clipping overshoot to the tile', () => {
    // Prepare: the top and right edges of this tile are the image's own.
    const { scores, boxes, anchors } = outputs([[{ score: 0.875, box: [0.75, -0.03125, 1.03125, 0.375] }]]);

    // Act
    const found = decodeDetections(scores, boxes, 0, anchors, grid2, topRight, options);

    // Assess: (240, 0, 320, 90) in the tile → ((240 + 320) * 2, 0, (320 + 320) * 2, 180).
    expect(found).toEqual([{ box: { x1: 1120, y1: 0, x2: 1280, y2: 180 }, score: 0.875, pass: 2 }]);
  });

  it('keeps a box touching every edge of the full frame and labels it pass 0', () => {
    // Prepare: a 1280x960 analysis image letterboxed into the whole input.
    const full: DetectorPass = { grid: 1, scale: 0.25, width: 320, height: 240, padX: 0, padY: 0, tiles: [] };
    const tile: Tile = { x: 0, y: 0, width: 320, height: 240 };
    const { scores, boxes, anchors } = outputs([[{ score: 0.875, box: [0, 0, 1, 1] }]]);

    // Act
    const found = decodeDetections(scores, boxes, 0, anchors, full, tile, options);

    // Assess
    expect(found).toEqual([{ box: { x1: 0, y1: 0, x2: 1280, y2: 960 }, score: 0.875, pass: 0 }]);
  });

  it('clips boxes to the valid part of a narrow tile and drops those lying in the zero padding', () => {
    // Prepare: a 197x240 working image (tiny photo) padded to 320 wide.
    const full: DetectorPass = {
      grid: 1,
      scale: 240 / 112,
      width: 197,
      height: 240,
      padX: 0,
      padY: 0,
      tiles: [],
    };
    const tile: Tile = { x: 0, y: 0, width: 197, height: 240 };
    const { scores, boxes, anchors } = outputs([
      [
        { score: 0.875, box: [0.5, 0.25, 0.75, 0.5] },
        { score: 0.875, box: [0.75, 0.25, 0.875, 0.5] },
      ],
    ]);

    // Act
    const found = decodeDetections(scores, boxes, 0, anchors, full, tile, options);

    // Assess: (160, 60, 240 → 197, 120) in working pixels; the second box starts at 240 > 197.
    expect(found).toHaveLength(1);
    const { box } = found[0]!;
    expect(box.x1).toBeCloseTo(160 * (112 / 240), 10);
    expect(box.y1).toBeCloseTo(60 * (112 / 240), 10);
    expect(box.x2).toBeCloseTo(197 * (112 / 240), 10);
    expect(box.y2).toBeCloseTo(120 * (112 / 240), 10);
  });

  it('maps boxes from a padded pass back to the image and clips the part in the border', () => {
    // Prepare: a 160x120 image drawn at 80,60 inside a 320x240 padded canvas (scale 1).
    const padded: DetectorPass = {
      grid: 1,
      scale: 1,
      width: 160,
      height: 120,
      padX: 80,
      padY: 60,
      tiles: [],
    };
    const tile: Tile = { x: 0, y: 0, width: 320, height: 240 };
    const { scores, boxes, anchors } = outputs([[{ score: 0.875, box: [0.1875, 0.3125, 0.5, 0.8125] }]]);

    // Act
    const found = decodeDetections(scores, boxes, 0, anchors, padded, tile, options);

    // Assess: x 60..160 → -20..80, x1 clipped to 0; y 75..195 → 15..135, y2 clipped to 120
    expect(found).toEqual([{ box: { x1: 0, y1: 15, x2: 80, y2: 120 }, score: 0.875, pass: 0 }]);
  });
});
