import { GALLERY_VERSION, type Gallery, templateFields } from '../match/gallery.js';
import type { Library, PersonRecord } from './Library.js';

/**
 * A person as a gallery (the portable template: references, negatives, threshold), built from the
 * library's labels in namespace `ns`. The CLI decides with it, `library export --galleries` writes
 * it in the `*.gallery.json` format the cloud reads. Undefined when the person has no reference
 * in this namespace (not enrolled, or only with older models).
 */
export const galleryOfPerson = (
  library: Library,
  person: PersonRecord,
  ns: string,
  modelSetId: string,
): Gallery | undefined => {
  const refs = library.references(person.id, ns);
  if (refs.length === 0) return undefined;
  const references = refs.map((r) => ({
    source: r.source ?? r.sha256,
    sha256: r.sha256,
    box: r.face.box,
    quality: r.face.quality,
    embedding: r.face.embedding,
    ...(r.face.descriptor ? { descriptor: r.face.descriptor } : {}),
  }));
  const negatives = library
    .negatives(person.id, ns)
    .map((n) => ({ source: n.source ?? n.sha256, embedding: n.face.embedding }));
  return {
    version: GALLERY_VERSION,
    person: person.name,
    modelSetId,
    createdAt: person.createdAt,
    ...(person.threshold !== null ? { threshold: person.threshold } : {}),
    ...(person.calibration ? { calibration: person.calibration } : {}),
    references,
    rejected: [],
    ...(negatives.length ? { negatives } : {}),
    ...templateFields(references),
  };
};
