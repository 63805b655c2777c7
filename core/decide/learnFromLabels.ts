import { DEFAULT_MIN_AGREEMENT } from '../match/defaults.js';
import type { FaceVectors, PersonTemplate } from '../match/fusion.js';
import { dot, l2Normalize } from '../match/similarity.js';
import type { PersonModel } from './PeopleMatrix.js';

/**
 * The retraining loop's learning step (pure): a person's model from what people said about faces.
 * Positives are their references (enrolled, imported) and the faces confirmed as them; negatives
 * are the faces rejected for them. Measured by `npm run bench:review` (BENCHMARKS.md "Review"),
 * which reviews gray-zone faces with ground truth and scores `sort` on the faces nobody reviewed.
 */
export interface PersonLabels {
  name: string;
  positives: readonly (FaceVectors & { quality?: number })[];
  negatives: readonly FaceVectors[];
}

/** How the template is learned. */
export const TemplateMethod = {
  /** Mean direction of the positives, weighted by quality, outliers dropped. */
  Mean: 'mean',
  /** The mean pushed away from the mean of the rejected faces (Rocchio). */
  Rocchio: 'rocchio',
  /**
   * A per-person logistic regression on the embedding (positives against the person's negatives
   * and everyone else's positives), regularised towards the mean, normalised to a direction.
   */
  Linear: 'linear',
} as const;
export type TemplateMethod = (typeof TemplateMethod)[keyof typeof TemplateMethod];

export interface LearnOptions {
  template: TemplateMethod;
  /** Rocchio: weight of the rejected faces' mean. */
  rocchioBeta: number;
  /** Linear: L2 pull towards the mean template, gradient steps, and other people's faces used (the most alike). */
  linearLambda: number;
  linearSteps: number;
  linearOthers: number;
  /**
   * Fit each person's threshold to their labels: raised, never lowered, to the point that
   * misclassifies the fewest labelled faces (rejected at or above it + positives below it).
   */
  fitThreshold: boolean;
  /** The fitted threshold is at most this far above the calibrated one. */
  maxRaise: number;
}

/** Chosen by `npm run bench:review` (BENCHMARKS.md "Review"). */
export const DEFAULT_LEARN_OPTIONS: Readonly<LearnOptions> = Object.freeze({
  template: TemplateMethod.Linear,
  rocchioBeta: 0.3,
  linearLambda: 1,
  linearSteps: 150,
  linearOthers: 200,
  fitThreshold: false,
  maxRaise: 0.1,
});

/** Quality-weighted mean direction; null when no vector has weight. */
const weightedDirection = (vs: readonly Float32Array[], ws: readonly number[]): Float32Array | null => {
  if (vs.length === 0) return null;
  const m = new Float32Array(vs[0]!.length);
  vs.forEach((v, i) => {
    const w = ws[i]!;
    for (let d = 0; d < m.length; d++) m[d]! += w * v[d]!;
  });
  return l2Normalize(m) > 0 ? m : null;
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? s[k]! : (s[k - 1]! + s[k]!) / 2;
};

/**
 * The positives that agree with the rest (median similarity to the others at least
 * DEFAULT_MIN_AGREEMENT, the rule enrolment uses): one wrongly confirmed face, or a bad crop,
 * must not drag the template. With fewer than three there is no majority and all are kept.
 */
export const agreeingPositives = <T extends FaceVectors>(positives: readonly T[]): T[] => {
  if (positives.length < 3) return [...positives];
  const kept = positives.filter((p, i) => {
    const sims = positives.filter((_, j) => j !== i).map((o) => dot(p.embedding, o.embedding));
    return median(sims) >= DEFAULT_MIN_AGREEMENT;
  });
  return kept.length ? kept : [...positives];
};

const meanTemplate = (positives: readonly (FaceVectors & { quality?: number })[]): PersonTemplate => {
  const ws = positives.map((p) => Math.max(0.05, p.quality ?? 1));
  const centroid = weightedDirection(
    positives.map((p) => p.embedding),
    ws,
  )!;
  if (positives.some((p) => p.descriptor === undefined)) return { centroid };
  const d = weightedDirection(
    positives.map((p) => p.descriptor!),
    ws,
  );
  return d ? { centroid, descriptorCentroid: d } : { centroid };
};

const pushAway = (mean: Float32Array, negatives: readonly Float32Array[], beta: number): Float32Array => {
  const neg = weightedDirection(
    negatives,
    negatives.map(() => 1),
  );
  if (!neg) return mean;
  const out = new Float32Array(mean.length);
  for (let d = 0; d < out.length; d++) out[d] = mean[d]! - beta * neg[d]!;
  return l2Normalize(out) > 0 ? out : mean;
};

/**
 * Other people's faces most like this person's mean: the ones the model must tell apart (the rest
 * are far away already). Bounding them keeps the cost per person flat however many people there are.
 */
const hardestOthers = (mean: Float32Array, others: readonly FaceVectors[], limit: number): Float32Array[] =>
  others.length <= limit
    ? others.map((x) => x.embedding)
    : others
        .map((x) => ({ x: x.embedding, s: dot(mean, x.embedding) }))
        .sort((a, b) => b.s - a.s)
        .slice(0, limit)
        .map((x) => x.x);

/** Logit per unit of cosine: scores differ by tenths, so the loss needs this much slope. */
const LOGIT_SCALE = 12;

const linearDirection = (
  mean: Float32Array,
  positives: readonly Float32Array[],
  negatives: readonly Float32Array[],
  others: readonly Float32Array[],
  o: LearnOptions,
): Float32Array => {
  const samples = [
    ...positives.map((x) => ({ x, y: 1, w: 1 / positives.length })),
    ...negatives.map((x) => ({ x, y: 0, w: 1 / Math.max(1, negatives.length) })),
    ...others.map((x) => ({ x, y: 0, w: 0.5 / Math.max(1, others.length) })),
  ];
  if (negatives.length + others.length === 0) return mean;
  const w = Float32Array.from(mean);
  let b = -LOGIT_SCALE * 0.4;
  const grad = new Float32Array(w.length);
  const lr = 0.05;
  for (let step = 0; step < o.linearSteps; step++) {
    grad.fill(0);
    let gb = 0;
    for (const s of samples) {
      const z = LOGIT_SCALE * dot(w, s.x) + b;
      const p = 1 / (1 + Math.exp(-z));
      const g = s.w * (p - s.y);
      for (let d = 0; d < w.length; d++) grad[d]! += g * LOGIT_SCALE * s.x[d]!;
      gb += g;
    }
    for (let d = 0; d < w.length; d++) {
      grad[d]! += o.linearLambda * (w[d]! - mean[d]!);
      w[d]! -= lr * grad[d]!;
    }
    b -= lr * gb;
  }
  return l2Normalize(w) > 0 ? w : mean;
};

/**
 * A person's template from their labels. `others` are other people's positives (what the linear
 * model must tell them from); unused by the other methods.
 */
export const learnTemplate = (
  person: PersonLabels,
  others: readonly FaceVectors[],
  o: LearnOptions = DEFAULT_LEARN_OPTIONS,
): PersonTemplate => {
  if (person.positives.length === 0) throw new RangeError(`${person.name} has no positive face`);
  const positives = agreeingPositives(person.positives);
  const mean = meanTemplate(positives);
  if (o.template === TemplateMethod.Mean || person.negatives.length === 0) return mean;
  if (o.template === TemplateMethod.Rocchio) {
    const centroid = pushAway(
      mean.centroid,
      person.negatives.map((n) => n.embedding),
      o.rocchioBeta,
    );
    const ds = person.negatives.map((n) => n.descriptor);
    const descriptorCentroid =
      mean.descriptorCentroid && ds.every((d) => d !== undefined)
        ? pushAway(mean.descriptorCentroid, ds as Float32Array[], o.rocchioBeta)
        : mean.descriptorCentroid;
    return descriptorCentroid ? { centroid, descriptorCentroid } : { centroid };
  }
  const centroid = linearDirection(
    mean.centroid,
    positives.map((p) => p.embedding),
    person.negatives.map((n) => n.embedding),
    hardestOthers(mean.centroid, others, o.linearOthers),
    o,
  );
  return mean.descriptorCentroid ? { centroid, descriptorCentroid: mean.descriptorCentroid } : { centroid };
};

/**
 * Raises a threshold to fit the person's labelled faces: among the calibrated threshold and just
 * above each rejected face's score (up to `maxRaise` higher), the one with the fewest labelled
 * faces on the wrong side (rejected at or above, positives below); ties keep the lower. Without
 * rejections the calibrated threshold stands: labels only ever make a person stricter here,
 * never looser, because the reviewed positives are few and drawn from the gray zone.
 */
export const fitThresholdToLabels = (
  base: number,
  positiveScores: readonly number[],
  negativeScores: readonly number[],
  maxRaise: number,
): number => {
  const candidates = [base, ...negativeScores.map((s) => s + 1e-4)].filter(
    (t) => t >= base && t <= base + maxRaise,
  );
  let best = base;
  let bestErrors = Number.POSITIVE_INFINITY;
  for (const t of [...new Set(candidates)].sort((a, b) => a - b)) {
    const errors = negativeScores.filter((s) => s >= t).length + positiveScores.filter((s) => s < t).length;
    if (errors < bestErrors) {
      bestErrors = errors;
      best = t;
    }
  }
  return best;
};

/**
 * Everyone's models from their labels (threshold 0: calibrate on the library's cohort, then
 * `fitThresholdToLabels`). Rejected faces also stay as negatives, so a face nearly identical to
 * one a person rejected is never theirs (PeopleMatrix.isRejectedFace).
 */
export const learnPeople = (
  people: readonly PersonLabels[],
  o: LearnOptions = DEFAULT_LEARN_OPTIONS,
): PersonModel[] =>
  people.map((p, i) => {
    const others =
      o.template === TemplateMethod.Linear
        ? people.flatMap((q, j) => (j === i ? [] : q.positives.map((x) => ({ embedding: x.embedding }))))
        : [];
    return {
      name: p.name,
      template: learnTemplate(p, others, o),
      threshold: 0,
      ...(p.negatives.length ? { negatives: p.negatives.map((n) => n.embedding) } : {}),
    };
  });
