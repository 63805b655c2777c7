/**
 * How the people's models are rebuilt after a review, side by side: today's rule (confirmed faces
 * join the references as a plain mean; rejected faces only veto near-identical faces) against the
 * learning step of core/decide/learnFromLabels.ts in its variants.
 */
import { calibrateThresholds } from '../../core/decide/calibrateThresholds.js';
import {
  DEFAULT_LEARN_OPTIONS,
  fitThresholdToLabels,
  type LearnOptions,
  learnPeople,
  type PersonLabels,
  TemplateMethod,
} from '../../core/decide/learnFromLabels.js';
import { PeopleMatrix, type PersonModel } from '../../core/decide/PeopleMatrix.js';
import { type CohortPolicy, DEFAULT_COHORT_POLICY } from '../../core/decide/thresholds.js';
import type { FaceVectors } from '../../core/match/fusion.js';
import { templateFields } from '../../core/match/gallery.js';
import type { BenchFace } from '../people/benchFace.js';
import type { Reviews } from './simulateReview.js';

export interface ReviewMethod {
  label: string;
  /** `labels`: models untouched, labels only decide the reviewed faces themselves. */
  kind: 'labels' | 'today' | 'learn';
  learn?: LearnOptions;
}

const learn = (template: TemplateMethod, over: Partial<LearnOptions> = {}): LearnOptions => ({
  ...DEFAULT_LEARN_OPTIONS,
  template,
  fitThreshold: false,
  ...over,
});

export const REVIEW_METHODS: readonly ReviewMethod[] = [
  { label: 'labels only (no learning)', kind: 'labels' },
  { label: 'today: confirmed join references', kind: 'today' },
  { label: 'mean (quality-weighted, outliers out)', kind: 'learn', learn: learn(TemplateMethod.Mean) },
  {
    label: 'mean + fitted threshold',
    kind: 'learn',
    learn: learn(TemplateMethod.Mean, { fitThreshold: true }),
  },
  { label: 'rocchio 0.3', kind: 'learn', learn: learn(TemplateMethod.Rocchio) },
  {
    label: 'rocchio 0.3 + fitted threshold',
    kind: 'learn',
    learn: learn(TemplateMethod.Rocchio, { fitThreshold: true }),
  },
  { label: 'linear model (default: 200 hardest others)', kind: 'learn', learn: learn(TemplateMethod.Linear) },
  {
    label: 'linear model, every other person’s faces',
    kind: 'learn',
    learn: learn(TemplateMethod.Linear, { linearOthers: Number.POSITIVE_INFINITY }),
  },
  {
    label: 'linear model + fitted threshold',
    kind: 'learn',
    learn: learn(TemplateMethod.Linear, { fitThreshold: true }),
  },
];

export interface BuiltPeople {
  models: PersonModel[];
  matrix: PeopleMatrix;
  thresholds: Float32Array;
}

export const withThresholds = (models: readonly PersonModel[], thr: ArrayLike<number>): PeopleMatrix =>
  PeopleMatrix.build(models.map((m, j) => ({ ...m, threshold: thr[j]! })));

/**
 * The people after a review under one method: templates, then thresholds calibrated on the cohort
 * (the library's faces nobody claimed: confirmed faces leave it, as in Library.cohort), then the
 * labels' threshold fit when the method has one.
 */
export const buildPeople = (
  method: ReviewMethod,
  enrolled: ReadonlyMap<string, readonly BenchFace[]>,
  base: readonly PersonModel[],
  reviews: Reviews,
  cohort: readonly BenchFace[],
  policy: CohortPolicy = DEFAULT_COHORT_POLICY,
): BuiltPeople => {
  const confirmedKeys = new Set([...reviews.confirmed.values()].flat().map((f) => f.key));
  const cohortVectors: FaceVectors[] = cohort.filter((f) => !confirmedKeys.has(f.key)).map((f) => f.vectors);
  let models: PersonModel[];
  if (method.kind === 'labels') models = [...base];
  else if (method.kind === 'today') {
    models = base.map((m) => {
      const refs = [...(enrolled.get(m.name) ?? []), ...(reviews.confirmed.get(m.name) ?? [])];
      const negatives = (reviews.rejected.get(m.name) ?? []).map((f) => f.vectors.embedding);
      return {
        name: m.name,
        template: templateFields(refs.map((f) => f.vectors)),
        threshold: 0,
        ...(negatives.length ? { negatives } : {}),
      };
    });
  } else {
    const labels: PersonLabels[] = base.map((m) => ({
      name: m.name,
      positives: [...(enrolled.get(m.name) ?? []), ...(reviews.confirmed.get(m.name) ?? [])].map((f) => ({
        ...f.vectors,
        quality: f.quality,
      })),
      negatives: (reviews.rejected.get(m.name) ?? []).map((f) => f.vectors),
    }));
    models = learnPeople(labels, method.learn!);
  }
  const provisional = withThresholds(models, new Float32Array(models.length));
  const thresholds = Float32Array.from(
    calibrateThresholds(provisional, cohortVectors, policy).map((c) => c.threshold),
  );
  if (method.kind === 'learn' && method.learn!.fitThreshold) {
    models.forEach((m, j) => {
      const pos = reviews.confirmed.get(m.name) ?? [];
      const neg = reviews.rejected.get(m.name) ?? [];
      if (neg.length === 0) return;
      const score = (fs: readonly BenchFace[]): number[] => {
        const S = provisional.score(fs.map((f) => f.vectors));
        return fs.map((_, i) => S[i * provisional.size + j]!);
      };
      thresholds[j] = fitThresholdToLabels(thresholds[j]!, score(pos), score(neg), method.learn!.maxRaise);
    });
  }
  return { models, matrix: withThresholds(models, thresholds), thresholds };
};
