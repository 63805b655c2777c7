import type { Gallery } from '../match/gallery.js';
import type { PersonModel } from './PeopleMatrix.js';

/** A gallery (file, library or bucket) as the decision core's person. */
export const personModelOf = (gallery: Gallery, threshold: number): PersonModel => ({
  name: gallery.person,
  template: gallery.descriptorCentroid
    ? { centroid: gallery.centroid, descriptorCentroid: gallery.descriptorCentroid }
    : { centroid: gallery.centroid },
  threshold,
  ...(gallery.negatives?.length ? { negatives: gallery.negatives.map((n) => n.embedding) } : {}),
});
