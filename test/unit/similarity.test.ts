import { describe, expect, it } from 'vitest';
import { cosine, dot, l2Normalize } from '../../core/match/similarity.js';

describe('Function: l2Normalize', () => {
  it('scales the vector to unit length in place and returns the original norm', () => {
    // Prepare
    const v = new Float32Array([3, 4]);

    // Act
    const norm = l2Normalize(v);

    // Assess
    expect(norm).toBe(5);
    expect([...v]).toEqual([Math.fround(0.6), Math.fround(0.8)]);
  });

  it('leaves a zero vector as it is and returns 0', () => {
    // Prepare
    const v = new Float32Array(4);

    // Act
    const norm = l2Normalize(v);

    // Assess
    expect(norm).toBe(0);
    expect([...v]).toEqual([0, 0, 0, 0]);
  });
});

describe('Function: dot', () => {
  it('sums the element-wise products', () => {
    // Prepare
    const a = new Float32Array([1, 2, 3]);
    const b = new Float32Array([4, -5, 6]);

    // Act
    const value = dot(a, b);

    // Assess
    expect(value).toBe(12);
  });

  it('throws a RangeError naming both lengths when they differ', () => {
    // Prepare
    const a = new Float32Array(512);
    const b = new Float32Array(128);

    // Act
    const act = () => dot(a, b);

    // Assess
    expect(act).toThrow(RangeError);
    expect(act).toThrow('512 vs 128');
  });
});

describe('Function: cosine', () => {
  it('is 1 for equal unit vectors, -1 for opposite ones and 0 for orthogonal ones', () => {
    // Prepare
    const x = new Float32Array([1, 0]);
    const y = new Float32Array([0, 1]);
    const minusX = new Float32Array([-1, 0]);

    // Act
    const values = [cosine(x, x), cosine(x, minusX), cosine(x, y)];

    // Assess
    expect(values).toEqual([1, -1, 0]);
  });
});
