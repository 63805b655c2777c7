import { createHash } from 'node:crypto';
import { PeopleMatrix } from '../../core/decide/PeopleMatrix.js';
import { personModelOf } from '../../core/decide/personModel.js';
import { chooseThreshold } from '../../core/decide/thresholds.js';
import type { Gallery } from '../../core/match/gallery.js';
import type { Box } from '../../core/types.js';
import type { SearchedPerson } from '../shared/searchedPeople.js';

/** A reference face, found again when its photo (same content hash) is checked. */
export interface ReferenceFace {
  person: string;
  box: Box;
}

/** Everyone enrolled, as the decision core wants them; rebuilt only when a gallery changes. */
export interface EnrolledPeople {
  modelSetId: string;
  galleries: ReadonlyMap<string, Gallery>;
  matrix: PeopleMatrix;
  /** Everyone enrolled, sorted: the cloud searches every photo for all of them. */
  searched: readonly string[];
  searchedSet: ReadonlySet<string>;
  /** Each person's threshold and where it came from (core/decide/thresholds.ts), for the run summary. */
  thresholds: readonly SearchedPerson[];
  /** The enrolled reference faces by their photo's content hash. */
  referencesBySha: ReadonlyMap<string, readonly ReferenceFace[]>;
  /** Stable id of these people and thresholds (names a run's searched record). */
  signature: string;
}

/** The cloud's people from its galleries, by the one threshold rule: the gallery's own, else the default. */
export const enrolledPeople = (list: readonly Gallery[], modelSetId: string): EnrolledPeople => {
  const sorted = [...list].sort((a, b) => (a.person < b.person ? -1 : a.person > b.person ? 1 : 0));
  const thresholds: SearchedPerson[] = [];
  const models = sorted.map((g) => {
    const choice = chooseThreshold({ person: g.threshold });
    thresholds.push({ name: g.person, threshold: choice.threshold, thresholdSource: choice.source });
    return personModelOf(g, choice.threshold);
  });
  const referencesBySha = new Map<string, ReferenceFace[]>();
  for (const g of sorted)
    for (const r of g.references)
      referencesBySha.set(r.sha256, [
        ...(referencesBySha.get(r.sha256) ?? []),
        { person: g.person, box: r.box },
      ]);
  const searched = sorted.map((g) => g.person);
  return {
    modelSetId,
    galleries: new Map(sorted.map((g) => [g.person, g])),
    matrix: PeopleMatrix.build(models),
    searched,
    searchedSet: new Set(searched),
    thresholds,
    referencesBySha,
    signature: createHash('sha1')
      .update(JSON.stringify([modelSetId, thresholds]))
      .digest('hex')
      .slice(0, 16),
  };
};
