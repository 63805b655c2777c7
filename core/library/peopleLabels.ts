import type { PersonLabels } from '../decide/learnFromLabels.js';
import type { FaceVectors } from '../match/fusion.js';
import { GALLERY_VERSION, type Gallery, templateFields } from '../match/gallery.js';
import { LabelKind } from './LabelKind.js';
import { LabelSource } from './LabelSource.js';
import type { Library, PersonRecord, StoredFace } from './Library.js';

const vectorsOf = (f: StoredFace): FaceVectors & { quality: number } =>
  f.descriptor
    ? { embedding: f.embedding, descriptor: f.descriptor, quality: f.quality }
    : { embedding: f.embedding, quality: f.quality };

/** The faces of namespace `ns` labelled for the person with one of `kinds` (and source, when given). */
const labelledFaces = (
  library: Library,
  personId: number,
  ns: string,
  kinds: readonly LabelKind[],
  source?: string,
): StoredFace[] => {
  const ids = library.db
    .prepare<{ face_id: number }>(
      `SELECT DISTINCT l.face_id FROM labels l JOIN faces f ON f.id = l.face_id JOIN photos p ON p.id = f.photo_id
       WHERE l.person_id = ? AND p.analysis_ns = ? AND l.kind IN (${kinds.map(() => '?').join(',')})
       ${source ? 'AND l.source = ?' : ''} ORDER BY l.face_id`,
    )
    .all(personId, ns, ...kinds, ...(source ? [source] : []))
    .map((r) => r.face_id);
  return ids.map((id) => library.face(id)).filter((f): f is StoredFace => f !== undefined);
};

/**
 * What people said about a person, in namespace `ns`, for the learning step: positives are the
 * gallery's references (enrolled, confirmed, imported), negatives the faces rejected for them (with
 * both identity vectors, so they are scored like any face); `confirmed` and `rejected` are the
 * reviewed faces the threshold fit looks at.
 */
export const peopleLabels = (
  library: Library,
  galleries: readonly Gallery[],
  ns: string,
): (PersonLabels & { confirmed: FaceVectors[]; rejected: FaceVectors[] })[] =>
  galleries.map((g) => {
    const person = library.person(g.person);
    const rejected = person ? labelledFaces(library, person.id, ns, [LabelKind.Rejected]).map(vectorsOf) : [];
    const confirmed = person
      ? labelledFaces(library, person.id, ns, [LabelKind.Confirmed]).map(vectorsOf)
      : [];
    return {
      name: g.person,
      positives: g.references.map((r) =>
        r.descriptor
          ? { embedding: r.embedding, descriptor: r.descriptor, quality: r.quality }
          : { embedding: r.embedding, quality: r.quality },
      ),
      negatives: rejected,
      confirmed,
      rejected,
    };
  });

/**
 * A person named from a cluster without --confirm has no reference yet, only cluster members:
 * their gallery is made from those (the learning step drops members that disagree with the rest),
 * so `sort` can look for them at once. Undefined when they have no member in this namespace.
 */
export const galleryOfMembers = (
  library: Library,
  person: PersonRecord,
  ns: string,
  modelSetId: string,
): Gallery | undefined => {
  const rejected = new Set(labelledFaces(library, person.id, ns, [LabelKind.Rejected]).map((f) => f.id));
  const members = labelledFaces(library, person.id, ns, [LabelKind.Auto], LabelSource.Cluster).filter(
    (f) => !rejected.has(f.id),
  );
  if (members.length === 0) return undefined;
  const sha = library.db.prepare<{ sha256: string }>('SELECT sha256 FROM photos WHERE id = ?');
  const references = members.map((f) => ({
    source: `cluster member, face ${f.id}`,
    sha256: sha.get(f.photoId)?.sha256 ?? '',
    box: f.box,
    quality: f.quality,
    embedding: f.embedding,
    ...(f.descriptor ? { descriptor: f.descriptor } : {}),
  }));
  return {
    version: GALLERY_VERSION,
    person: person.name,
    modelSetId,
    createdAt: person.createdAt,
    ...(person.threshold !== null ? { threshold: person.threshold } : {}),
    references,
    rejected: [],
    ...templateFields(references),
  };
};
