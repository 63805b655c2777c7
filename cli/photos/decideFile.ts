import { decidePhoto, type PhotoPeopleDecision } from '../../core/decide/decidePhoto.js';
import type { FaceLabels } from '../../core/decide/FaceLabels.js';
import { labelPrecedence } from '../../core/decide/labelPrecedence.js';
import { LabelKind } from '../../core/library/LabelKind.js';
import type { Library, StoredFace } from '../../core/library/Library.js';
import type { ImageAnalysis } from '../../core/types.js';
import type { LoadedPeople } from '../people/loadPeople.js';

export interface DecidedFile {
  decision: PhotoPeopleDecision;
  /** Faces that are their person's own enrolled reference. */
  references: Set<number>;
}

/**
 * Who is in an analysed photo: the decision core with the library's human labels on its faces
 * (confirmed, rejected, enrolled) taking precedence over the matcher.
 */
export const decideFile = (
  library: Library,
  people: LoadedPeople,
  analysis: ImageAnalysis,
  faces: readonly StoredFace[],
): DecidedFile => {
  const labels = library.labelsOfFaces(faces.map((f) => f.id));
  const byFace = new Map<number, typeof labels>();
  for (const l of labels) byFace.set(l.faceId, [...(byFace.get(l.faceId) ?? []), l]);
  const faceLabels: (FaceLabels | undefined)[] = faces.map((f) => {
    const own = byFace.get(f.id);
    return own ? labelPrecedence(own) : undefined;
  });
  const decision = decidePhoto(analysis.faces, people.matrix, people.policy, faceLabels);
  const references = new Set<number>();
  faces.forEach((f, i) => {
    const person = decision.faces[i]?.person;
    if (person && byFace.get(f.id)?.some((l) => l.kind === LabelKind.Enrolled && l.person === person))
      references.add(i);
  });
  return { decision, references };
};
