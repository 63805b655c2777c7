/**
 * `sort` after a review, scored on the faces nobody reviewed: every searched photo decided by the
 * decision core with the reviewer's labels on the reviewed faces (human labels decide those), and
 * only the never-reviewed faces counted.
 */
import { DEFAULT_POLICY } from '../../core/decide/DecisionPolicy.js';
import { decidePhoto } from '../../core/decide/decidePhoto.js';
import type { FaceLabels } from '../../core/decide/FaceLabels.js';
import type { BenchPhoto } from '../people/benchFace.js';
import { type BuiltPeople, withThresholds } from './reviewMethods.js';
import type { Reviews } from './simulateReview.js';

export interface ReviewCounts {
  /** Never-reviewed faces counted (a face in several album photos counts each time). */
  faces: number;
  /** Of those, faces of enrolled people. */
  known: number;
  /** Given to their own person. */
  tp: number;
  /** Given to someone they are not (a stranger given to anyone, or a known face to the wrong person). */
  fp: number;
  /** Known faces not given to their own person. */
  fn: number;
}

export const precision = (c: ReviewCounts): number => (c.tp + c.fp ? c.tp / (c.tp + c.fp) : Number.NaN);
export const recall = (c: ReviewCounts): number => (c.tp + c.fn ? c.tp / (c.tp + c.fn) : Number.NaN);
export const falsePer1k = (c: ReviewCounts): number => (c.faces ? (1000 * c.fp) / c.faces : Number.NaN);

export const evaluateReview = (
  photos: readonly BenchPhoto[],
  people: BuiltPeople,
  reviews: Reviews,
  counted: ReadonlySet<string>,
  shift = 0,
): ReviewCounts => {
  const matrix =
    shift === 0
      ? people.matrix
      : withThresholds(
          people.models,
          people.thresholds.map((t) => t + shift),
        );
  const enrolled = new Set(matrix.names);
  const c: ReviewCounts = { faces: 0, known: 0, tp: 0, fp: 0, fn: 0 };
  for (const photo of photos) {
    if (!photo.faces.some((f) => counted.has(f.key))) continue;
    const labels: (FaceLabels | undefined)[] = photo.faces.map((f) => {
      const r = reviews.byFace.get(f.key);
      if (!r) return undefined;
      return r.confirmed ? { confirmed: r.confirmed, rejected: r.rejected } : { rejected: r.rejected };
    });
    const d = decidePhoto(
      photo.faces.map((f) => f.vectors),
      matrix,
      DEFAULT_POLICY,
      labels,
    );
    photo.faces.forEach((f, i) => {
      if (!counted.has(f.key)) return;
      c.faces++;
      const truth = f.identity !== null && enrolled.has(f.identity) ? f.identity : null;
      const given = d.faces[i]!.person;
      if (truth !== null) c.known++;
      if (given !== null && given === truth) c.tp++;
      else {
        if (given !== null) c.fp++;
        if (truth !== null) c.fn++;
      }
    });
  }
  return c;
};

/**
 * False matches at a given recall: every threshold moved by the same shift, the largest shift
 * (strictest) that still reaches `target` recall, found by bisection (recall falls as thresholds rise).
 */
export const falseAtRecall = (
  photos: readonly BenchPhoto[],
  people: BuiltPeople,
  reviews: Reviews,
  counted: ReadonlySet<string>,
  target: number,
): { shift: number; counts: ReviewCounts } | null => {
  let lo = -0.15;
  let hi = 0.25;
  const at = (s: number) => evaluateReview(photos, people, reviews, counted, s);
  let best = at(lo);
  if (recall(best) < target) return null;
  let bestShift = lo;
  for (let i = 0; i < 10; i++) {
    const mid = (lo + hi) / 2;
    const c = at(mid);
    if (recall(c) >= target) {
      lo = mid;
      best = c;
      bestShift = mid;
    } else hi = mid;
  }
  return { shift: bestShift, counts: best };
};
