import type { Gallery } from '../../core/match/gallery.js';
import type { PhotoDecision } from '../../core/match/matchPhoto.js';
import type { ReviewedDecision } from '../../core/teacher/TeacherCascade.js';
import type { ImageAnalysis } from '../../core/types.js';

export interface TeacherInput {
  bucket: string;
  key: string;
  gallery: Gallery;
  threshold: number;
  analysis: ImageAnalysis;
  decision: PhotoDecision;
}

/**
 * Second opinion on a decision (the Rekognition teacher's gray-zone cascade plugs in here): it
 * may confirm the decision or replace it, and says what it did in `teacher` (copied to the
 * result line). The default trusts the engine.
 */
export interface TeacherHook {
  review(input: TeacherInput): Promise<ReviewedDecision>;
}

export const trustEngine: TeacherHook = { review: async ({ decision }) => decision };
