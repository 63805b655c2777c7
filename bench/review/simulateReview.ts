/**
 * A reviewer with ground truth: for every enrolled person, the faces of the searched photos whose
 * score for them lies in the gray zone around their threshold, closest to it first (what the
 * review page's person view puts first), are confirmed when they are that person and rejected
 * otherwise. Taking the first K of one fixed order makes the reviews nested (K=10 ⊂ K=20 ⊂ K=50).
 */
import type { PeopleMatrix } from '../../core/decide/PeopleMatrix.js';
import type { BenchFace, BenchPhoto } from '../people/benchFace.js';

/** Half width of the gray zone the reviewer works in (score units). */
export const GRAY_ZONE = 0.1;

export interface ReviewQueue {
  /** Person → faces in review order (closest to the threshold first). */
  queue: Map<string, BenchFace[]>;
}

export const reviewQueue = (
  photos: readonly BenchPhoto[],
  matrix: PeopleMatrix,
  thresholds: ArrayLike<number>,
): ReviewQueue => {
  const seen = new Map<string, BenchFace>();
  for (const p of photos) for (const f of p.faces) seen.set(f.key, f);
  const faces = [...seen.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  const S = matrix.score(faces.map((f) => f.vectors));
  const P = matrix.size;
  const queue = new Map<string, BenchFace[]>();
  for (let j = 0; j < P; j++) {
    const t = thresholds[j]!;
    const near: { f: BenchFace; d: number }[] = [];
    faces.forEach((f, i) => {
      const d = Math.abs(S[i * P + j]! - t);
      if (d <= GRAY_ZONE) near.push({ f, d });
    });
    near.sort((a, b) => a.d - b.d || (a.f.key < b.f.key ? -1 : 1));
    queue.set(
      matrix.names[j]!,
      near.map((x) => x.f),
    );
  }
  return { queue };
};

export interface Reviews {
  /** Person → faces confirmed as them. */
  confirmed: Map<string, BenchFace[]>;
  /** Person → faces rejected for them. */
  rejected: Map<string, BenchFace[]>;
  /** Face key → what the reviewer said about it. */
  byFace: Map<string, { confirmed?: string; rejected: Set<string> }>;
  reviewed: number;
}

/** The first `k` faces of each person's queue, labelled from the truth. */
export const reviewFirst = (q: ReviewQueue, k: number): Reviews => {
  const out: Reviews = { confirmed: new Map(), rejected: new Map(), byFace: new Map(), reviewed: 0 };
  for (const [person, faces] of q.queue) {
    for (const f of faces.slice(0, k)) {
      out.reviewed++;
      const entry = out.byFace.get(f.key) ?? { rejected: new Set<string>() };
      if (f.identity === person) {
        entry.confirmed = person;
        out.confirmed.set(person, [...(out.confirmed.get(person) ?? []), f]);
      } else {
        entry.rejected.add(person);
        out.rejected.set(person, [...(out.rejected.get(person) ?? []), f]);
      }
      out.byFace.set(f.key, entry);
    }
  }
  return out;
};
