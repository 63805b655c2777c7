import { describe, expect, it } from 'vitest';
import { ARCFACE_TEMPLATE } from '../../core/align/arcfaceTemplate.js';
import { centreEmbeddings } from '../../core/cluster/centreEmbeddings.js';
import { estimatePose, poseScore } from '../../core/cluster/facePose.js';
import { fuseEmbeddings } from '../../core/cluster/fuseEmbeddings.js';
import { dot } from '../../core/match/similarity.js';
import type { FivePoints } from '../../core/types.js';
import { nearbyUnitVector, randomUnitVector, seededRng } from '../helpers/random.js';

const rotate = (points: FivePoints, degrees: number, scale = 1): FivePoints => {
  const a = (degrees * Math.PI) / 180;
  return points.map((p) => ({
    x: scale * (p.x * Math.cos(a) - p.y * Math.sin(a)) + 300,
    y: scale * (p.x * Math.sin(a) + p.y * Math.cos(a)) + 200,
  })) as unknown as FivePoints;
};

const withNose = (dx: number, dy: number): FivePoints => {
  const [le, re, n, lm, rm] = ARCFACE_TEMPLATE;
  return [le, re, { x: n.x + dx, y: n.y + dy }, lm, rm];
};

describe('Function: estimatePose', () => {
  it('reads the ArcFace template as frontal', () => {
    // Act
    const p = estimatePose(ARCFACE_TEMPLATE)!;

    // Assess
    expect(Math.abs(p.yaw)).toBeLessThan(0.01);
    expect(p.pitch).toBeCloseTo(0, 12);
    expect(Math.abs(p.roll)).toBeLessThan(0.5);
  });

  it('ignores roll and scale', () => {
    // Act
    const p = estimatePose(rotate(withNose(8, 0), 30, 3))!;
    const q = estimatePose(withNose(8, 0))!;

    // Assess
    expect(p.roll).toBeCloseTo(30 + q.roll, 6);
    expect(p.yaw).toBeCloseTo(q.yaw, 6);
    expect(p.pitch).toBeCloseTo(q.pitch, 6);
  });

  it('reads a nose in front of an eye as strong yaw, with its direction', () => {
    // Prepare: half the eye distance (35 px in the template) is 17.6 px.
    const right = estimatePose(withNose(17.6, 0))!;
    const left = estimatePose(withNose(-17.6, 0))!;

    // Assess
    expect(right.yaw).toBeCloseTo(1, 1);
    expect(left.yaw).toBeCloseTo(-1, 1);
  });

  it('returns null for degenerate points', () => {
    // Prepare
    const p = ARCFACE_TEMPLATE[0];

    // Act / Assess
    expect(estimatePose([p, p, p, p, p])).toBeNull();
  });
});

describe('Function: poseScore', () => {
  it('is 1 for a frontal face and falls to 0 at the yaw or pitch limit', () => {
    // Act / Assess
    expect(poseScore(ARCFACE_TEMPLATE)).toBeGreaterThan(0.99);
    expect(poseScore(withNose(17.6 * 0.4, 0))).toBeCloseTo(0.5, 1);
    expect(poseScore(withNose(17.6, 0))).toBe(0);
    expect(poseScore(withNose(0, 15))).toBe(0);
    expect(poseScore(rotate(ARCFACE_TEMPLATE, 40))).toBeGreaterThan(0.99);
  });
});

describe('Function: fuseEmbeddings', () => {
  it('makes the dot product the weighted sum of the parts’ cosines', () => {
    // Prepare
    const rng = seededRng(41);
    const a1 = randomUnitVector(rng, 16);
    const b1 = nearbyUnitVector(rng, a1, 0.6);
    const a2 = randomUnitVector(rng, 8);
    const b2 = randomUnitVector(rng, 8);

    // Act
    const fa = fuseEmbeddings([
      { vector: a1, weight: 0.7 },
      { vector: a2, weight: 0.3 },
    ]);
    const fb = fuseEmbeddings([
      { vector: b1, weight: 0.7 },
      { vector: b2, weight: 0.3 },
    ]);

    // Assess
    expect(fa).toHaveLength(24);
    expect(dot(fa, fb)).toBeCloseTo(0.7 * dot(a1, b1) + 0.3 * dot(a2, b2), 5);
    expect(dot(fa, fa)).toBeCloseTo(1, 5);
  });

  it('rejects a negative weight', () => {
    // Act / Assess
    expect(() => fuseEmbeddings([{ vector: new Float32Array(2), weight: -1 }])).toThrow(RangeError);
  });
});

describe('Function: centreEmbeddings', () => {
  it('removes the shared direction so unrelated vectors score near 0', () => {
    // Prepare: vectors in a narrow cone around one direction, like face-api descriptors.
    const rng = seededRng(42);
    const axis = randomUnitVector(rng, 32);
    const cone = Array.from({ length: 200 }, () => nearbyUnitVector(rng, axis, 0.4));

    // Act
    const centred = centreEmbeddings(cone);

    // Assess
    expect(dot(cone[0]!, cone[1]!)).toBeGreaterThan(0.7);
    let mean = 0;
    for (let i = 0; i < 50; i++) mean += dot(centred[i]!, centred[i + 50]!) / 50;
    expect(Math.abs(mean)).toBeLessThan(0.1);
    for (const v of centred) expect(dot(v, v)).toBeCloseTo(1, 5);
  });
});
