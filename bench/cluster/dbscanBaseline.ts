/**
 * The baseline: plain DBSCAN on cosine similarity, what Immich's and PhotoPrism's clustering is
 * modelled on. A face is a core face when at least `minPoints` faces (itself included) are within
 * `minSimilarity`; core faces within reach of each other form one cluster (single linkage: one
 * chain of close faces joins two people); other faces within reach of a core face join its
 * cluster (the first core face in id order); the rest are noise (unknown). Exact and O(n^2): for
 * the small development sets only.
 */
import type { LabelledSet } from './labelledSet.js';

export const dbscan = (set: LabelledSet, minSimilarity: number, minPoints: number): (number | null)[] => {
  const order = set.faces.map((_, i) => i).sort((a, b) => (set.faces[a]!.id < set.faces[b]!.id ? -1 : 1));
  const n = order.length;
  const e = order.map((i) => set.faces[i]!.embedding);
  const near: number[][] = e.map(() => []);
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      let s = 0;
      const x = e[a]!;
      const y = e[b]!;
      for (let d = 0; d < x.length; d++) s += x[d]! * y[d]!;
      if (s >= minSimilarity) {
        near[a]!.push(b);
        near[b]!.push(a);
      }
    }
  }
  const core = near.map((l) => l.length + 1 >= minPoints);
  const label = new Array<number | null>(n).fill(null);
  let next = 0;
  for (let a = 0; a < n; a++) {
    if (!core[a] || label[a] !== null) continue;
    const id = next++;
    label[a] = id;
    const stack = [a];
    while (stack.length) {
      const p = stack.pop()!;
      for (const q of near[p]!) {
        if (label[q] !== null) continue;
        label[q] = id;
        if (core[q]) stack.push(q);
      }
    }
  }
  const out = new Array<number | null>(n).fill(null);
  order.forEach((i, a) => {
    out[i] = label[a]!;
  });
  return out;
};
