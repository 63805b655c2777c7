import type { Box } from '../types.js';
import { DEFAULT_PAIR_MIN_IOU, pairByIou } from './pairFaces.js';
import type { TeacherFace } from './types.js';

/**
 * Rekognition's own default for CompareFaces: similarity 80 or more is a match. Stricter uses
 * (AWS suggests 99 for identity decisions) can pass their own.
 */
export const DEFAULT_TEACHER_THRESHOLD = 80;

/** The teacher's verdict on one of our faces. */
export const TeacherLabel = {
  Match: 'match',
  NoMatch: 'no_match',
  /** The teacher found no face where ours is (or did not compare it), so it has no verdict. */
  Unpaired: 'unpaired',
} as const;
export type TeacherLabel = (typeof TeacherLabel)[keyof typeof TeacherLabel];

export interface LabelOptions {
  /** Teacher similarity (0..100) at or above which a face is the person. */
  teacherThreshold: number;
  minIou?: number;
}

/** One of our faces with the teacher's verdict on it. */
export interface LabelledFace {
  /** Index into the photo's faces. */
  index: number;
  box: Box;
  /** Our similarity to the person. */
  score: number;
  label: TeacherLabel;
  /** Teacher similarity (0..100) of the paired face, when it gave one. */
  similarity?: number;
  iou?: number;
  teacherBox?: Box;
}

export interface FaceLabels {
  faces: LabelledFace[];
  /** Teacher faces no face of ours overlaps, with the teacher's verdict on them. */
  teacherOnly: (TeacherFace & { label: typeof TeacherLabel.Match | typeof TeacherLabel.NoMatch })[];
}

/** A teacher face is the person when its similarity reaches the threshold; "unmatched" faces never are. */
export const teacherLabelOf = (
  similarity: number | undefined,
  teacherThreshold: number,
): typeof TeacherLabel.Match | typeof TeacherLabel.NoMatch =>
  similarity !== undefined && similarity >= teacherThreshold ? TeacherLabel.Match : TeacherLabel.NoMatch;

/** Pairs our scored faces with the teacher's by IoU and gives each the teacher's label. */
export const labelFaces = (
  ours: readonly { box: Box; score: number }[],
  teacherFaces: readonly TeacherFace[],
  options: LabelOptions,
): FaceLabels => {
  const pairing = pairByIou(
    ours.map((f) => f.box),
    teacherFaces.map((f) => f.box),
    options.minIou ?? DEFAULT_PAIR_MIN_IOU,
  );
  const byOurs = new Map(pairing.pairs.map((p) => [p.ours, p]));
  const faces = ours.map((f, index): LabelledFace => {
    const pair = byOurs.get(index);
    if (!pair) return { index, box: f.box, score: f.score, label: TeacherLabel.Unpaired };
    const t = teacherFaces[pair.theirs]!;
    return {
      index,
      box: f.box,
      score: f.score,
      label: teacherLabelOf(t.similarity, options.teacherThreshold),
      ...(t.similarity !== undefined ? { similarity: t.similarity } : {}),
      iou: pair.iou,
      teacherBox: t.box,
    };
  });
  const teacherOnly = pairing.unpairedTheirs.map((j) => {
    const t = teacherFaces[j]!;
    return { ...t, label: teacherLabelOf(t.similarity, options.teacherThreshold) };
  });
  return { faces, teacherOnly };
};
