import { EmbedMode } from '../config.js';
import { type FaceVectors, isFused } from '../match/fusion.js';
import { DEFAULT_POLICY } from './DecisionPolicy.js';
import { decidePhoto, type PhotoPeopleDecision } from './decidePhoto.js';
import type { DecidableFace } from './faceCondition.js';
import { learnPeople } from './learnFromLabels.js';
import { PeopleMatrix, type PersonModel } from './PeopleMatrix.js';

/**
 * Scoring and deciding against ONE reference face exactly as `sort` would for a person enrolled
 * from it (compare, calibrate): the person's template is learnt by the decision path's own
 * `learnPeople` and faces are scored by the decision core's `PeopleMatrix.score`, so a pair's score
 * is the score `sort` and `who` give that face, not a re-implementation of it.
 */

/** A reference face (an engine Face satisfies this). */
export type ReferenceFace = FaceVectors & { quality?: number };

/**
 * A face's vectors as `mode` scores them. Fast mode runs the same first embedder on the same crop
 * and only skips the descriptor (test/integration/embedModes.test.ts), so dropping the descriptor
 * of a fused analysis scores it exactly as fast mode would, from the same stored analysis.
 */
export const vectorsIn = <T extends FaceVectors>(
  face: T,
  mode: EmbedMode,
): Omit<T, 'descriptor'> & FaceVectors => {
  if (mode === EmbedMode.Fused || face.descriptor === undefined) return face;
  const { descriptor: _dropped, ...rest } = face;
  return rest;
};

/** The person `sort` makes of a person enrolled from `reference` alone, with no other labels. */
export const referencePerson = (
  reference: ReferenceFace,
  threshold: number,
  name = 'reference',
): PersonModel => {
  const [model] = learnPeople([{ name, positives: [reference], negatives: [] }]);
  return { ...model!, threshold };
};

export interface ReferenceScores {
  /** Score of each face for the reference's person, on the first embedder's scale. */
  scores: Float32Array;
  /** Whether each face was scored with both embedders (else by the first alone). */
  fused: boolean[];
}

const setUp = (
  reference: ReferenceFace,
  faces: readonly DecidableFace[],
  mode: EmbedMode,
  threshold: number,
) => {
  const person = referencePerson(vectorsIn(reference, mode), threshold);
  const probes = faces.map((f) => vectorsIn(f, mode));
  return {
    people: PeopleMatrix.build([person]),
    probes,
    fused: probes.map((f) => isFused(f, person.template)),
  };
};

/** Every face's score for a person enrolled from `reference` alone, as `mode` decides. */
export const scoreAgainstReference = (
  reference: ReferenceFace,
  faces: readonly FaceVectors[],
  mode: EmbedMode,
): ReferenceScores => {
  const { people, probes, fused } = setUp(reference, faces, mode, 0);
  return { scores: people.score(probes), fused };
};

/**
 * Whether `sort` would find the reference's person among `faces` at `threshold` (the default
 * policy, nobody else enrolled): the decision core itself, so its scores and verdict are sort's.
 */
export const decideAgainstReference = (
  reference: ReferenceFace,
  faces: readonly DecidableFace[],
  threshold: number,
  mode: EmbedMode,
): ReferenceScores & { decision: PhotoPeopleDecision } => {
  const { people, probes, fused } = setUp(reference, faces, mode, threshold);
  const decision = decidePhoto(probes, people, DEFAULT_POLICY);
  return { decision, scores: decision.scores, fused };
};
