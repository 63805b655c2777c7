import { describe, expect, it } from 'vitest';
import { nms } from '../../core/detect/nms.js';
import type { Detection } from '../../core/types.js';

const det = (x1: number, y1: number, x2: number, y2: number, score: number, pass = 0): Detection => ({
  box: { x1, y1, x2, y2 },
  score,
  pass,
});

const options = { iou: 0.4, containment: 0.7 };

describe('Function: nms', () => {
  it('returns an empty list for no detections', () => {
    // Prepare
    const detections: Detection[] = [];

    // Act
    const kept = nms(detections, options);

    // Assess
    expect(kept).toEqual([]);
  });

  it('keeps the higher-scoring of two boxes whose IoU exceeds the threshold, whatever the input order', () => {
    // Prepare: IoU = 80 / 120 = 0.67.
    const weak = det(0, 0, 10, 10, 0.7);
    const strong = det(2, 0, 12, 10, 0.9);

    // Act
    const kept = nms([weak, strong], options);

    // Assess
    expect(kept).toEqual([strong]);
  });

  it('keeps both boxes when the IoU is exactly the threshold (suppression is strict)', () => {
    // Prepare: IoU = 50 / 150 = 1/3.
    const a = det(0, 0, 10, 10, 0.9);
    const b = det(5, 0, 15, 10, 0.8);

    // Act
    const kept = nms([a, b], { iou: 1 / 3, containment: 1 });

    // Assess
    expect(kept).toEqual([a, b]);
  });

  it('suppresses a tile’s partial face lying inside a bigger full-frame box although their IoU is small', () => {
    // Prepare: the half face covers a quarter of the whole one (IoU 0.25 < 0.4) but lies wholly inside it.
    const whole = det(100, 100, 200, 200, 0.92, 0);
    const half = det(100, 100, 150, 150, 0.85, 2);

    // Act
    const kept = nms([half, whole], options);

    // Assess
    expect(kept).toEqual([whole]);
  });

  it('keeps a partially overlapping box whose containment and IoU are both below their thresholds', () => {
    // Prepare: b has area 100, 50 of it inside a: containment 0.5, IoU 50/250 = 0.2.
    const a = det(0, 0, 10, 20, 0.9);
    const b = det(5, 0, 15, 10, 0.8);

    // Act
    const kept = nms([a, b], options);

    // Assess
    expect(kept).toEqual([a, b]);
  });

  it('returns the survivors in descending score order without mutating the input', () => {
    // Prepare: three separate faces and a duplicate of the middle one.
    const input = [
      det(0, 0, 10, 10, 0.5),
      det(100, 0, 110, 10, 0.95),
      det(50, 0, 60, 10, 0.7),
      det(51, 0, 61, 10, 0.6),
    ];
    const copy = structuredClone(input);

    // Act
    const kept = nms(input, options);

    // Assess
    expect(kept.map((d) => d.score)).toEqual([0.95, 0.7, 0.5]);
    expect(input).toEqual(copy);
  });

  it('compares against kept boxes only: a box suppressed earlier does not suppress others', () => {
    // Prepare: B overlaps A and C heavily, but A and C barely overlap: B goes, C stays.
    const a = det(0, 0, 10, 10, 0.9);
    const b = det(4, 0, 14, 10, 0.8);
    const c = det(8, 0, 18, 10, 0.7);

    // Act
    const kept = nms([c, b, a], { iou: 0.4, containment: 1 });

    // Assess
    expect(kept).toEqual([a, c]);
  });

  it('keeps the whole face when a higher-scoring part of it lies inside', () => {
    // Prepare: a tile's half face (score 0.99) inside the full-frame face box (score 0.9).
    const part = det(2, 2, 10, 18, 0.99, 2);
    const whole = det(0, 0, 20, 20, 0.9, 0);

    // Act
    const kept = nms([part, whole], options);

    // Assess: one face, the whole box, carrying the better score
    expect(kept).toEqual([{ ...whole, score: 0.99 }]);
  });
});
