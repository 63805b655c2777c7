/**
 * One embed mode's whole grid: every scenario (each set closed, each set's open-set folds, the
 * generated album) × every threshold rule × every decision policy, decided by decidePhoto.
 */
import type { DecisionPolicy } from '../../core/decide/DecisionPolicy.js';
import type { PersonModel } from '../../core/decide/PeopleMatrix.js';
import { personModelOf } from '../../core/decide/personModel.js';
import { DEFAULT_THRESHOLD } from '../../core/match/defaults.js';
import type { BenchFace, PeopleSetName } from './benchFace.js';
import { robustFit } from './cohortCheck.js';
import { enrolPeople } from './enrolPeople.js';
import { addCounts, type Counts, emptyCounts, evaluate, matrixOf } from './evaluate.js';
import {
  type AlbumOptions,
  closedSet,
  cohortOf,
  generatedAlbum,
  openSetFolds,
  type Scenario,
} from './scenarios.js';
import { cohortColumns, ruleLabel, type ThresholdRule, thresholdChoices } from './thresholdRules.js';

export interface NamedPolicy {
  label: string;
  policy: DecisionPolicy;
}

export interface ThresholdStats {
  people: number;
  min: number;
  median: number;
  max: number;
  atFloor: number;
  atCeiling: number;
  defaulted: number;
}

export interface GroupResult {
  /** `bbt`, `bbt open`, …, `album`. */
  group: string;
  scenarios: number;
  people: number;
  photos: number;
  refused: { person: string; reason: string }[];
  droppedReferences: number;
  /** rule label → policy label → counts (summed over the group's scenarios). */
  counts: Map<string, Map<string, Counts>>;
  /** rule label → every person's threshold over the group's scenarios. */
  thresholdValues: Map<string, { values: number[]; floor: number; ceiling: number; defaulted: number }>;
  /** Scores of known searched faces against their own template (closed sets). */
  genuine: number[];
}

const quantile = (sorted: readonly number[], q: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : Number.NaN;

export const thresholdStats = (
  thr: readonly number[],
  floor: number,
  ceiling: number,
  defaulted: number,
): ThresholdStats => {
  const s = [...thr].sort((a, b) => a - b);
  return {
    people: s.length,
    min: s[0] ?? Number.NaN,
    median: quantile(s, 0.5),
    max: s.at(-1) ?? Number.NaN,
    atFloor: s.filter((t) => Math.abs(t - floor) < 1e-9).length,
    atCeiling: s.filter((t) => Math.abs(t - ceiling) < 1e-9).length,
    defaulted,
  };
};

export interface ModeInput {
  library: BenchFace[];
  sets: readonly PeopleSetName[];
  modelSetId: string;
  rules: readonly ThresholdRule[];
  policies: readonly NamedPolicy[];
  folds: Readonly<Record<PeopleSetName, number>>;
  album: AlbumOptions | null;
  log: (msg: string) => void;
}

const runScenario = (input: ModeInput, s: Scenario, into: GroupResult): void => {
  const enrolment = enrolPeople(s.people, input.modelSetId);
  into.refused.push(...enrolment.refused);
  into.droppedReferences += enrolment.droppedReferences;
  const models: PersonModel[] = enrolment.galleries.map((g) => personModelOf(g, DEFAULT_THRESHOLD));
  into.scenarios++;
  into.people += models.length;
  into.photos += s.photos.length;
  const cohort = cohortOf(input.library, s).map((f) => f.vectors);
  const columns = cohortColumns(models, cohort);
  // Cohort statistics on every person, for the normalised decision rules.
  const withStats = models.map((p, j) => ({ ...p, cohort: robustFit(columns[j]!) }));
  const genuineMatrix = matrixOf(models, DEFAULT_THRESHOLD);
  if (s.heldOut.size === 0) {
    for (const photo of s.photos) {
      const S = genuineMatrix.score(photo.faces.map((f) => f.vectors));
      photo.faces.forEach((f, i) => {
        const j = f.identity === null ? -1 : genuineMatrix.indexOf(f.identity);
        if (j >= 0) into.genuine.push(S[i * genuineMatrix.size + j]!);
      });
    }
  }
  for (const rule of input.rules) {
    const label = ruleLabel(rule);
    const choices = thresholdChoices(rule, models, cohort, columns);
    const thr = choices
      ? choices.map((c) => c.threshold)
      : models.map(() => (rule.kind === 'fixed' ? rule.value : 0));
    const floor = rule.kind === 'fixed' ? rule.value : rule.policy.floor;
    const ceiling = rule.kind === 'fixed' ? rule.value : rule.policy.ceiling;
    const prev = into.thresholdValues.get(label) ?? { values: [], floor, ceiling, defaulted: 0 };
    prev.values.push(...thr);
    prev.defaulted += choices?.filter((c) => c.source === 'default').length ?? 0;
    into.thresholdValues.set(label, prev);
    const matrix = matrixOf(withStats, thr);
    const byPolicy = into.counts.get(label) ?? new Map<string, Counts>();
    for (const p of input.policies) {
      const c = evaluate(s.photos, matrix, p.policy);
      byPolicy.set(p.label, addCounts(byPolicy.get(p.label) ?? emptyCounts(), c));
    }
    into.counts.set(label, byPolicy);
  }
};

const emptyGroup = (group: string): GroupResult => ({
  group,
  scenarios: 0,
  people: 0,
  photos: 0,
  refused: [],
  droppedReferences: 0,
  counts: new Map(),
  thresholdValues: new Map(),
  genuine: [],
});

export const runMode = (input: ModeInput): GroupResult[] => {
  const out: GroupResult[] = [];
  for (const set of input.sets) {
    input.log(`  ${set}: closed set…`);
    const closed = emptyGroup(set);
    runScenario(input, closedSet(input.library, set), closed);
    out.push(closed);
  }
  for (const set of input.sets) {
    input.log(`  ${set}: open-set folds…`);
    const open = emptyGroup(`${set} open`);
    for (const s of openSetFolds(input.library, set, input.folds[set])) runScenario(input, s, open);
    out.push(open);
  }
  if (input.album) {
    input.log(`  generated album of ${input.album.photos} photos…`);
    const album = emptyGroup('album');
    runScenario(input, generatedAlbum(input.library, input.album), album);
    out.push(album);
  }
  return out;
};
