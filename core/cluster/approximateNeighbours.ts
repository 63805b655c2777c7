import { seededRng } from '../util/seededRng.js';
import { blockPairs } from './blockPairs.js';
import { gather, queriesFirst } from './exactNeighbours.js';
import { createNeighbourGraph, type NeighbourGraph, offerNeighbour } from './neighbourGraph.js';

/**
 * The neighbour graph from a k-means tree: rows are split recursively by spherical k-means into
 * leaves of about `leafSize`; each query row is also placed in the `probes - 1` next leaves a
 * best-first descent finds, and exact similarities are computed for every pair sharing a leaf.
 * Faces of one person lie close together, so their pairs share leaves; a pair that does not is
 * lost (measured in the clustering benchmark against the exact graph). Cost about
 * n * leafSize * probes^2 / 2 dot products instead of n^2 / 2.
 */
export const approximateNeighbours = (
  vectors: Float32Array,
  n: number,
  dim: number,
  k: number,
  minSimilarity: number,
  isQuery: Uint8Array,
  options: { leafSize: number; probes: number; seed: number },
): NeighbourGraph => {
  const rng = seededRng(options.seed);
  const all = new Int32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  const leaves: Int32Array[] = [];
  const primary = new Int32Array(n);
  const root = buildNode(vectors, dim, all, options.leafSize, rng, leaves, primary, null);

  // Leaf membership: every row in its own leaf, query rows in up to `probes` leaves.
  const extra: number[][] = leaves.map(() => []);
  if (options.probes > 1) {
    for (let i = 0; i < n; i++) {
      if (!isQuery[i]) continue;
      for (const leaf of nearestLeaves(vectors, dim, i, root, options.probes, primary[i]!))
        extra[leaf]!.push(i);
    }
  }

  const g = createNeighbourGraph(n, k);
  let block: Float32Array = new Float32Array(0);
  leaves.forEach((own, l) => {
    const { rows, queries } = queriesFirst(
      extra[l]!.length ? Int32Array.from([...own, ...extra[l]!]) : own,
      isQuery,
    );
    block = gather(vectors, dim, rows, block);
    blockPairs(block, rows.length, queries, dim, minSimilarity, (a, b, s) => {
      const i = rows[a]!;
      const j = rows[b]!;
      if (i === j) return;
      offerNeighbour(g, i, j, s);
      offerNeighbour(g, j, i, s);
    });
  });
  return g;
};

interface TreeNode {
  /** Unit mean direction of the rows under the node (unused at the root). */
  centroid: Float32Array;
  children: TreeNode[];
  /** Index into the leaves, or -1 for an inner node. */
  leaf: number;
}

const MAX_BRANCHING = 16;
const SAMPLE_PER_BRANCH = 32;
const KMEANS_ITERATIONS = 5;

const meanDirection = (vectors: Float32Array, dim: number, rows: Int32Array): Float32Array => {
  const c = new Float32Array(dim);
  for (const r of rows) {
    const o = r * dim;
    for (let t = 0; t < dim; t++) c[t]! += vectors[o + t]!;
  }
  normalise(c);
  return c;
};

const normalise = (c: Float32Array): void => {
  let s = 0;
  for (let t = 0; t < c.length; t++) s += c[t]! * c[t]!;
  const norm = Math.sqrt(s);
  if (norm > 0) for (let t = 0; t < c.length; t++) c[t]! /= norm;
};

const dotWith = (vectors: Float32Array, row: number, dim: number, c: Float32Array): number => {
  let s0 = 0;
  let s1 = 0;
  const o = row * dim;
  let t = 0;
  for (; t + 1 < dim; t += 2) {
    s0 += vectors[o + t]! * c[t]!;
    s1 += vectors[o + t + 1]! * c[t + 1]!;
  }
  if (t < dim) s0 += vectors[o + t]! * c[t]!;
  return s0 + s1;
};

/**
 * Index of the centre (rows of the packed `centres`, `b` of them) most similar to the row: four
 * centres per pass over the row, so each loaded value of the row feeds four products.
 */
const nearest = (
  vectors: Float32Array,
  dim: number,
  row: number,
  centres: Float32Array,
  b: number,
): number => {
  const o = row * dim;
  let best = 0;
  let bestSim = Number.NEGATIVE_INFINITY;
  let c = 0;
  for (; c + 3 < b; c += 4) {
    const y0 = c * dim;
    const y1 = y0 + dim;
    const y2 = y1 + dim;
    const y3 = y2 + dim;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let t = 0; t < dim; t++) {
      const x = vectors[o + t]!;
      s0 += x * centres[y0 + t]!;
      s1 += x * centres[y1 + t]!;
      s2 += x * centres[y2 + t]!;
      s3 += x * centres[y3 + t]!;
    }
    if (s0 > bestSim) {
      bestSim = s0;
      best = c;
    }
    if (s1 > bestSim) {
      bestSim = s1;
      best = c + 1;
    }
    if (s2 > bestSim) {
      bestSim = s2;
      best = c + 2;
    }
    if (s3 > bestSim) {
      bestSim = s3;
      best = c + 3;
    }
  }
  for (; c < b; c++) {
    const s = dotWith(vectors, row, dim, centres.subarray(c * dim, c * dim + dim));
    if (s > bestSim) {
      bestSim = s;
      best = c;
    }
  }
  return best;
};

/** Spherical k-means on a sample of the rows (k-means++ start): `b` unit centres, packed. */
const kmeansCentres = (
  vectors: Float32Array,
  dim: number,
  rows: Int32Array,
  b: number,
  rng: () => number,
): { centres: Float32Array; b: number } => {
  const m = Math.min(rows.length, b * SAMPLE_PER_BRANCH);
  const pool = Int32Array.from(rows);
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(rng() * (pool.length - i));
    const t = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = t;
  }
  const sample = pool.subarray(0, m);
  const centres = new Float32Array(b * dim);
  centres.set(vectors.subarray(sample[0]! * dim, sample[0]! * dim + dim));
  let have = 1;
  const dist = new Float64Array(m).fill(Number.POSITIVE_INFINITY);
  while (have < b) {
    const last = centres.subarray((have - 1) * dim, have * dim);
    let total = 0;
    for (let i = 0; i < m; i++) {
      const d = Math.max(0, 1 - dotWith(vectors, sample[i]!, dim, last));
      if (d < dist[i]!) dist[i] = d;
      total += dist[i]!;
    }
    // Every sampled row already coincides with a centre: fewer branches.
    if (total <= 0) break;
    let r = rng() * total;
    let pick = m - 1;
    for (let i = 0; i < m; i++) {
      r -= dist[i]!;
      if (r <= 0) {
        pick = i;
        break;
      }
    }
    centres.set(vectors.subarray(sample[pick]! * dim, sample[pick]! * dim + dim), have * dim);
    have++;
  }
  const assign = new Int32Array(m);
  const sums = new Float32Array(have * dim);
  const counts = new Int32Array(have);
  for (let it = 0; it < KMEANS_ITERATIONS; it++) {
    for (let i = 0; i < m; i++) assign[i] = nearest(vectors, dim, sample[i]!, centres, have);
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < m; i++) {
      const c = assign[i]! * dim;
      const o = sample[i]! * dim;
      for (let t = 0; t < dim; t++) sums[c + t]! += vectors[o + t]!;
      counts[assign[i]!]!++;
    }
    // An emptied centre keeps its place rather than vanish mid-iteration.
    for (let c = 0; c < have; c++) {
      if (counts[c] === 0) continue;
      const s = sums.subarray(c * dim, c * dim + dim);
      normalise(s);
      centres.set(s, c * dim);
    }
  }
  return { centres, b: have };
};

const buildNode = (
  vectors: Float32Array,
  dim: number,
  rows: Int32Array,
  leafSize: number,
  rng: () => number,
  leaves: Int32Array[],
  primary: Int32Array,
  centroid: Float32Array | null,
): TreeNode => {
  const own = centroid ?? new Float32Array(dim);
  if (rows.length <= leafSize) {
    const leaf = leaves.length;
    leaves.push(rows);
    for (const r of rows) primary[r] = leaf;
    return { centroid: own, children: [], leaf };
  }
  const b = Math.min(MAX_BRANCHING, Math.ceil(rows.length / leafSize));
  const { centres, b: got } = kmeansCentres(vectors, dim, rows, b, rng);
  const assign = new Int32Array(rows.length);
  const counts = new Int32Array(got);
  for (let i = 0; i < rows.length; i++) {
    assign[i] = nearest(vectors, dim, rows[i]!, centres, got);
    counts[assign[i]!]!++;
  }
  let parts: Int32Array[] = Array.from(counts, (c) => new Int32Array(c));
  const fill = new Int32Array(got);
  for (let i = 0; i < rows.length; i++) parts[assign[i]!]![fill[assign[i]!]!++] = rows[i]!;
  parts = parts.filter((p) => p.length > 0);
  // Identical vectors defeat k-means: halve in order so the recursion always ends.
  if (parts.length < 2) {
    const h = rows.length >> 1;
    parts = [rows.slice(0, h), rows.slice(h)];
  }
  const children = parts.map((p) =>
    buildNode(vectors, dim, p, leafSize, rng, leaves, primary, meanDirection(vectors, dim, p)),
  );
  return { centroid: own, children, leaf: -1 };
};

/** The row's own leaf, then the next nearest leaves by best-first descent, `probes` in all. */
const nearestLeaves = (
  vectors: Float32Array,
  dim: number,
  row: number,
  root: TreeNode,
  probes: number,
  own: number,
): number[] => {
  const found: number[] = [];
  // Small frontier: a sorted array is simpler than a heap and fast enough.
  const frontier: { node: TreeNode; s: number }[] = root.children.map((c) => ({
    node: c,
    s: dotWith(vectors, row, dim, c.centroid),
  }));
  while (frontier.length && found.length < probes - 1) {
    frontier.sort((a, b) => b.s - a.s);
    const { node } = frontier.shift()!;
    if (node.leaf >= 0) {
      if (node.leaf !== own) found.push(node.leaf);
      continue;
    }
    for (const c of node.children) frontier.push({ node: c, s: dotWith(vectors, row, dim, c.centroid) });
  }
  return found;
};
