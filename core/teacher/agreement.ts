import { ConfigError } from '../errors.js';
import { bestAccuracyThreshold } from '../match/roc.js';
import { TeacherLabel } from './labels.js';

/** A face both we and the teacher gave a verdict on. */
export interface ScoredLabel {
  score: number;
  label: TeacherLabel;
}

/** How our decisions at one threshold compare with the teacher's, the teacher taken as truth. */
export interface AgreementStats {
  threshold: number;
  /** Faces counted: those the teacher labelled (unpaired ones are left out). */
  n: number;
  /** We say match, teacher says match. */
  tp: number;
  /** We say match, teacher says no. */
  fp: number;
  /** We say no, teacher says match (including `missed` faces we never detected). */
  fn: number;
  tn: number;
  /** Teacher matches with no face of ours (our detector missed them); counted in `fn`. */
  missed: number;
  /** (tp + tn) / (n + missed). */
  agreement: number;
  /** tp / (tp + fp); null when we accept nothing. */
  precision: number | null;
  /** tp / (tp + fn); null when the teacher accepts nothing. */
  recall: number | null;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/**
 * Agreement, precision and recall of `score >= threshold` against the teacher's labels.
 * `missed` teacher matches (faces only the teacher found) count against our recall.
 */
export const agreementAt = (faces: readonly ScoredLabel[], threshold: number, missed = 0): AgreementStats => {
  let tp = 0;
  let fp = 0;
  let fn = missed;
  let tn = 0;
  let n = 0;
  for (const f of faces) {
    if (f.label === TeacherLabel.Unpaired) continue;
    n++;
    const ours = f.score >= threshold;
    const theirs = f.label === TeacherLabel.Match;
    if (ours && theirs) tp++;
    else if (ours) fp++;
    else if (theirs) fn++;
    else tn++;
  }
  const total = n + missed;
  return {
    threshold,
    n,
    tp,
    fp,
    fn,
    tn,
    missed,
    agreement: total > 0 ? (tp + tn) / total : 0,
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
  };
};

export interface AgreementThreshold {
  threshold: number;
  agreement: number;
  positives: number;
  negatives: number;
}

/**
 * The threshold on our score that agrees with the teacher most often: midway between adjacent
 * distinct scores, ties to the highest (fewest false accepts), as `bestAccuracyThreshold`.
 * +Infinity means "accept nothing" is best (e.g. the teacher matched no face in the sample).
 */
export const bestAgreementThreshold = (faces: readonly ScoredLabel[]): AgreementThreshold => {
  const labelled = faces.filter((f) => f.label !== TeacherLabel.Unpaired);
  if (labelled.length === 0) throw new ConfigError('no face has a teacher label to agree with');
  const pairs = labelled.map((f) => ({ score: f.score, same: f.label === TeacherLabel.Match }));
  const best = bestAccuracyThreshold(pairs);
  const positives = pairs.filter((p) => p.same).length;
  return {
    threshold: best.threshold,
    agreement: best.accuracy,
    positives,
    negatives: pairs.length - positives,
  };
};
