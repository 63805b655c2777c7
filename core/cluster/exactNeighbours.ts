import { blockPairs } from './blockPairs.js';
import { createNeighbourGraph, type NeighbourGraph, offerNeighbour } from './neighbourGraph.js';

/**
 * The exact graph: every pair of rows, skipping pairs where neither row is a query (pairs among
 * faces whose clusters are settled cannot change anything). O(n^2 d): for small sets.
 */
export const exactNeighbours = (
  vectors: Float32Array,
  n: number,
  dim: number,
  k: number,
  minSimilarity: number,
  isQuery: Uint8Array,
): NeighbourGraph => {
  const rows = queriesFirst(
    Int32Array.from({ length: n }, (_, i) => i),
    isQuery,
  );
  const g = createNeighbourGraph(n, k);
  const block = gather(vectors, dim, rows.rows);
  blockPairs(block, n, rows.queries, dim, minSimilarity, (a, b, s) => {
    const i = rows.rows[a]!;
    const j = rows.rows[b]!;
    offerNeighbour(g, i, j, s);
    offerNeighbour(g, j, i, s);
  });
  return g;
};

/** The rows reordered so the querying ones come first (each part keeps its order). */
export const queriesFirst = (
  rows: Int32Array,
  isQuery: Uint8Array,
): { rows: Int32Array; queries: number } => {
  const out = new Int32Array(rows.length);
  let q = 0;
  for (const r of rows) if (isQuery[r]) out[q++] = r;
  let o = q;
  for (const r of rows) if (!isQuery[r]) out[o++] = r;
  return { rows: out, queries: q };
};

/** A contiguous copy of the given rows, so the pair loops stay in cache. */
export const gather = (
  vectors: Float32Array,
  dim: number,
  rows: Int32Array,
  into?: Float32Array,
): Float32Array => {
  const block = into && into.length >= rows.length * dim ? into : new Float32Array(rows.length * dim);
  rows.forEach((r, a) => {
    block.set(vectors.subarray(r * dim, r * dim + dim), a * dim);
  });
  return block;
};
