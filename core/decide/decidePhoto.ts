import { type DecisionPolicy, marginFor } from './DecisionPolicy.js';
import { type FaceLabels, NO_LABELS } from './FaceLabels.js';
import { type DecidableFace, type FaceCondition, faceConditionOf, thresholdDelta } from './faceCondition.js';
import type { PeopleMatrix } from './PeopleMatrix.js';

/** Who one face is, and how sure. */
export interface FaceDecision {
  /** The person the face was given to, or null (unknown). */
  person: string | null;
  /** Score for `person`; for an unknown face, its best person's score (-Infinity with nobody enrolled). */
  score: number;
  /** Best-scoring person (whether or not the face was given to them); null with nobody enrolled. */
  best: string | null;
  /** `score` minus the best other person's score; null with fewer than two people. */
  margin: number | null;
  /** `human` when a person's label decided this face. */
  decidedBy: 'auto' | 'human' | null;
}

export interface PhotoPeopleDecision {
  faces: FaceDecision[];
  /** Everyone found in the photo, sorted. */
  people: string[];
  /** Every face's score for every person (face i, person j at i * people.size + j). */
  scores: Float32Array;
}

/**
 * Who is in a photo (pure). Every face is scored against every person at once. Human labels come
 * first: a face confirmed as someone is theirs, and a face rejected for someone (or nearly the same
 * as a face rejected for them) is never theirs. Then each remaining face proposes its best person,
 * if the score reaches that person's threshold (plus `policy.quality.delta` for a face below the
 * quality floor) and beats the runner-up person by the margin; and each person takes at most one
 * face per photo, the best-scoring of those proposing them (with every face proposing one person
 * this is the optimal assignment). So a face closer to my brother than to me is my brother's, and
 * one face is never two people. With `policy.normalised` and every person's cohort statistics, the
 * best person and the margin are taken in cohort units (z) instead of raw scores.
 */
export const decidePhoto = (
  faces: readonly DecidableFace[],
  people: PeopleMatrix,
  policy: DecisionPolicy,
  labels: readonly (FaceLabels | undefined)[] = [],
): PhotoPeopleDecision =>
  decideScores(
    {
      scores: people.score(faces),
      conditions: faces.map(faceConditionOf),
      sameAsRejected: (i, j) =>
        people.negatives[j]!.length > 0 && people.isRejectedFace(j, faces[i]!.embedding),
    },
    people,
    policy,
    labels,
  );

/** A photo's faces already scored against everyone (what decidePhoto computes first). */
export interface ScoredFaces {
  /** Face i, person j at i * people.size + j. */
  scores: Float32Array;
  /** One per face. */
  conditions: readonly FaceCondition[];
  /** Whether face i is (nearly) a face person j rejected; never, when absent. */
  sameAsRejected?: (face: number, person: number) => boolean;
}

/**
 * decidePhoto's rule on scores computed beforehand (pure): for callers that score many faces
 * against many people in one product and decide photo by photo, e.g. benchmarks at scale.
 */
export const decideScores = (
  input: ScoredFaces,
  people: PeopleMatrix,
  policy: DecisionPolicy,
  labels: readonly (FaceLabels | undefined)[] = [],
): PhotoPeopleDecision => {
  const P = people.size;
  const S = input.scores;
  const faceCount = input.conditions.length;
  if (S.length !== faceCount * P)
    throw new RangeError(`${S.length} scores for ${faceCount} faces x ${P} people`);
  const normalised = policy.normalised && people.normalisable ? policy.normalised : undefined;
  const rankByZ = normalised?.rankByZ === true;
  const margin = marginFor(policy, P);
  // The extra score each face needs over a person's threshold (quality rule).
  const deltas = input.conditions.map((c) => thresholdDelta(c, policy.quality));
  // A person's "not this face" (a label, or a gallery negative) holds in both modes.
  const same = input.sameAsRejected;
  const excluded = (i: number, j: number): boolean =>
    (labels[i] ?? NO_LABELS).rejected.has(people.names[j]!) || same?.(i, j) === true;
  // Whether face i beats every other person it may be by the margin, in the policy's units.
  const clearsMargin: boolean[] = [];
  const decisions: FaceDecision[] = input.conditions.map((_, i) => {
    const l = labels[i] ?? NO_LABELS;
    let best = -1;
    let bestKey = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < P; j++) {
      if (excluded(i, j)) continue;
      const s = S[i * P + j]!;
      const k = rankByZ ? people.z(j, s) : s;
      if (k > bestKey || best < 0) {
        bestKey = k;
        best = j;
      }
    }
    const bestScore = best >= 0 ? S[i * P + best]! : Number.NEGATIVE_INFINITY;
    let second = Number.NEGATIVE_INFINITY;
    let secondZ = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < P; j++) {
      if (j === best || excluded(i, j)) continue;
      const s = S[i * P + j]!;
      if (s > second) second = s;
      if (normalised) secondZ = Math.max(secondZ, people.z(j, s));
    }
    const gap = P >= 2 && best >= 0 && Number.isFinite(second) ? bestScore - second : null;
    if (normalised) {
      const zMargin = best >= 0 && Number.isFinite(secondZ) ? people.z(best, bestScore) - secondZ : null;
      clearsMargin.push(!(normalised.margin > 0 && zMargin !== null && zMargin < normalised.margin));
    } else clearsMargin.push(!(margin > 0 && gap !== null && gap < margin));
    if (l.confirmed !== undefined) {
      const j = people.indexOf(l.confirmed);
      return {
        person: l.confirmed,
        score: j >= 0 ? S[i * P + j]! : Number.NaN,
        best: best >= 0 ? people.names[best]! : null,
        margin: null,
        decidedBy: 'human',
      };
    }
    return {
      person: null,
      score: bestScore,
      best: best >= 0 ? people.names[best]! : null,
      margin: gap,
      decidedBy: null,
    };
  });

  if (!policy.exclusive)
    return { ...independent(faceCount, S, people, decisions, excluded, deltas), scores: S };

  // Proposals: unlabelled faces whose best person clears threshold and margin.
  const taken = new Set<string>(decisions.filter((d) => d.person !== null).map((d) => d.person!));
  const proposals: { face: number; person: number; score: number }[] = [];
  for (const [i, d] of decisions.entries()) {
    if (d.person !== null || d.best === null) continue;
    const j = people.indexOf(d.best);
    if (d.score < people.thresholds[j]! + deltas[i]!) continue;
    if (!clearsMargin[i]) continue;
    proposals.push({ face: i, person: j, score: d.score });
  }
  // Best score first; ties keep the earlier face, so the result is deterministic.
  proposals.sort((a, b) => b.score - a.score || a.face - b.face);
  for (const p of proposals) {
    const name = people.names[p.person]!;
    if (taken.has(name)) continue;
    taken.add(name);
    decisions[p.face] = { ...decisions[p.face]!, person: name, decidedBy: 'auto' };
  }
  const found = [...new Set(decisions.map((d) => d.person).filter((n): n is string => n !== null))].sort();
  return { faces: decisions, people: found, scores: S };
};

/**
 * The rule before the decision core, kept to measure what the assignment gains: every person takes
 * their best face at or above their threshold, independently, so one face can be two people.
 */
const independent = (
  faceCount: number,
  S: Float32Array,
  people: PeopleMatrix,
  decisions: FaceDecision[],
  excluded: (face: number, person: number) => boolean,
  deltas: readonly number[],
): Omit<PhotoPeopleDecision, 'scores'> => {
  const P = people.size;
  const found = new Set<string>(decisions.filter((d) => d.person !== null).map((d) => d.person!));
  for (let j = 0; j < P; j++) {
    let best = -1;
    for (let i = 0; i < faceCount; i++) {
      if (decisions[i]!.decidedBy === 'human' || excluded(i, j)) continue;
      if (best < 0 || S[i * P + j]! > S[best * P + j]!) best = i;
    }
    if (best < 0 || S[best * P + j]! < people.thresholds[j]! + deltas[best]!) continue;
    const name = people.names[j]!;
    found.add(name);
    if (decisions[best]!.person === null)
      decisions[best] = { ...decisions[best]!, person: name, score: S[best * P + j]!, decidedBy: 'auto' };
  }
  return { faces: decisions, people: [...found].sort() };
};
