import type { Gallery, GalleryReference } from '../match/gallery.js';
import { dot } from '../match/similarity.js';

/**
 * The reference photo the teacher compares against: the one most like the person's template
 * (cosine to the centroid) weighted by its face quality, so a typical, sharp face wins over an
 * odd angle or a blur.
 */
export const pickTeacherSource = (gallery: Pick<Gallery, 'references' | 'centroid'>): GalleryReference => {
  let best = gallery.references[0]!;
  let bestKey = Number.NEGATIVE_INFINITY;
  for (const r of gallery.references) {
    const key = dot(r.embedding, gallery.centroid) * r.quality;
    if (key > bestKey) {
      best = r;
      bestKey = key;
    }
  }
  return best;
};
