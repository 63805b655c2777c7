import type { Box } from '../types.js';
import {
  type AgreementStats,
  type AgreementThreshold,
  agreementAt,
  bestAgreementThreshold,
} from './agreement.js';
import { type FaceLabels, type LabelledFace, TeacherLabel } from './labels.js';
import { type TeacherPricing, teacherCostUsd } from './pricing.js';

/** One sampled photo after we and the teacher have both looked at it. */
export interface BenchmarkPhoto {
  path: string;
  width?: number;
  height?: number;
  /** compared: both answered; failed: the teacher did not; error: we could not read or analyse it. */
  status: 'compared' | 'failed' | 'error';
  /** Our faces with the teacher's labels (all `unpaired` when the teacher failed). */
  faces: LabelledFace[];
  teacherOnly: FaceLabels['teacherOnly'];
  failure?: { code: string; message: string };
}

/** A face where we and the teacher disagree at the current threshold. */
export interface Disagreement {
  path: string;
  /** Index of our face; absent for a face only the teacher found. */
  faceIndex?: number;
  box: Box;
  teacherBox?: Box;
  score?: number;
  similarity?: number;
  ours: 'match' | 'no_match' | 'not_detected';
  teacher: 'match' | 'no_match';
}

export interface TeacherBenchmark {
  teacher: string;
  person: string;
  threshold: number;
  teacherThreshold: number;
  photos: { sampled: number; compared: number; failed: number; errors: number; withoutOurFaces: number };
  faces: { ours: number; paired: number; unpaired: number; teacherOnly: number; teacherOnlyMatches: number };
  /** Face level at the current threshold; the teacher's matches we never detected count as misses. */
  atThreshold: AgreementStats;
  /** Photo level: we match when our best face passes, the teacher when any face passes its threshold. */
  photoLevel: AgreementStats;
  /** The threshold that would agree most with the teacher, and the stats there; null without labels. */
  best: (AgreementThreshold & { stats: AgreementStats }) | null;
  calls: number;
  billedCalls: number;
  failures: number;
  costUsd: number;
  pricing: TeacherPricing;
  failuresByCode: Record<string, number>;
  disagreements: Disagreement[];
}

export interface BenchmarkContext {
  teacher: string;
  person: string;
  threshold: number;
  teacherThreshold: number;
  pricing: TeacherPricing;
}

const isMatch = (label: string): boolean => label === TeacherLabel.Match;

/** Where we and the teacher disagree on a photo at `threshold`. */
export const disagreementsOf = (photo: BenchmarkPhoto, threshold: number): Disagreement[] => {
  const out: Disagreement[] = [];
  for (const f of photo.faces) {
    if (f.label === TeacherLabel.Unpaired) continue;
    const ours = f.score >= threshold;
    if (ours === isMatch(f.label)) continue;
    out.push({
      path: photo.path,
      faceIndex: f.index,
      box: f.box,
      ...(f.teacherBox ? { teacherBox: f.teacherBox } : {}),
      score: f.score,
      ...(f.similarity !== undefined ? { similarity: f.similarity } : {}),
      ours: ours ? 'match' : 'no_match',
      teacher: ours ? 'no_match' : 'match',
    });
  }
  for (const t of photo.teacherOnly) {
    if (!isMatch(t.label)) continue;
    out.push({
      path: photo.path,
      box: t.box,
      teacherBox: t.box,
      ...(t.similarity !== undefined ? { similarity: t.similarity } : {}),
      ours: 'not_detected',
      teacher: 'match',
    });
  }
  return out;
};

/** Agreement, precision and recall against the teacher, the best threshold, calls and cost. */
export const summarizeBenchmark = (
  photos: readonly BenchmarkPhoto[],
  context: BenchmarkContext,
): TeacherBenchmark => {
  const compared = photos.filter((p) => p.status === 'compared');
  const faces = compared.flatMap((p) => p.faces);
  const labelled = faces.filter((f) => f.label !== TeacherLabel.Unpaired);
  const teacherOnly = compared.flatMap((p) => p.teacherOnly);
  const missed = teacherOnly.filter((t) => isMatch(t.label)).length;
  const failuresByCode: Record<string, number> = {};
  for (const p of photos) {
    if (p.status === 'failed' && p.failure)
      failuresByCode[p.failure.code] = (failuresByCode[p.failure.code] ?? 0) + 1;
  }
  const photoLevel = agreementAt(
    compared.map((p) => ({
      score: p.faces.reduce((m, f) => Math.max(m, f.score), Number.NEGATIVE_INFINITY),
      label:
        p.faces.some((f) => isMatch(f.label)) || p.teacherOnly.some((t) => isMatch(t.label))
          ? TeacherLabel.Match
          : TeacherLabel.NoMatch,
    })),
    context.threshold,
  );
  let best: TeacherBenchmark['best'] = null;
  if (labelled.length > 0) {
    const b = bestAgreementThreshold(labelled);
    best = { ...b, stats: agreementAt(labelled, b.threshold, missed) };
  }
  const failed = photos.filter((p) => p.status === 'failed').length;
  return {
    teacher: context.teacher,
    person: context.person,
    threshold: context.threshold,
    teacherThreshold: context.teacherThreshold,
    photos: {
      sampled: photos.length,
      compared: compared.length,
      failed,
      errors: photos.filter((p) => p.status === 'error').length,
      withoutOurFaces: compared.filter((p) => p.faces.length === 0).length,
    },
    faces: {
      ours: faces.length,
      paired: labelled.length,
      unpaired: faces.length - labelled.length,
      teacherOnly: teacherOnly.length,
      teacherOnlyMatches: missed,
    },
    atThreshold: agreementAt(labelled, context.threshold, missed),
    photoLevel,
    best,
    calls: compared.length + failed,
    billedCalls: compared.length,
    failures: failed,
    costUsd: teacherCostUsd(compared.length, context.pricing),
    pricing: context.pricing,
    failuresByCode,
    disagreements: compared.flatMap((p) => disagreementsOf(p, context.threshold)),
  };
};
