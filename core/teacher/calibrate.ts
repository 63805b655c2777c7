import { ConfigError } from '../errors.js';
import type { Gallery } from '../match/gallery.js';
import { agreementAt, bestAgreementThreshold, type ScoredLabel } from './agreement.js';
import { TeacherLabel } from './labels.js';
import { fitLogistic, type LogisticFit } from './logistic.js';

export interface TeacherCalibration {
  method: 'teacher-agreement';
  teacher: string;
  teacherThreshold: number;
  /** ISO date of the calibration. */
  date: string;
  /** Photos sampled and faces the teacher labelled. */
  sampleSize: number;
  labelledFaces: number;
  positives: number;
  negatives: number;
  /** Agreement with the teacher at the new threshold, and at the one it replaced. */
  agreement: number;
  previousThreshold: number;
  previousAgreement: number;
  input: string;
  logistic?: Pick<LogisticFit, 'slope' | 'intercept' | 'midpoint' | 'logLoss' | 'l2'>;
}

export interface CalibrateOptions {
  teacher: string;
  teacherThreshold: number;
  sampleSize: number;
  input: string;
  previousThreshold: number;
  logistic?: boolean;
  l2?: number;
  now?: Date;
}

/**
 * Fits the person's threshold (and optionally score → probability) to the teacher's labels.
 * Refuses a sample without both matches and non-matches: its "best" threshold would be ±∞.
 */
export const calibrateToTeacher = (
  faces: readonly ScoredLabel[],
  o: CalibrateOptions,
): { threshold: number; calibration: TeacherCalibration } => {
  const labelled = faces.filter((f) => f.label !== TeacherLabel.Unpaired);
  const positives = labelled.filter((f) => f.label === TeacherLabel.Match).length;
  const negatives = labelled.length - positives;
  if (positives === 0 || negatives === 0) {
    throw new ConfigError(
      `the teacher labelled ${positives} face(s) as the person and ${negatives} as someone else; ` +
        'calibration needs both: sample more photos (or photos where the person appears)',
    );
  }
  const best = bestAgreementThreshold(labelled);
  // With both classes present the optimum lies between two observed scores, inside [-1, 1].
  const threshold = Math.min(1, Math.max(-1, best.threshold));
  const calibration: TeacherCalibration = {
    method: 'teacher-agreement',
    teacher: o.teacher,
    teacherThreshold: o.teacherThreshold,
    date: (o.now ?? new Date()).toISOString(),
    sampleSize: o.sampleSize,
    labelledFaces: labelled.length,
    positives,
    negatives,
    agreement: best.agreement,
    previousThreshold: o.previousThreshold,
    previousAgreement: agreementAt(labelled, o.previousThreshold).agreement,
    input: o.input,
  };
  if (o.logistic) {
    const fit = fitLogistic(
      labelled.map((f) => ({ score: f.score, label: f.label === TeacherLabel.Match })),
      o.l2 !== undefined ? { l2: o.l2 } : {},
    );
    calibration.logistic = {
      slope: fit.slope,
      intercept: fit.intercept,
      midpoint: fit.midpoint,
      logLoss: fit.logLoss,
      l2: fit.l2,
    };
  }
  return { threshold, calibration };
};

/** The gallery with the calibrated threshold and its provenance; everything else untouched. */
export const withCalibration = (
  gallery: Gallery,
  result: { threshold: number; calibration: TeacherCalibration },
): Gallery => ({
  ...gallery,
  threshold: result.threshold,
  calibration: { ...result.calibration },
});
