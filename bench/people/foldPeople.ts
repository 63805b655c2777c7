/**
 * One fold's enrolled people as the product builds them: references through `buildGallery`, each
 * person's threshold from the library cohort (every face but the references) by a threshold rule,
 * and their cohort median and spread for the normalised decisions.
 */
import { PeopleMatrix, type PersonModel } from '../../core/decide/PeopleMatrix.js';
import { personModelOf } from '../../core/decide/personModel.js';
import { DEFAULT_THRESHOLD } from '../../core/match/defaults.js';
import type { FaceVectors } from '../../core/match/fusion.js';
import type { BenchFace } from './benchFace.js';
import { robustFit } from './cohortCheck.js';
import { enrolPeople } from './enrolPeople.js';
import { cohortColumns, type ThresholdRule, thresholdsOf } from './thresholdRules.js';

export interface FoldPeople {
  /** Templates, thresholds and cohort statistics. */
  models: PersonModel[];
  matrix: PeopleMatrix;
  /** The library faces the thresholds were calibrated on. */
  cohort: FaceVectors[];
}

/** People with thresholds by `rule` and cohort statistics, calibrated on `cohort`. */
export const calibratedPeople = (
  people: readonly PersonModel[],
  cohort: readonly FaceVectors[],
  rule: ThresholdRule,
): PersonModel[] => {
  const columns = cohortColumns(people, cohort);
  const thr = thresholdsOf(rule, people, cohort, columns);
  return people.map((p, j) => ({ ...p, threshold: thr[j]!, cohort: robustFit(columns[j]!) }));
};

export const foldPeople = (
  references: ReadonlyMap<string, readonly BenchFace[]>,
  library: readonly BenchFace[],
  modelSetId: string,
  rule: ThresholdRule,
  /** Faces that are not in this library at all (keys). */
  exclude: ReadonlySet<string> = new Set(),
): FoldPeople => {
  const refs = new Set<string>();
  for (const list of references.values()) for (const f of list) refs.add(f.key);
  const cohort = library.filter((f) => !refs.has(f.key) && !exclude.has(f.key)).map((f) => f.vectors);
  const enrolled = enrolPeople(references, modelSetId).galleries.map((g) =>
    personModelOf(g, DEFAULT_THRESHOLD),
  );
  const models = calibratedPeople(enrolled, cohort, rule);
  return { models, matrix: PeopleMatrix.build(models), cohort };
};
