import { describe, expect, it } from 'vitest';
import { type Affine, applyAffine } from '../../core/align/affine.js';
import { LANDMARK_SIZE, landmarkCrop, rollDegrees, toFivePoints } from '../../core/align/landmarks.js';
import type { FivePoints } from '../../core/types.js';

const five = (...pts: [number, number][]): FivePoints =>
  pts.map(([x, y]) => ({ x, y })) as unknown as FivePoints;

describe('Function: landmarkCrop', () => {
  it('is a square of side box height centred on the box for an upright face', () => {
    // Prepare: a 40x60 box centred on (60, 60).
    const box = { x1: 40, y1: 30, x2: 80, y2: 90 };

    // Act
    const crop = landmarkCrop(box, 0, 200, 200);

    // Assess: the square (30, 30)-(90, 90) spread over 64 crop pixels.
    expect(crop).toEqual({ a: 60 / 64, b: 0, c: 30, d: 0, e: 60 / 64, f: 30 });
    expect(applyAffine(crop, { x: 0, y: 0 })).toEqual({ x: 30, y: 30 });
    expect(applyAffine(crop, { x: 64, y: 64 })).toEqual({ x: 90, y: 90 });
    expect(applyAffine(crop, { x: 32, y: 32 })).toEqual({ x: 60, y: 60 });
  });

  it('clips the square at the image border (the crop then stretches to 64x64)', () => {
    // Prepare: centre (15, 40), side 60 → (-15, 10)-(45, 70) in a 100x60 image.
    const box = { x1: 0, y1: 10, x2: 30, y2: 70 };

    // Act
    const crop = landmarkCrop(box, 0, 100, 60);

    // Assess: clipped to (0, 10)-(45, 60).
    expect(crop).toEqual({ a: 45 / 64, b: 0, c: 0, d: 0, e: 50 / 64, f: 10 });
  });

  it('maps the crop centre to the box centre and the crop axes along the roll for a rolled face', () => {
    // Prepare: a 60x80 box centred on (130, 140), rolled 30° clockwise.
    const box = { x1: 100, y1: 100, x2: 160, y2: 180 };
    const t = Math.PI / 6;

    // Act
    const crop = landmarkCrop(box, 30, 1000, 1000);

    // Assess: side max(min(60, 80), 80 / (cos30 + sin30)) = max(60, 58.6) = 60.
    const k = 60 / LANDMARK_SIZE;
    const centre = applyAffine(crop, { x: 32, y: 32 });
    expect(centre.x).toBeCloseTo(130, 10);
    expect(centre.y).toBeCloseTo(140, 10);
    const right = applyAffine(crop, { x: 64, y: 32 });
    expect(right.x).toBeCloseTo(130 + 32 * k * Math.cos(t), 10);
    expect(right.y).toBeCloseTo(140 + 32 * k * Math.sin(t), 10);
    const down = applyAffine(crop, { x: 32, y: 64 });
    expect(down.x).toBeCloseTo(130 - 32 * k * Math.sin(t), 10);
    expect(down.y).toBeCloseTo(140 + 32 * k * Math.cos(t), 10);
  });

  it('is not clipped when rolled: corners may leave the image', () => {
    // Prepare: a box in the top-left corner.
    const box = { x1: 0, y1: 0, x2: 40, y2: 40 };

    // Act
    const crop = landmarkCrop(box, -45, 100, 100);

    // Assess: the crop's top-left corner lies outside the image; the centre is still the box centre.
    const corner = applyAffine(crop, { x: 0, y: 0 });
    expect(Math.min(corner.x, corner.y)).toBeLessThan(0);
    const centre = applyAffine(crop, { x: 32, y: 32 });
    expect(centre.x).toBeCloseTo(20, 10);
    expect(centre.y).toBeCloseTo(20, 10);
  });
});

describe('Function: toFivePoints', () => {
  it('averages lids into eyes, takes point 30 as nose and averages outer and inner lip corners', () => {
    // Prepare: batch item 1 of 2 (item 0 is NaN); point i at crop pixel (i / 2, (i + 1) / 4).
    const out = new Float32Array(2 * 136).fill(Number.NaN);
    for (let i = 0; i < 68; i++) {
      out[136 + 2 * i] = i / 2 / LANDMARK_SIZE;
      out[136 + 2 * i + 1] = (i + 1) / 4 / LANDMARK_SIZE;
    }
    const crop: Affine = { a: 2, b: 0, c: 10, d: 0, e: 2, f: 20 };

    // Act
    const points = toFivePoints(out, 136, crop);

    // Assess: crop pixels, then (2x + 10, 2y + 20).
    // left eye 37,38,40,41 → (19.5, 10); right eye 43,44,46,47 → (22.5, 11.5); nose 30 → (15, 7.75);
    // left mouth 48,60 → (27, 13.75); right mouth 54,64 → (29.5, 15).
    expect(points).toEqual([
      { x: 49, y: 40 },
      { x: 55, y: 43 },
      { x: 40, y: 35.5 },
      { x: 64, y: 47.5 },
      { x: 69, y: 50 },
    ]);
  });
});

describe('Function: rollDegrees', () => {
  it('is 0 for a level eye line', () => {
    // Prepare
    const points = five([10, 20], [30, 20], [20, 30], [12, 40], [28, 40]);

    // Act
    const roll = rollDegrees(points);

    // Assess
    expect(roll).toBe(0);
  });

  it('is positive when the right eye is lower and negative when it is higher', () => {
    // Prepare
    const down = five([0, 0], [10, 10], [0, 0], [0, 0], [0, 0]);
    const up = five([0, 0], [10, -10], [0, 0], [0, 0], [0, 0]);

    // Act
    const rollDown = rollDegrees(down);
    const rollUp = rollDegrees(up);

    // Assess
    expect(rollDown).toBeCloseTo(45, 12);
    expect(rollUp).toBeCloseTo(-45, 12);
  });

  it('is ±180 for an upside-down face (eyes swapped)', () => {
    // Prepare
    const points = five([30, 20], [10, 20], [20, 10], [28, 0], [12, 0]);

    // Act
    const roll = rollDegrees(points);

    // Assess
    expect(Math.abs(roll)).toBe(180);
  });
});
