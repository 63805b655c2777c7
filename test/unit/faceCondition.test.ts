import { describe, expect, it } from 'vitest';
import type { QualityRule } from '../../core/decide/DecisionPolicy.js';
import { faceConditionOf, isBelowQualityFloor, thresholdDelta } from '../../core/decide/faceCondition.js';
import type { FivePoints } from '../../core/types.js';

const points = (noseX: number): FivePoints => [
  { x: 40, y: 50 },
  { x: 72, y: 50 },
  { x: noseX, y: 68 },
  { x: 44, y: 84 },
  { x: 68, y: 84 },
];
const FRONTAL = points(56);
// Nose in front of the right eye: yaw about +1 (half eye distances).
const TURNED = points(72);
const embedding = new Float32Array([1, 0, 0, 0]);
const RULE: QualityRule = { minHeight: 40, minQuality: 0.5, maxYaw: 0.6, delta: 0.08 };

describe('Function: faceConditionOf', () => {
  it('reads the box height, the quality and the yaw of an engine face', () => {
    const c = faceConditionOf({
      embedding,
      box: { x1: 10, y1: 20, x2: 60, y2: 95 },
      quality: 0.9,
      points: FRONTAL,
    });
    expect(c.height).toBe(75);
    expect(c.quality).toBe(0.9);
    expect(c.yaw).toBeCloseTo(0, 5);
    expect(faceConditionOf({ embedding, points: TURNED }).yaw).toBeCloseTo(1, 5);
  });

  it('leaves what a face does not carry unknown (NaN), and degenerate points infinitely turned', () => {
    const c = faceConditionOf({ embedding });
    expect(c.height).toBeNaN();
    expect(c.quality).toBeNaN();
    expect(c.yaw).toBeNaN();
    const p = { x: 5, y: 5 };
    expect(faceConditionOf({ embedding, points: [p, p, p, p, p] }).yaw).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('Function: isBelowQualityFloor', () => {
  const good = { height: 80, quality: 0.95, yaw: 0.1 };

  it('holds a face to the floor by any one of size, quality and pose', () => {
    expect(isBelowQualityFloor(good, RULE)).toBe(false);
    expect(isBelowQualityFloor({ ...good, height: 39.9 }, RULE)).toBe(true);
    expect(isBelowQualityFloor({ ...good, height: 40 }, RULE)).toBe(false);
    expect(isBelowQualityFloor({ ...good, quality: 0.4 }, RULE)).toBe(true);
    expect(isBelowQualityFloor({ ...good, yaw: -0.7 }, RULE)).toBe(true);
    expect(isBelowQualityFloor({ ...good, yaw: Number.POSITIVE_INFINITY }, RULE)).toBe(true);
  });

  it('never makes a face poor for a measure it does not carry', () => {
    expect(isBelowQualityFloor({ height: Number.NaN, quality: Number.NaN, yaw: Number.NaN }, RULE)).toBe(
      false,
    );
    expect(isBelowQualityFloor({ height: 20, quality: Number.NaN, yaw: Number.NaN }, RULE)).toBe(true);
  });
});

describe('Function: thresholdDelta', () => {
  it("is the rule's delta below the floor, and 0 above it or without a rule", () => {
    const small = { height: 24, quality: 1, yaw: 0 };
    expect(thresholdDelta(small, RULE)).toBe(0.08);
    expect(thresholdDelta({ ...small, height: 100 }, RULE)).toBe(0);
    expect(thresholdDelta(small, undefined)).toBe(0);
  });
});
