/**
 * Builders for the engine's and the gallery's data in tests: one default for every field, so a
 * test names only what it is about (the box, the embedding, the quality…).
 */
import { GALLERY_VERSION, type Gallery } from '../../core/match/gallery.js';
import type { Box, Face, FivePoints, ImageAnalysis } from '../../core/types.js';

/** Five landmarks along a diagonal from the box's corner, `dx` and `dy` apart: for tests where their shape is irrelevant. */
export const diagonalPoints = (box: Box, dx = 10, dy = 5): FivePoints =>
  [0, 1, 2, 3, 4].map((i) => ({ x: box.x1 + dx * i, y: box.y1 + dy * i })) as unknown as FivePoints;

/** Five landmarks at the origin, for tests that never look at them. */
export const noPoints: FivePoints = [0, 1, 2, 3, 4].map(() => ({ x: 0, y: 0 })) as unknown as FivePoints;

/** Eyes, nose and mouth corners of a frontal face in a 300-px-wide box at `x` (a turned one never starts a cluster). */
export const frontalPoints = (x: number): FivePoints =>
  [
    { x: x + 90, y: 250 },
    { x: x + 210, y: 250 },
    { x: x + 150, y: 320 },
    { x: x + 105, y: 390 },
    { x: x + 195, y: 390 },
  ] as unknown as FivePoints;

/** A face: a 100 × 120 box at (100, 100), landmarks along its diagonal, score and quality 0.9. */
export const aFace = (o: Partial<Face> = {}): Face => {
  const box = o.box ?? { x1: 100, y1: 100, x2: 200, y2: 220 };
  return {
    box,
    score: 0.9,
    points: diagonalPoints(box),
    roll: 0,
    quality: 0.9,
    embedding: new Float32Array(512),
    ...o,
  };
};

/** A photo's analysis: 1000 × 800 with `faces`, nothing rejected. */
export const anAnalysis = (
  faces: Face[] = [],
  o: Partial<Omit<ImageAnalysis, 'faces'>> = {},
): ImageAnalysis => ({
  width: 1000,
  height: 800,
  rejected: 0,
  faces,
  ...o,
});

/** A gallery of `person` with one reference whose embedding is its centroid. */
export const aGallery = (person: string, embedding: Float32Array, o: Partial<Gallery> = {}): Gallery => ({
  version: GALLERY_VERSION,
  person,
  modelSetId: 'models-1',
  createdAt: '2026-01-01T00:00:00.000Z',
  references: [{ source: 'a.jpg', sha256: 'h', box: { x1: 0, y1: 0, x2: 1, y2: 1 }, quality: 1, embedding }],
  rejected: [],
  centroid: embedding,
  ...o,
});

/** `dim` numbers in [-0.5, 0.5) from a linear congruential generator: the same seed, the same vector. */
export const lcgVector = (seed: number, dim = 512): Float32Array => {
  const v = new Float32Array(dim);
  let s = seed;
  for (let i = 0; i < v.length; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    v[i] = s / 2 ** 31 - 0.5;
  }
  return v;
};

/** `v` scaled to length 1. */
export const normalized = (v: Float32Array): Float32Array => {
  const n = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
  return v.map((x) => x / n);
};

/** lcgVector(seed, dim) at length 1. */
export const lcgUnit = (seed: number, dim = 512): Float32Array => normalized(lcgVector(seed, dim));

/** Someone's face: their base vector plus a little noise (similarity ~0.9 to each other). */
export const faceOfPerson = (person: number, seed: number): Float32Array => {
  const base = lcgUnit(person);
  const noise = lcgUnit(seed);
  return normalized(base.map((x, i) => x + 0.3 * noise[i]!));
};

/** The bytes of a Float32Array as SQLite stores them. */
export const bytesOf = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
