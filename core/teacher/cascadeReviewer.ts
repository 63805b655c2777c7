import type { PhotoPeopleDecision } from '../decide/decidePhoto.js';
import type { PeopleMatrix } from '../decide/PeopleMatrix.js';
import type { Gallery } from '../match/gallery.js';
import type { ImageAnalysis } from '../types.js';
import { pickTeacherSource } from './pickTeacherSource.js';
import { type PeopleReview, reviewPeople } from './reviewPeople.js';
import type { TeacherCascade } from './TeacherCascade.js';
import type { TeacherSource } from './types.js';

/** What the verify function knows about a photo (the shape of functions/shared TeacherHook's input). */
export interface ReviewInput {
  bucket: string;
  key: string;
  galleries: ReadonlyMap<string, Gallery>;
  people: PeopleMatrix;
  searched: readonly string[];
  analysis: ImageAnalysis;
  decision: PhotoPeopleDecision;
}

export interface Reviewer {
  review(input: ReviewInput): Promise<PeopleReview>;
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
    reviewPeople(cascade, {
      analysis: input.analysis,
      decision: input.decision,
      people: input.people,
      searched: input.searched,
      sourceFor: (person) => {
        const g = input.galleries.get(person);
        return g ? sourceFor(g, input.bucket) : undefined;
      },
      image: { kind: 's3', bucket: input.bucket, key: input.key },
    }),
});
