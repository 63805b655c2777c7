/**
 * The generated album searched with more and more people enrolled (the rest are strangers): how
 * the share of strangers' faces given to somebody grows with the number of people, under the old
 * independent rule and the exclusive assignment, at the fixed threshold and the cohort rules.
 */
import { personModelOf } from '../../core/decide/personModel.js';
import { DEFAULT_THRESHOLD } from '../../core/match/defaults.js';
import { seededRng } from '../../core/util/seededRng.js';
import { shuffleInPlace } from '../../core/util/shuffleInPlace.js';
import type { BenchFace } from './benchFace.js';
import { enrolPeople } from './enrolPeople.js';
import { evaluate, matrixOf, type Summary, summarize } from './evaluate.js';
import type { NamedPolicy } from './runMode.js';
import { cohortOf, type Scenario } from './scenarios.js';
import { cohortColumns, ruleLabel, type ThresholdRule, thresholdsOf } from './thresholdRules.js';

export interface ScalingRow {
  people: number;
  rule: string;
  policy: string;
  summary: Summary;
}

export const albumScaling = (
  library: readonly BenchFace[],
  album: Scenario,
  modelSetId: string,
  sizes: readonly number[],
  rules: readonly ThresholdRule[],
  policies: readonly NamedPolicy[],
  seed: number,
): ScalingRow[] => {
  const rng = seededRng(seed);
  const names = [...album.people.keys()];
  shuffleInPlace(names, rng);
  const rows: ScalingRow[] = [];
  for (const size of [...new Set(sizes.map((s) => Math.min(s, names.length)))]) {
    const chosen = new Set(names.slice(0, size));
    const s: Scenario = {
      name: `album, ${size} people`,
      people: new Map([...album.people].filter(([p]) => chosen.has(p))),
      photos: album.photos,
      heldOut: new Set([...album.heldOut, ...names.filter((n) => !chosen.has(n))]),
    };
    const models = enrolPeople(s.people, modelSetId).galleries.map((g) =>
      personModelOf(g, DEFAULT_THRESHOLD),
    );
    const cohort = cohortOf(library, s).map((f) => f.vectors);
    const columns = cohortColumns(models, cohort);
    for (const rule of rules) {
      const matrix = matrixOf(models, thresholdsOf(rule, models, cohort, columns));
      for (const p of policies)
        rows.push({
          people: models.length,
          rule: ruleLabel(rule),
          policy: p.label,
          summary: summarize(evaluate(s.photos, matrix, p.policy)),
        });
    }
  }
  return rows;
};
