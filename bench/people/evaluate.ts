/**
 * Every searched photo decided by the decision core (`decidePhoto`) under one policy and one set
 * of per-person thresholds, and counted against the truth: who each face is, who is in each photo.
 */
import type { DecisionPolicy } from '../../core/decide/DecisionPolicy.js';
import { decidePhoto } from '../../core/decide/decidePhoto.js';
import { PeopleMatrix, type PersonModel } from '../../core/decide/PeopleMatrix.js';
import type { BenchPhoto } from './benchFace.js';

export interface PersonCounts {
  /** Photos the person is in and was found in. */
  tp: number;
  /** Photos the person was found in but is not in ("sort --everyone" copied it wrongly). */
  fp: number;
  /** Photos the person is in but was not found in. */
  fn: number;
}

export interface Counts {
  photos: number;
  faces: number;
  /** Faces of enrolled people. */
  knownFaces: number;
  /** Faces of nobody enrolled (held-out people and bystanders). */
  strangerFaces: number;
  /** Known faces given to their own person. */
  correct: number;
  /** (face, person) assignments where the face is not that person: known faces given to someone else and stranger faces given to anyone. */
  falseMatches: number;
  /** Of those, stranger faces given to someone. */
  strangerMatches: number;
  /** Stranger faces given to nobody. */
  strangerUnknown: number;
  /** Known faces whose best-scoring person is their own (threshold-free rank 1). */
  rank1: number;
  perPerson: Map<string, PersonCounts>;
  /** Runner-up margins of correct and of false assignments (exclusive mode, two or more people). */
  correctMargins: number[];
  falseMargins: number[];
}

export const emptyCounts = (): Counts => ({
  photos: 0,
  faces: 0,
  knownFaces: 0,
  strangerFaces: 0,
  correct: 0,
  falseMatches: 0,
  strangerMatches: 0,
  strangerUnknown: 0,
  rank1: 0,
  perPerson: new Map(),
  correctMargins: [],
  falseMargins: [],
});

export const addCounts = (into: Counts, c: Counts): Counts => {
  into.photos += c.photos;
  into.faces += c.faces;
  into.knownFaces += c.knownFaces;
  into.strangerFaces += c.strangerFaces;
  into.correct += c.correct;
  into.falseMatches += c.falseMatches;
  into.strangerMatches += c.strangerMatches;
  into.strangerUnknown += c.strangerUnknown;
  into.rank1 += c.rank1;
  for (const m of c.correctMargins) into.correctMargins.push(m);
  for (const m of c.falseMargins) into.falseMargins.push(m);
  for (const [p, x] of c.perPerson) {
    const y = into.perPerson.get(p) ?? { tp: 0, fp: 0, fn: 0 };
    into.perPerson.set(p, { tp: y.tp + x.tp, fp: y.fp + x.fp, fn: y.fn + x.fn });
  }
  return into;
};

/** The people as the decision core's matrix, each with their threshold. */
export const matrixOf = (
  people: readonly PersonModel[],
  thresholds: ArrayLike<number> | number,
): PeopleMatrix =>
  PeopleMatrix.build(
    people.map((p, j) => ({
      ...p,
      threshold: typeof thresholds === 'number' ? thresholds : thresholds[j]!,
    })),
  );

/**
 * Decides every photo and counts. In the exclusive mode the faces' `person` is the assignment; in
 * the independent (old) mode a found person took their best-scoring face, so that face is looked
 * up in the score matrix (and one face can be several people).
 */
export const evaluate = (
  photos: readonly BenchPhoto[],
  people: PeopleMatrix,
  policy: DecisionPolicy,
): Counts => {
  const c = emptyCounts();
  const P = people.size;
  for (const name of people.names) c.perPerson.set(name, { tp: 0, fp: 0, fn: 0 });
  const enrolled = new Set(people.names);
  for (const photo of photos) {
    const d = decidePhoto(
      photo.faces.map((f) => f.vectors),
      people,
      policy,
    );
    c.photos++;
    const truth = photo.faces.map((f) =>
      f.identity !== null && enrolled.has(f.identity) ? f.identity : null,
    );
    const assignments: { face: number; person: string }[] = [];
    if (policy.exclusive) {
      d.faces.forEach((x, i) => {
        if (x.person !== null) assignments.push({ face: i, person: x.person });
      });
    } else {
      for (const name of d.people) {
        const j = people.indexOf(name);
        let best = 0;
        for (let i = 1; i < photo.faces.length; i++)
          if (d.scores[i * P + j]! > d.scores[best * P + j]!) best = i;
        assignments.push({ face: best, person: name });
      }
    }
    const taken = new Set(assignments.map((a) => a.face));
    truth.forEach((t, i) => {
      c.faces++;
      if (t === null) {
        c.strangerFaces++;
        if (!taken.has(i)) c.strangerUnknown++;
        return;
      }
      c.knownFaces++;
      let best = 0;
      for (let j = 1; j < P; j++) if (d.scores[i * P + j]! > d.scores[i * P + best]!) best = j;
      if (people.names[best] === t) c.rank1++;
    });
    for (const a of assignments) {
      const t = truth[a.face];
      const margin = policy.exclusive ? d.faces[a.face]!.margin : null;
      if (t === a.person) {
        c.correct++;
        if (margin !== null) c.correctMargins.push(margin);
      } else {
        c.falseMatches++;
        if (t === null) c.strangerMatches++;
        if (margin !== null) c.falseMargins.push(margin);
      }
    }
    const inPhoto = new Set(truth.filter((t): t is string => t !== null));
    const found = new Set(d.people);
    for (const name of people.names) {
      const x = c.perPerson.get(name)!;
      if (found.has(name) && inPhoto.has(name)) x.tp++;
      else if (found.has(name)) x.fp++;
      else if (inPhoto.has(name)) x.fn++;
    }
  }
  return c;
};

export interface Summary {
  photos: number;
  faces: number;
  /** Σtp / Σ(tp+fp) over people and photos. */
  precision: number;
  recall: number;
  /** Mean over people with at least one photo (found or in). */
  macroPrecision: number;
  macroRecall: number;
  minRecall: number;
  /** Photos given to a person not in them, per 1,000 photos searched. */
  falsePhotosPer1k: number;
  /** False (face, person) assignments per 1,000 faces searched. */
  falseMatchesPer1k: number;
  falseMatches: number;
  /** Known faces given to their own person. */
  faceRecall: number;
  rank1: number;
  strangerFaces: number;
  /** Stranger faces given to nobody. */
  strangerUnknownRate: number;
}

export const summarize = (c: Counts): Summary => {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const precisions: number[] = [];
  const recalls: number[] = [];
  for (const x of c.perPerson.values()) {
    tp += x.tp;
    fp += x.fp;
    fn += x.fn;
    if (x.tp + x.fp > 0) precisions.push(x.tp / (x.tp + x.fp));
    if (x.tp + x.fn > 0) recalls.push(x.tp / (x.tp + x.fn));
  }
  const mean = (xs: number[]): number => (xs.length ? xs.reduce((s, v) => s + v, 0) / xs.length : Number.NaN);
  return {
    photos: c.photos,
    faces: c.faces,
    precision: tp + fp ? tp / (tp + fp) : Number.NaN,
    recall: tp + fn ? tp / (tp + fn) : Number.NaN,
    macroPrecision: mean(precisions),
    macroRecall: mean(recalls),
    minRecall: recalls.length ? Math.min(...recalls) : Number.NaN,
    falsePhotosPer1k: c.photos ? (1000 * fp) / c.photos : Number.NaN,
    falseMatchesPer1k: c.faces ? (1000 * c.falseMatches) / c.faces : Number.NaN,
    falseMatches: c.falseMatches,
    faceRecall: c.knownFaces ? c.correct / c.knownFaces : Number.NaN,
    rank1: c.knownFaces ? c.rank1 / c.knownFaces : Number.NaN,
    strangerFaces: c.strangerFaces,
    strangerUnknownRate: c.strangerFaces ? c.strangerUnknown / c.strangerFaces : Number.NaN,
  };
};
