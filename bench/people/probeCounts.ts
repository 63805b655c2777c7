/**
 * Single faces searched against many people, decided by the decision core from scores computed
 * once (`decideScores`), and counted: known faces named right or wrong, strangers named, and the
 * raw impostor pairs above each person's threshold.
 */
import type { DecisionPolicy } from '../../core/decide/DecisionPolicy.js';
import { decideScores } from '../../core/decide/decidePhoto.js';
import type { FaceCondition } from '../../core/decide/faceCondition.js';
import { thresholdDelta } from '../../core/decide/faceCondition.js';
import type { PeopleMatrix } from '../../core/decide/PeopleMatrix.js';

export interface Probe {
  /** Index of the probe's person in the matrix; -1 for a stranger. */
  truth: number;
  condition: FaceCondition;
  /** Scores against every person of the matrix (length people.size). */
  row: Float32Array;
  /** Set the face comes from, for per-set tables. */
  set: string;
}

export interface ProbeCounts {
  known: number;
  /** Known faces given to their own person. */
  correct: number;
  /** Known faces given to someone else. */
  wrong: number;
  /** Known faces whose top-scoring person is their own. */
  rank1: number;
  strangers: number;
  /** Stranger faces given to somebody. */
  named: number;
  /** (face, person) pairs that are not the face's person, and of those at or above the person's threshold (+ the rule's delta). */
  impostorPairs: number;
  impostorAbove: number;
}

export const emptyProbeCounts = (): ProbeCounts => ({
  known: 0,
  correct: 0,
  wrong: 0,
  rank1: 0,
  strangers: 0,
  named: 0,
  impostorPairs: 0,
  impostorAbove: 0,
});

export const addProbeCounts = (into: ProbeCounts, c: ProbeCounts): ProbeCounts => {
  for (const k of Object.keys(into) as (keyof ProbeCounts)[]) into[k] += c[k];
  return into;
};

/** Each probe alone (a one-face photo) through `decideScores`. */
export const countProbes = (
  probes: readonly Probe[],
  people: PeopleMatrix,
  policy: DecisionPolicy,
  into: ProbeCounts = emptyProbeCounts(),
  /** Count impostor pairs above threshold too (one pass over every person per probe). */
  pairs = true,
): ProbeCounts => {
  const P = people.size;
  for (const p of probes) {
    const d = decideScores({ scores: p.row, conditions: [p.condition] }, people, policy).faces[0]!;
    const given = d.person === null ? -1 : people.indexOf(d.person);
    const delta = thresholdDelta(p.condition, policy.quality);
    let top = 0;
    for (let j = 0; j < P; j++) {
      const s = p.row[j]!;
      if (s > p.row[top]!) top = j;
      if (!pairs || j === p.truth) continue;
      into.impostorPairs++;
      if (s >= people.thresholds[j]! + delta) into.impostorAbove++;
    }
    if (p.truth < 0) {
      into.strangers++;
      if (given >= 0) into.named++;
      continue;
    }
    into.known++;
    if (top === p.truth) into.rank1++;
    if (given === p.truth) into.correct++;
    else if (given >= 0) into.wrong++;
  }
  return into;
};

export interface ProbeSummary {
  known: number;
  strangers: number;
  /** Known faces given to their own person. */
  correctRate: number;
  wrongRate: number;
  rank1: number;
  /** Stranger faces given to somebody. */
  namedRate: number;
  /** Impostor (face, person) pairs at or above the threshold. */
  pairFar: number;
}

export const summarizeProbes = (c: ProbeCounts): ProbeSummary => ({
  known: c.known,
  strangers: c.strangers,
  correctRate: c.known ? c.correct / c.known : Number.NaN,
  wrongRate: c.known ? c.wrong / c.known : Number.NaN,
  rank1: c.known ? c.rank1 / c.known : Number.NaN,
  namedRate: c.strangers ? c.named / c.strangers : Number.NaN,
  pairFar: c.impostorPairs ? c.impostorAbove / c.impostorPairs : Number.NaN,
});
