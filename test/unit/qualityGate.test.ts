import { describe, expect, it } from 'vitest';
import { ARCFACE_TEMPLATE } from '../../core/align/arcfaceTemplate.js';
import { resolveEngineConfig } from '../../core/config.js';
import { geometryScore } from '../../core/detect/qualityGate.js';
import type { Box, FivePoints, Point } from '../../core/types.js';

const five = (...pts: [number, number][]): FivePoints =>
  pts.map(([x, y]) => ({ x, y })) as unknown as FivePoints;

const rotate = (points: FivePoints, degrees: number, centre: Point): FivePoints => {
  const t = (degrees * Math.PI) / 180;
  const [cos, sin] = [Math.cos(t), Math.sin(t)];
  return points.map((p) => ({
    x: centre.x + (p.x - centre.x) * cos - (p.y - centre.y) * sin,
    y: centre.y + (p.x - centre.x) * sin + (p.y - centre.y) * cos,
  })) as unknown as FivePoints;
};

/** Eyes 10 px apart; nose 0.6 and mouth 1.0 eye distances below them; mouth 0.6 wide. */
const canonical = five([0, 0], [10, 0], [5, 6], [2, 10], [8, 10]);
const canonicalBox: Box = { x1: -7.5, y1: -8, x2: 17.5, y2: 17 };
const arcfaceBox: Box = { x1: 0, y1: 0, x2: 112, y2: 112 };

describe('Function: geometryScore', () => {
  it('scores the ArcFace template (a frontal face) 1', () => {
    // Prepare
    const points = ARCFACE_TEMPLATE;

    // Act
    const score = geometryScore(points, arcfaceBox);

    // Assess
    expect(score).toBe(1);
  });

  it('still scores a frontal face 1 when it is rolled by ±40° or upside down', () => {
    // Prepare
    const centre = { x: 56, y: 56 };
    const angles = [40, -40, 180];

    for (const angle of angles) {
      // Act
      const score = geometryScore(rotate(ARCFACE_TEMPLATE, angle, centre), arcfaceBox);

      // Assess
      expect(score).toBe(1);
    }
  });

  it('gives an imperfect face the same score at any roll', () => {
    // Prepare: nose at eye level fails one check partially.
    const flatNose = five([0, 0], [10, 0], [5, 0], [2, 10], [8, 10]);
    const upright = geometryScore(flatNose, canonicalBox);

    // Act
    const rolled = geometryScore(rotate(flatNose, 40, { x: 5, y: 5 }), canonicalBox);

    // Assess
    expect(upright).toBeLessThan(1);
    expect(rolled).toBeCloseTo(upright, 12);
  });

  it('falls off linearly outside a range: a nose just below eye level scores (6 + 21/23) / 7', () => {
    // Prepare: nose y = 0.05 is 0.1 below the range 0.15..1.3 (width 1.15).
    const highNose = five([0, 0], [10, 0], [5, 0.5], [2, 10], [8, 10]);

    // Act
    const score = geometryScore(highNose, canonicalBox);

    // Assess
    expect(geometryScore(canonical, canonicalBox)).toBe(1);
    expect(score).toBeCloseTo((6 + 21 / 23) / 7, 12);
  });

  it('scores 0 when the features are out of order (nose at or above the eye line)', () => {
    expect(geometryScore(five([0, 0], [10, 0], [5, 0], [2, 10], [8, 10]), canonicalBox)).toBe(0);
  });

  it('scores 3/7 for a nose and mouth far below the eyes and a mouth ten eye distances wide', () => {
    // Prepare
    const stretched = five([0, 0], [10, 0], [5, 40], [-50, 80], [60, 80]);

    // Act
    const score = geometryScore(stretched, canonicalBox);

    // Assess: only eye distance / box width, nose x and mouth centre x pass.
    expect(score).toBeCloseTo(3 / 7, 12);
  });

  it('scores 0 when the eyes coincide or the box has no width', () => {
    // Prepare
    const sameEyes = five([5, 0], [5, 0], [5, 6], [2, 10], [8, 10]);
    const flatBox: Box = { x1: 3, y1: 0, x2: 3, y2: 20 };

    // Act
    const coincident = geometryScore(sameEyes, canonicalBox);
    const noWidth = geometryScore(canonical, flatBox);

    // Assess
    expect(coincident).toBe(0);
    expect(noWidth).toBe(0);
  });

  it('rejects a mouth above the eyes: scores below the default minGeometry gate', () => {
    // Prepare: the canonical face mirrored about the eye line (eyes keep their left/right order).
    const mouthAbove = five([0, 0], [10, 0], [5, -6], [2, -10], [8, -10]);
    const gate = resolveEngineConfig().align.minGeometry;

    // Act
    const score = geometryScore(mouthAbove, canonicalBox);

    // Assess
    expect(score).toBeLessThan(gate);
  });
});
