/**
 * Enrolment the way the product does it: each person's reference faces through `buildGallery`
 * (which drops references that disagree with the rest and refuses a set mixing two people), then
 * the decision core's PersonModel.
 */
import { GalleryError } from '../../core/errors.js';
import { DEFAULT_MIN_AGREEMENT } from '../../core/match/defaults.js';
import { buildGallery, type Gallery } from '../../core/match/gallery.js';
import type { Face, FivePoints } from '../../core/types.js';
import type { BenchFace } from './benchFace.js';

const NO_POINTS = [0, 1, 2, 3, 4].map(() => ({ x: 0, y: 0 })) as unknown as FivePoints;

/** A bench face as the engine's Face (box and points are not used by enrolment). */
export const asFace = (f: BenchFace): Face => ({
  box: { x1: 0, y1: 0, x2: f.size, y2: f.size },
  score: f.quality,
  points: NO_POINTS,
  roll: 0,
  quality: f.quality,
  embedding: f.vectors.embedding,
  ...(f.vectors.descriptor ? { descriptor: f.vectors.descriptor } : {}),
});

export interface Enrolment {
  galleries: Gallery[];
  /** References buildGallery dropped, per person. */
  droppedReferences: number;
  /** People buildGallery refused (their faces then count as strangers), with the reason. */
  refused: { person: string; reason: string }[];
}

export const enrolPeople = (
  people: ReadonlyMap<string, readonly BenchFace[]>,
  modelSetId: string,
): Enrolment => {
  const out: Enrolment = { galleries: [], droppedReferences: 0, refused: [] };
  for (const [person, refs] of people) {
    try {
      const { gallery } = buildGallery(
        person,
        modelSetId,
        refs.map((f) => ({ source: f.key, sha256: f.photo, face: asFace(f) })),
        [],
        { minAgreement: DEFAULT_MIN_AGREEMENT, now: new Date(0) },
      );
      out.droppedReferences += gallery.rejected.length;
      out.galleries.push(gallery);
    } catch (error) {
      if (!(error instanceof GalleryError)) throw error;
      out.refused.push({ person, reason: error.message.split('\n')[0]! });
    }
  }
  return out;
};
