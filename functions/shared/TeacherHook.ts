import type { Gallery } from '../../core/match/gallery.js';
import type { PhotoDecision } from '../../core/match/matchPhoto.js';
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
 * Second opinion on a decision (the Rekognition teacher issue plugs in here): it may confirm the
 * decision (return it) or replace it, e.g. for near misses. The default trusts the engine.
 */
export interface TeacherHook {
  review(input: TeacherInput): Promise<PhotoDecision>;
}

export const trustEngine: TeacherHook = { review: async ({ decision }) => decision };
