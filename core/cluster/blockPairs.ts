import { rowDot } from './neighbourGraph.js';

/**
 * Calls `visit(a, b, s)` for every pair a < b of the m rows of `block` (packed, `dim` wide) with
 * a < `queries` (rows before `queries` are the ones asking) whose dot product s reaches
 * `minSimilarity`. Two rows against four at a time: each loaded value feeds several products,
 * which is what bounds a JavaScript dot-product loop (about 1.5-2x the speed of pair by pair).
 */
export const blockPairs = (
  block: Float32Array,
  m: number,
  queries: number,
  dim: number,
  minSimilarity: number,
  visit: (a: number, b: number, s: number) => void,
): void => {
  let a = 0;
  for (; a + 1 < queries; a += 2) {
    const x0 = a * dim;
    const x1 = x0 + dim;
    const s01 = rowDot(block, x0, x1, dim);
    if (s01 >= minSimilarity) visit(a, a + 1, s01);
    let b = a + 2;
    for (; b + 3 < m; b += 4) {
      const y0 = b * dim;
      const y1 = y0 + dim;
      const y2 = y1 + dim;
      const y3 = y2 + dim;
      let p0 = 0;
      let p1 = 0;
      let p2 = 0;
      let p3 = 0;
      let q0 = 0;
      let q1 = 0;
      let q2 = 0;
      let q3 = 0;
      for (let t = 0; t < dim; t++) {
        const u = block[x0 + t]!;
        const w = block[x1 + t]!;
        const c0 = block[y0 + t]!;
        const c1 = block[y1 + t]!;
        const c2 = block[y2 + t]!;
        const c3 = block[y3 + t]!;
        p0 += u * c0;
        p1 += u * c1;
        p2 += u * c2;
        p3 += u * c3;
        q0 += w * c0;
        q1 += w * c1;
        q2 += w * c2;
        q3 += w * c3;
      }
      if (p0 >= minSimilarity) visit(a, b, p0);
      if (p1 >= minSimilarity) visit(a, b + 1, p1);
      if (p2 >= minSimilarity) visit(a, b + 2, p2);
      if (p3 >= minSimilarity) visit(a, b + 3, p3);
      if (q0 >= minSimilarity) visit(a + 1, b, q0);
      if (q1 >= minSimilarity) visit(a + 1, b + 1, q1);
      if (q2 >= minSimilarity) visit(a + 1, b + 2, q2);
      if (q3 >= minSimilarity) visit(a + 1, b + 3, q3);
    }
    for (; b < m; b++) {
      const y = b * dim;
      const s0 = rowDot(block, x0, y, dim);
      if (s0 >= minSimilarity) visit(a, b, s0);
      const s1 = rowDot(block, x1, y, dim);
      if (s1 >= minSimilarity) visit(a + 1, b, s1);
    }
  }
  for (; a < queries; a++) {
    for (let b = a + 1; b < m; b++) {
      const s = rowDot(block, a * dim, b * dim, dim);
      if (s >= minSimilarity) visit(a, b, s);
    }
  }
};
