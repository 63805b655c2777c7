import type { NeighbourGraph } from './neighbourGraph.js';
import { PairHeap } from './PairHeap.js';

/**
 * Average-linkage agglomeration over a neighbour graph. The linkage of two groups is the mean
 * similarity over all their cross pairs, and for dot-product similarity that is exactly
 * dot(sum A, sum B) / (|A| |B|): so it is exact, not just over graph edges, and one weak edge
 * between two people cannot chain them together (what single-linkage DBSCAN does). The graph only
 * proposes which groups to compare. Entries go stale when a group grows; a stale entry is
 * recomputed when it reaches the top (lazy evaluation), so each merge costs O(d) per candidate.
 */
export interface LinkageInput {
  vectors: Float32Array;
  n: number;
  dim: number;
  graph: NeighbourGraph;
  /** Rows taking part (others are ignored, as are their edges). */
  active: Uint8Array;
  /** Per row: -1, or the preset group (existing cluster index) it starts in. */
  preset: Int32Array;
  /** Per preset group: takes no new rows. */
  lockedGroups: readonly boolean[];
  /** Per row: preset groups it must never end up in. */
  forbidden: readonly (readonly number[] | undefined)[];
  /** Linkage at which two groups always merge. */
  threshold: number;
  /**
   * Below `threshold`, down to `floor`, two groups still merge when their linkage is at least
   * `relative` times the lower of their cohesions (mean similarity within each group; 1 for a
   * single face). 0 turns this off.
   */
  floor: number;
  relative: number;
}

export interface LinkageGroups {
  /** Per row: the row standing for its group, -1 for inactive rows. */
  root: Int32Array;
  /** Per root: rows in the group. */
  size: Int32Array;
  /** Per root: sum of its rows' vectors. */
  sum: (Float32Array | undefined)[];
  /** Per root: preset group it contains, or -1. */
  preset: Int32Array;
  merges: number;
}

export const averageLinkage = (input: LinkageInput): LinkageGroups => {
  const { vectors, n, dim, graph, active, threshold } = input;
  const parent = new Int32Array(n);
  const size = new Int32Array(n);
  // Sum of the rows' squared norms: with the vector sum it gives the mean pairwise similarity.
  const selfDot = new Float64Array(n);
  const version = new Int32Array(n);
  const group = new Int32Array(n).fill(-1);
  const sum: (Float32Array | undefined)[] = new Array(n);
  const forbid: (Set<number> | undefined)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    parent[i] = i;
    size[i] = 1;
    if (!active[i]) continue;
    // Singletons read their own row; a copy is made only when a group grows.
    sum[i] = vectors.subarray(i * dim, i * dim + dim);
    let q = 0;
    for (let d = i * dim; d < i * dim + dim; d++) q += vectors[d]! * vectors[d]!;
    selfDot[i] = q;
    const f = input.forbidden[i];
    if (f?.length) forbid[i] = new Set(f);
  }

  const find = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r]!;
    while (parent[i] !== r) {
      const next = parent[i]!;
      parent[i] = r;
      i = next;
    }
    return r;
  };

  const absorb = (into: number, from: number): void => {
    parent[from] = into;
    let s = sum[into]!;
    if (size[into] === 1) {
      s = Float32Array.from(s);
      sum[into] = s;
    }
    const t = sum[from]!;
    for (let d = 0; d < dim; d++) s[d]! += t[d]!;
    size[into]! += size[from]!;
    selfDot[into]! += selfDot[from]!;
    sum[from] = undefined;
    const fb = forbid[from];
    if (fb) {
      const fa = forbid[into];
      if (fa) for (const x of fb) fa.add(x);
      else forbid[into] = fb;
      forbid[from] = undefined;
    }
    version[into]!++;
  };

  // Preset groups: existing clusters start whole, rooted at their first row.
  const presetRoot = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const g = input.preset[i]!;
    if (g < 0 || !active[i]) continue;
    const r = presetRoot.get(g);
    if (r === undefined) {
      presetRoot.set(g, i);
      group[i] = g;
    } else absorb(r, i);
  }

  const allowed = (a: number, b: number): boolean => {
    const ga = group[a]!;
    const gb = group[b]!;
    // Existing clusters never merge with each other, and a locked one takes nothing.
    if (ga >= 0 && gb >= 0) return false;
    if (ga >= 0) return !input.lockedGroups[ga] && !forbid[b]?.has(ga);
    if (gb >= 0) return !input.lockedGroups[gb] && !forbid[a]?.has(gb);
    return true;
  };

  const linkage = (a: number, b: number): number => {
    const x = sum[a]!;
    const y = sum[b]!;
    let s0 = 0;
    let s1 = 0;
    let d = 0;
    for (; d + 1 < dim; d += 2) {
      s0 += x[d]! * y[d]!;
      s1 += x[d + 1]! * y[d + 1]!;
    }
    if (d < dim) s0 += x[d]! * y[d]!;
    return (s0 + s1) / (size[a]! * size[b]!);
  };

  const cohesion = (a: number): number => {
    const m = size[a]!;
    if (m === 1) return 1;
    const x = sum[a]!;
    let q = 0;
    for (let d = 0; d < dim; d++) q += x[d]! * x[d]!;
    return (q - selfDot[a]!) / (m * (m - 1));
  };
  const accepts = (s: number, a: number, b: number): boolean =>
    s >= threshold || (input.relative > 0 && s >= input.relative * Math.min(cohesion(a), cohesion(b)));
  const floor = Math.min(threshold, input.relative > 0 ? input.floor : threshold);

  const heap = new PairHeap();
  const { k, index, similarity, count } = graph;
  const holds = (row: number, j: number): boolean => {
    for (let t = row * k; t < row * k + count[row]!; t++) if (index[t] === j) return true;
    return false;
  };
  for (let i = 0; i < n; i++) {
    if (!active[i]) continue;
    for (let t = i * k; t < i * k + count[i]!; t++) {
      const j = index[t]!;
      if (!active[j] || (j < i && holds(j, i))) continue;
      const a = find(i);
      const b = find(j);
      if (a === b || !allowed(a, b)) continue;
      const s = size[a] === 1 && size[b] === 1 ? similarity[t]! : linkage(a, b);
      const lo = Math.min(a, b);
      const hi = Math.max(a, b);
      if (s >= floor) heap.push(s, lo, hi, version[lo]!, version[hi]!);
    }
  }

  let merges = 0;
  const top = { sim: 0, a: 0, b: 0, va: 0, vb: 0 };
  while (heap.pop(top)) {
    if (top.sim < floor) break;
    const a = find(top.a);
    const b = find(top.b);
    if (a === b) continue;
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    const fresh = a === top.a && b === top.b && version[a] === top.va && version[b] === top.vb;
    if (!allowed(lo, hi)) continue;
    if (!fresh) {
      const s = linkage(lo, hi);
      if (s >= floor) heap.push(s, lo, hi, version[lo]!, version[hi]!);
      continue;
    }
    if (!accepts(top.sim, lo, hi)) continue;
    // The existing cluster keeps its root; otherwise the larger group, then the lower row.
    let into = lo;
    let from = hi;
    if (group[hi]! >= 0 || (group[lo]! < 0 && size[hi]! > size[lo]!)) {
      into = hi;
      from = lo;
    }
    absorb(into, from);
    merges++;
  }

  const root = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) if (active[i]) root[i] = find(i);
  return { root, size, sum, preset: group, merges };
};
