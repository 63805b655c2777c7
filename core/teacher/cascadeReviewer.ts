import type { Gallery } from '../match/gallery.js';
import type { PhotoDecision } from '../match/matchPhoto.js';
import type { ImageAnalysis } from '../types.js';
import { pickTeacherSource } from './pickTeacherSource.js';
import type { ReviewedDecision, TeacherCascade } from './TeacherCascade.js';
import type { TeacherSource } from './types.js';

/** What the verify function knows about a photo (the shape of functions/shared TeacherHook's input). */
export interface ReviewInput {
  bucket: string;
  key: string;
  gallery: Gallery;
  threshold: number;
  analysis: ImageAnalysis;
  decision: PhotoDecision;
}

export interface Reviewer {
  review(input: ReviewInput): Promise<ReviewedDecision>;
}

/**
 * In the bucket a reference's `source` is its object key: the teacher reads both photos from S3
 * itself, and crops the reference to its face.
 */
export const s3ReferenceSource = (gallery: Gallery, bucket: string): TeacherSource => {
  const ref = pickTeacherSource(gallery);
  return { image: { kind: 's3', bucket, key: ref.source }, face: ref.box };
};

/** The cascade as a verify-stage reviewer: one cascade (one rate limit) for every person. */
export const cascadeReviewer = (
  cascade: TeacherCascade,
  sourceFor: (gallery: Gallery, bucket: string) => TeacherSource = s3ReferenceSource,
): Reviewer => ({
  review: (input) =>
    cascade.review({
      analysis: input.analysis,
      decision: input.decision,
      source: sourceFor(input.gallery, input.bucket),
      image: { kind: 's3', bucket: input.bucket, key: input.key },
    }),
});
