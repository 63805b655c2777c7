import { describe, expect, it } from 'vitest';
import { boxArea, clipBox, containment, intersectionArea, iou, scaleBox } from '../../core/detect/boxMath.js';
import type { Box } from '../../core/types.js';

const box = (x1: number, y1: number, x2: number, y2: number): Box => ({ x1, y1, x2, y2 });

describe('Function: boxArea', () => {
  it('multiplies width by height', () => {
    // Prepare
    const b = box(2, 3, 12, 8);

    // Act
    const area = boxArea(b);

    // Assess
    expect(area).toBe(50);
  });

  it('is 0 for an inverted box rather than a positive product of two negatives', () => {
    // Prepare
    const b = box(10, 10, 0, 0);

    // Act
    const area = boxArea(b);

    // Assess
    expect(area).toBe(0);
  });
});

describe('Function: intersectionArea', () => {
  it('is the overlap area of two boxes and 0 for boxes that only touch', () => {
    // Prepare
    const a = box(0, 0, 10, 10);
    const overlapping = box(6, 4, 20, 20);
    const touching = box(10, 0, 20, 10);

    // Act
    const overlap = intersectionArea(a, overlapping);
    const touch = intersectionArea(a, touching);

    // Assess
    expect(overlap).toBe(24);
    expect(touch).toBe(0);
  });
});

describe('Function: iou', () => {
  it('is 1/3 for two equal boxes shifted by half their width', () => {
    // Prepare
    const a = box(0, 0, 10, 10);
    const b = box(5, 0, 15, 10);

    // Act
    const value = iou(a, b);

    // Assess: intersection 50, union 150.
    expect(value).toBeCloseTo(1 / 3, 12);
  });

  it('is 1 for identical boxes, 0 for disjoint ones, and symmetric', () => {
    // Prepare
    const a = box(1, 2, 7, 9);
    const far = box(50, 50, 60, 60);
    const c = box(3, 0, 20, 5);

    // Act
    const same = iou(a, a);
    const disjoint = iou(a, far);

    // Assess
    expect(same).toBe(1);
    expect(disjoint).toBe(0);
    expect(iou(a, c)).toBe(iou(c, a));
  });

  it('is only 0.04 for a small box inside a big one', () => {
    // Prepare
    const big = box(0, 0, 10, 10);
    const small = box(2, 2, 4, 4);

    // Act
    const value = iou(big, small);

    // Assess
    expect(value).toBeCloseTo(0.04, 12);
  });

  it('is 0 (not NaN) for two empty boxes', () => {
    // Prepare
    const empty = box(5, 5, 5, 5);

    // Act
    const value = iou(empty, empty);

    // Assess
    expect(value).toBe(0);
  });
});

describe('Function: containment', () => {
  it('is 1 when the smaller box lies wholly inside the bigger, in either argument order', () => {
    // Prepare
    const big = box(0, 0, 10, 10);
    const small = box(2, 2, 4, 4);

    // Act
    const ab = containment(big, small);
    const ba = containment(small, big);

    // Assess
    expect(ab).toBe(1);
    expect(ba).toBe(1);
  });

  it('is the intersection over the smaller area for a partial overlap', () => {
    // Prepare: b has area 16, of which 2 x 4 = 8 lies inside a.
    const a = box(0, 0, 10, 10);
    const b = box(8, 0, 12, 4);

    // Act
    const value = containment(a, b);

    // Assess
    expect(value).toBe(0.5);
  });

  it('is 0 when either box is empty', () => {
    // Prepare
    const a = box(0, 0, 10, 10);
    const line = box(3, 3, 3, 8);

    // Act
    const value = containment(a, line);

    // Assess
    expect(value).toBe(0);
  });
});

describe('Function: clipBox', () => {
  it('clamps every coordinate into the image', () => {
    // Prepare
    const b = box(-5, -3, 120, 90);

    // Act
    const clipped = clipBox(b, 100, 80);

    // Assess
    expect(clipped).toEqual(box(0, 0, 100, 80));
  });

  it('leaves a box inside the image unchanged', () => {
    // Prepare
    const b = box(10.5, 20.25, 30, 40);

    // Act
    const clipped = clipBox(b, 100, 80);

    // Assess
    expect(clipped).toEqual(b);
  });

  it('collapses a box wholly outside the image onto the border (zero area)', () => {
    // Prepare
    const b = box(110, 10, 150, 30);

    // Act
    const clipped = clipBox(b, 100, 80);

    // Assess
    expect(clipped).toEqual(box(100, 10, 100, 30));
    expect(boxArea(clipped)).toBe(0);
  });
});

describe('Function: scaleBox', () => {
  it('multiplies every coordinate by the factor', () => {
    // Prepare
    const b = box(1, 2, 3, 4);

    // Act
    const scaled = scaleBox(b, 2.5);

    // Assess
    expect(scaled).toEqual(box(2.5, 5, 7.5, 10));
  });

  it('round-trips with the reciprocal factor and does not mutate its input', () => {
    // Prepare
    const b = box(12, 18, 36, 54);

    // Act
    const back = scaleBox(scaleBox(b, 1 / 3), 3);

    // Assess
    expect(back.x1).toBeCloseTo(12, 12);
    expect(back.y1).toBeCloseTo(18, 12);
    expect(back.x2).toBeCloseTo(36, 12);
    expect(back.y2).toBeCloseTo(54, 12);
    expect(b).toEqual(box(12, 18, 36, 54));
  });
});
