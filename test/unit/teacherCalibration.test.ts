import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { centroidOf, type Gallery, parseGallery, serializeGallery } from '../../core/match/gallery.js';
import { agreementAt, bestAgreementThreshold, type ScoredLabel } from '../../core/teacher/agreement.js';
import { calibrateToTeacher, withCalibration } from '../../core/teacher/calibrate.js';
import { TeacherLabel } from '../../core/teacher/labels.js';
import { fitLogistic, logisticProbability } from '../../core/teacher/logistic.js';
import { aGallery } from '../helpers/factories.js';

const M = TeacherLabel.Match;
const N = TeacherLabel.NoMatch;
const U = TeacherLabel.Unpaired;
const faces = (spec: [number, TeacherLabel][]): ScoredLabel[] =>
  spec.map(([score, label]) => ({ score, label }));

describe('agreementAt', () => {
  it('counts our verdicts against the teacher and leaves unpaired faces out', () => {
    const data = faces([
      [0.9, M],
      [0.6, M],
      [0.5, N],
      [0.45, M],
      [0.2, N],
      [0.1, N],
      [0.7, U],
    ]);
    const s = agreementAt(data, 0.55);
    expect(s).toMatchObject({ n: 6, tp: 2, fp: 0, fn: 1, tn: 3 });
    expect(s.agreement).toBeCloseTo(5 / 6);
    expect(s.precision).toBe(1);
    expect(s.recall).toBeCloseTo(2 / 3);
  });

  it('counts teacher matches we never detected as misses', () => {
    const s = agreementAt(faces([[0.9, M]]), 0.5, 1);
    expect(s).toMatchObject({ tp: 1, fn: 1, missed: 1 });
    expect(s.agreement).toBe(0.5);
    expect(s.recall).toBe(0.5);
  });

  it('reports precision as null when we accept nothing', () => {
    expect(agreementAt(faces([[0.1, M]]), 0.5).precision).toBeNull();
    expect(agreementAt(faces([[0.9, N]]), 0.5).recall).toBeNull();
  });
});

describe('bestAgreementThreshold', () => {
  it('lands midway in the gap that separates the teacher labels', () => {
    const best = bestAgreementThreshold(
      faces([
        [0.81, M],
        [0.62, M],
        [0.48, M],
        [0.4, N],
        [0.3, N],
        [0.05, N],
        [0.99, U],
      ]),
    );
    expect(best.threshold).toBeCloseTo(0.44);
    expect(best.agreement).toBe(1);
    expect(best).toMatchObject({ positives: 3, negatives: 3 });
  });

  it('finds the best compromise when the labels overlap', () => {
    // At 0.55: only 0.5(M) wrong → 5/6; at 0.35 two wrong; at 0.65 two wrong.
    const best = bestAgreementThreshold(
      faces([
        [0.7, M],
        [0.6, M],
        [0.5, M],
        [0.58, N],
        [0.3, N],
        [0.2, N],
      ]),
    );
    expect(best.agreement).toBeCloseTo(5 / 6);
    expect(best.threshold).toBeCloseTo(0.59);
  });
});

describe('fitLogistic', () => {
  it('recovers known parameters from data whose label rates follow a logistic exactly', () => {
    const slope = 10;
    const intercept = -4;
    const samples = [-0.2, 0, 0.2, 0.35, 0.5, 0.8].flatMap((score) => {
      const p = 1 / (1 + Math.exp(-(slope * score + intercept)));
      return [
        { score, label: true, weight: p },
        { score, label: false, weight: 1 - p },
      ];
    });
    const fit = fitLogistic(samples, { l2: 0 });
    expect(fit.converged).toBe(true);
    expect(fit.slope).toBeCloseTo(slope, 6);
    expect(fit.intercept).toBeCloseTo(intercept, 6);
    expect(fit.midpoint).toBeCloseTo(0.4, 6);
    expect(logisticProbability(fit, 0.4)).toBeCloseTo(0.5, 6);
  });

  it('stays finite and ordered on data a threshold separates perfectly', () => {
    const samples = [0.1, 0.2, 0.3, 0.5, 0.6, 0.7].map((score) => ({ score, label: score > 0.4 }));
    const fit = fitLogistic(samples);
    expect(Number.isFinite(fit.slope)).toBe(true);
    expect(fit.slope).toBeGreaterThan(10);
    expect(fit.midpoint).toBeCloseTo(0.4, 2);
    expect(logisticProbability(fit, 0.7)).toBeGreaterThan(0.99);
    expect(logisticProbability(fit, 0.1)).toBeLessThan(0.01);
  });

  it('lands where the penalised likelihood is flat', () => {
    const samples = [0.05, 0.2, 0.3, 0.38, 0.41, 0.45, 0.5, 0.62, 0.7, 0.9].map((score, i) => ({
      score,
      label: [false, false, true, false, true, false, true, true, true, true][i]!,
    }));
    const l2 = 0.5;
    const fit = fitLogistic(samples, { l2 });
    let gSlope = l2 * fit.slope;
    let gIntercept = 0;
    for (const s of samples) {
      const r = logisticProbability(fit, s.score) - (s.label ? 1 : 0);
      gSlope += r * s.score;
      gIntercept += r;
    }
    expect(fit.converged).toBe(true);
    expect(Math.abs(gSlope)).toBeLessThan(1e-8);
    expect(Math.abs(gIntercept)).toBeLessThan(1e-8);
  });

  it('is deterministic', () => {
    const samples = [0.1, 0.35, 0.4, 0.42, 0.6].map((score, i) => ({ score, label: i % 2 === 0 }));
    expect(fitLogistic(samples)).toEqual(fitLogistic(samples));
  });

  it('refuses labels of one kind only', () => {
    expect(() => fitLogistic([{ score: 0.3, label: true }])).toThrow(ConfigError);
  });
});

const gallery = (): Gallery => {
  const e = new Float32Array([1, 0, 0, 0]);
  return aGallery('alice', e, {
    modelSetId: 'models@1',
    createdAt: '2024-01-01T00:00:00.000Z',
    references: [
      { source: 'a.jpg', sha256: 'x', box: { x1: 0, y1: 0, x2: 10, y2: 10 }, quality: 0.9, embedding: e },
    ],
    centroid: centroidOf([e]),
  });
};

describe('calibrateToTeacher', () => {
  const labelled = faces([
    [0.81, M],
    [0.62, M],
    [0.48, M],
    [0.4, N],
    [0.3, N],
    [0.05, N],
  ]);
  const options = {
    teacher: 'aws-rekognition:CompareFaces',
    teacherThreshold: 80,
    sampleSize: 50,
    input: 'photos/',
    previousThreshold: 0.5,
    now: new Date('2025-02-03T04:05:06.000Z'),
  };

  it('stores the agreement-maximising threshold with its provenance in the gallery', () => {
    const result = calibrateToTeacher(labelled, { ...options, logistic: true });
    expect(result.threshold).toBeCloseTo(0.44);
    expect(result.calibration).toMatchObject({
      method: 'teacher-agreement',
      date: '2025-02-03T04:05:06.000Z',
      sampleSize: 50,
      labelledFaces: 6,
      positives: 3,
      negatives: 3,
      agreement: 1,
      previousThreshold: 0.5,
    });
    expect(result.calibration.previousAgreement).toBeCloseTo(5 / 6);
    expect(result.calibration.logistic?.slope).toBeGreaterThan(0);

    const parsed = parseGallery(serializeGallery(withCalibration(gallery(), result)), 'models@1');
    expect(parsed.threshold).toBeCloseTo(0.44);
    expect(parsed.calibration).toMatchObject({ method: 'teacher-agreement', sampleSize: 50, agreement: 1 });
  });

  it('refuses a sample in which the teacher matched nobody', () => {
    expect(() =>
      calibrateToTeacher(
        faces([
          [0.3, N],
          [0.9, U],
        ]),
        options,
      ),
    ).toThrow(/needs both/);
  });
});
