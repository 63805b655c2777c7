import { describe, expect, it } from 'vitest';
import { matchPhoto } from '../../core/match/matchPhoto.js';
import type { Face, FivePoints, ImageAnalysis } from '../../core/types.js';

const noPoints = [0, 0, 0, 0, 0].map(() => ({ x: 0, y: 0 })) as unknown as FivePoints;

/** A face whose cosine with the template (1, 0) is `similarity` (exact for dyadic values). */
const face = (similarity: number, x: number): Face => ({
  box: { x1: x, y1: 10, x2: x + 50, y2: 70 },
  score: 0.875,
  points: noPoints,
  roll: 0,
  quality: 0.5,
  embedding: new Float32Array([similarity, Math.sqrt(1 - similarity * similarity)]),
});

const analysis = (faces: Face[]): ImageAnalysis => ({ width: 640, height: 480, faces, rejected: 0 });
const gallery = { centroid: new Float32Array([1, 0]) };

describe('Function: matchPhoto', () => {
  it('is no_face with no faces, no best score and no match', () => {
    // Prepare
    const photo = analysis([]);

    // Act
    const decision = matchPhoto(photo, gallery, 0.4);

    // Assess
    expect(decision).toEqual({ status: 'no_face', faces: [], matchIndex: -1 });
    expect(decision.bestScore).toBeUndefined();
  });

  it('is matched with exactly the best face marked when it passes the threshold', () => {
    // Prepare
    const photo = analysis([face(0.25, 0), face(0.75, 100), face(0.5, 200)]);

    // Act
    const decision = matchPhoto(photo, gallery, 0.4);

    // Assess
    expect(decision.status).toBe('matched');
    expect(decision.matchIndex).toBe(1);
    expect(decision.bestScore).toBe(0.75);
    expect(decision.faces).toEqual([
      { box: { x1: 0, y1: 10, x2: 50, y2: 70 }, detScore: 0.875, quality: 0.5, score: 0.25, match: false },
      { box: { x1: 100, y1: 10, x2: 150, y2: 70 }, detScore: 0.875, quality: 0.5, score: 0.75, match: true },
      { box: { x1: 200, y1: 10, x2: 250, y2: 70 }, detScore: 0.875, quality: 0.5, score: 0.5, match: false },
    ]);
  });

  it('marks only one face when two faces pass the threshold with the same score', () => {
    // Prepare
    const photo = analysis([face(0.75, 0), face(0.75, 100)]);

    // Act
    const decision = matchPhoto(photo, gallery, 0.4);

    // Assess
    expect(decision.faces.map((f) => f.match)).toEqual([true, false]);
    expect(decision.matchIndex).toBe(0);
  });

  it('is no_match with the best score reported and no face marked when none passes', () => {
    // Prepare
    const photo = analysis([face(0.25, 0), face(0.375, 100)]);

    // Act
    const decision = matchPhoto(photo, gallery, 0.4);

    // Assess
    expect(decision.status).toBe('no_match');
    expect(decision.matchIndex).toBe(-1);
    expect(decision.bestScore).toBe(0.375);
    expect(decision.faces.map((f) => f.match)).toEqual([false, false]);
    expect(decision.faces.map((f) => f.score)).toEqual([0.25, 0.375]);
  });

  it('matches a face scoring exactly the threshold', () => {
    // Prepare
    const photo = analysis([face(0.5, 0)]);

    // Act
    const decision = matchPhoto(photo, gallery, 0.5);

    // Assess
    expect(decision.status).toBe('matched');
    expect(decision.matchIndex).toBe(0);
  });
});
