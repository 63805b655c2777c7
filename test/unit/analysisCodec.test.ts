import { describe, expect, it } from 'vitest';
import { decodeAnalysis, encodeAnalysis } from '../../core/analysis/analysisCodec.js';
import type { FivePoints, ImageAnalysis } from '../../core/types.js';
import { randomUnitVector, seededRng } from '../helpers/random.js';

const points = (dx: number): FivePoints =>
  [
    { x: 38.25 + dx, y: 51.5 },
    { x: 73.5 + dx, y: 51.5 },
    { x: 56 + dx, y: 71.75 },
    { x: 41.5 + dx, y: 92.25 },
    { x: 70.75 + dx, y: 92.25 },
  ] as const;

const sample = (): ImageAnalysis => {
  const rng = seededRng(21);
  return {
    width: 4032,
    height: 3024,
    rejected: 2,
    faces: [
      {
        box: { x1: 10.5, y1: 20.25, x2: 110.5, y2: 140 },
        score: 0.987654321,
        points: points(0),
        roll: -3.25,
        quality: 0.91,
        embedding: randomUnitVector(rng),
      },
      {
        box: { x1: 1000, y1: 800, x2: 1060, y2: 875 },
        score: 0.81,
        points: points(1000),
        roll: 12,
        quality: 0.6,
        // A view into a larger buffer, with -0 and a subnormal.
        embedding: new Float32Array([7, -0, 1e-40, 0.5, 7]).subarray(1, 4),
      },
    ],
  };
};

const bytesOf = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

describe('Function: encodeAnalysis / decodeAnalysis', () => {
  it('round-trips an analysis with embeddings bit-exact', () => {
    // Prepare
    const original = sample();

    // Act
    const decoded = decodeAnalysis(encodeAnalysis(original));

    // Assess
    expect(decoded).toBeDefined();
    expect({ ...decoded!, faces: decoded!.faces.map((f) => ({ ...f, embedding: undefined })) }).toEqual({
      ...original,
      faces: original.faces.map((f) => ({ ...f, embedding: undefined })),
    });
    decoded!.faces.forEach((f, i) => {
      expect(f.embedding).toBeInstanceOf(Float32Array);
      expect(bytesOf(f.embedding).equals(bytesOf(original.faces[i]!.embedding))).toBe(true);
    });
    expect(decoded!.faces[1]!.embedding).toHaveLength(3);
    expect(Object.is(decoded!.faces[1]!.embedding[0], -0)).toBe(true);
  });

  it('round-trips 128-d descriptors bit-exact and keeps a face without one without one', () => {
    // Prepare: the first face has a descriptor (fused mode), the second none (fast mode).
    const original = sample();
    const descriptor = randomUnitVector(seededRng(5), 128);
    original.faces[0]!.descriptor = descriptor;

    // Act
    const decoded = decodeAnalysis(encodeAnalysis(original));

    // Assess
    expect(decoded!.faces[0]!.descriptor).toBeInstanceOf(Float32Array);
    expect(bytesOf(decoded!.faces[0]!.descriptor!).equals(bytesOf(descriptor))).toBe(true);
    expect(decoded!.faces[1]).not.toHaveProperty('descriptor');
  });

  it('returns undefined for a descriptor that is not exactly 128 float32 values', () => {
    // Prepare
    const original = sample();
    original.faces[0]!.descriptor = randomUnitVector(seededRng(5), 128);
    const good = JSON.parse(encodeAnalysis(original)) as { faces: { descriptor?: string }[] };
    const short = structuredClone(good);
    short.faces[0]!.descriptor = Buffer.from(new Float32Array(127).buffer).toString('base64');
    const notText = structuredClone(good) as unknown as { faces: { descriptor?: unknown }[] };
    notText.faces[0]!.descriptor = [1, 2, 3];

    // Act / Assess
    expect(decodeAnalysis(JSON.stringify(good))).toBeDefined();
    expect(decodeAnalysis(JSON.stringify(short))).toBeUndefined();
    expect(decodeAnalysis(JSON.stringify(notText))).toBeUndefined();
  });

  it('round-trips an analysis without faces', () => {
    // Prepare
    const empty: ImageAnalysis = { width: 92, height: 112, faces: [], rejected: 0 };

    // Act
    const decoded = decodeAnalysis(encodeAnalysis(empty));

    // Assess
    expect(decoded).toEqual(empty);
  });

  it('returns undefined for text that is not JSON or not an analysis', () => {
    // Prepare
    const good = JSON.parse(encodeAnalysis(sample())) as { faces: { points: unknown[] }[] };
    const fourPoints = structuredClone(good);
    fourPoints.faces[0]!.points.pop();
    const garbage = [
      '',
      'not json',
      '{"width": 1',
      'null',
      '[]',
      '{}',
      JSON.stringify({ width: '4032', height: 3024, rejected: 0, faces: [] }),
      JSON.stringify(fourPoints),
    ];

    for (const text of garbage) {
      // Act
      const decoded = decodeAnalysis(text);

      // Assess
      expect(decoded).toBeUndefined();
    }
  });

  it('returns undefined (a cache miss, not an exception) for an embedding that is not whole float32 values', () => {
    // Prepare: "AAA=" decodes to 2 bytes.
    const good = JSON.parse(encodeAnalysis(sample())) as { faces: { embedding: string }[] };
    good.faces[0]!.embedding = 'AAA=';
    const text = JSON.stringify(good);

    // Act
    const act = () => decodeAnalysis(text);

    // Assess
    expect(act).not.toThrow();
    expect(decodeAnalysis(text)).toBeUndefined();
  });
});
