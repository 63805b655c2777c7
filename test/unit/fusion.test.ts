import { describe, expect, it } from 'vitest';
import {
  FUSION_WEIGHTS,
  type FusionWeights,
  fusedScore,
  isFused,
  scoreMatrix,
  templateOf,
} from '../../core/match/fusion.js';
import { dot, meanDirection } from '../../core/match/similarity.js';
import { nearbyUnitVector, randomUnitVector, seededRng } from '../helpers/random.js';

const rng = seededRng(7);
const face = (e = randomUnitVector(rng), d = randomUnitVector(rng, 128)) => ({ embedding: e, descriptor: d });
/** A face from fast mode (or an old analysis): no descriptor. */
const bare = (e = randomUnitVector(rng)) => ({ embedding: e });

describe('Function: templateOf', () => {
  it('is the normalised mean direction of the references, for both vectors', () => {
    // Prepare
    const refs = [face(), face(), face()];

    // Act
    const t = templateOf(refs);

    // Assess
    expect([...t.centroid]).toEqual([...meanDirection(refs.map((r) => r.embedding))]);
    expect([...t.descriptorCentroid!]).toEqual([...meanDirection(refs.map((r) => r.descriptor!))]);
    expect(Math.hypot(...t.centroid)).toBeCloseTo(1, 5);
    expect(Math.hypot(...t.descriptorCentroid!)).toBeCloseTo(1, 5);
  });

  it('has no descriptor centroid when any reference lacks a descriptor', () => {
    const t = templateOf([face(), bare()]);
    expect(t.descriptorCentroid).toBeUndefined();
    expect(t.centroid).toHaveLength(512);
  });

  it('refuses an empty reference list and references of different lengths', () => {
    expect(() => templateOf([])).toThrow(RangeError);
    expect(() => templateOf([face(), face(randomUnitVector(rng, 256))])).toThrow(RangeError);
  });
});

describe('Function: fusedScore', () => {
  const weights: FusionWeights = { embeddingWeight: 0.3, descriptorWeight: 2, offset: -1.5 };

  it('is the weighted sum of both cosines plus the offset when both sides have descriptors', () => {
    // Prepare
    const t = templateOf([face(), face()]);
    const f = face();

    // Act
    const s = fusedScore(f, t, weights);

    // Assess
    const expected = 0.3 * dot(f.embedding, t.centroid) + 2 * dot(f.descriptor!, t.descriptorCentroid!) - 1.5;
    expect(s).toBeCloseTo(expected, 6);
    expect(isFused(f, t)).toBe(true);
  });

  it('falls back to the plain first-embedder cosine when the face or the template has no descriptor', () => {
    // Prepare
    const full = templateOf([face()]);
    const noDescriptors = templateOf([bare()]);
    const f = face();
    const noDescriptor = { embedding: f.embedding };

    // Act
    const faceSide = fusedScore(noDescriptor, full, weights);
    const templateSide = fusedScore(f, noDescriptors, weights);

    // Assess: exactly the cosine, whatever the weights
    expect(faceSide).toBe(dot(f.embedding, full.centroid));
    expect(templateSide).toBe(dot(f.embedding, noDescriptors.centroid));
    expect(isFused(noDescriptor, full)).toBe(false);
    expect(isFused(f, noDescriptors)).toBe(false);
  });

  it('ranks the same person above a stranger with the product weights', () => {
    // Prepare: a person's references and a new photo near them; a stranger far from both.
    const e = randomUnitVector(rng);
    const d = randomUnitVector(rng, 128);
    const person = templateOf(
      [0, 1, 2].map(() => face(nearbyUnitVector(rng, e, 0.8), nearbyUnitVector(rng, d, 0.8))),
    );
    const same = face(nearbyUnitVector(rng, e, 0.8), nearbyUnitVector(rng, d, 0.8));
    const stranger = face();

    // Act / Assess
    expect(fusedScore(same, person)).toBeGreaterThan(fusedScore(stranger, person));
    expect(FUSION_WEIGHTS.embeddingWeight).toBeGreaterThanOrEqual(0);
    expect(FUSION_WEIGHTS.descriptorWeight).toBeGreaterThan(0);
  });
});

describe('Function: scoreMatrix', () => {
  it('is faces x people, row-major, each entry the fused score', () => {
    // Prepare
    const faces = [face(), bare(), face()];
    const templates = [templateOf([face()]), templateOf([face(), face()])];

    // Act
    const m = scoreMatrix(faces, templates);

    // Assess
    expect(m).toHaveLength(6);
    faces.forEach((f, i) => {
      templates.forEach((t, j) => {
        expect(m[i * 2 + j]).toBeCloseTo(fusedScore(f, t), 6);
      });
    });
  });
});
