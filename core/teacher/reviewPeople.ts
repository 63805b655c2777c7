import type { PhotoPeopleDecision } from '../decide/decidePhoto.js';
import type { PeopleMatrix } from '../decide/PeopleMatrix.js';
import type { ImageAnalysis } from '../types.js';
import type { TeacherCascade } from './TeacherCascade.js';
import type { TeacherLine } from './teacherLine.js';
import type { TeacherImage, TeacherSource } from './types.js';

export interface PeopleReview {
  decision: PhotoPeopleDecision;
  /** One entry per person the teacher was asked about. */
  teacher: (TeacherLine & { person: string })[];
}

/**
 * The gray-zone cascade over a multi-person decision: for each searched person whose outcome in
 * this photo hangs on a gray-zone score, the teacher compares the person's reference with the photo
 * and its verdict replaces ours for that person: the face it matches becomes theirs (taken from
 * whoever had it), or the person is not in the photo. Human decisions are never overturned.
 */
export const reviewPeople = async (
  cascade: TeacherCascade,
  o: {
    analysis: ImageAnalysis;
    decision: PhotoPeopleDecision;
    people: PeopleMatrix;
    searched: readonly string[];
    sourceFor: (person: string) => TeacherSource | undefined;
    image: TeacherImage;
  },
): Promise<PeopleReview> => {
  const faces = [...o.decision.faces];
  const teacher: PeopleReview['teacher'] = [];
  const P = o.people.size;
  for (const person of o.searched) {
    const j = o.people.indexOf(person);
    const source = j >= 0 ? o.sourceFor(person) : undefined;
    if (!source) continue;
    const view = {
      faces: o.analysis.faces.map((f, i) => ({ box: f.box, score: o.decision.scores[i * P + j]! })),
      matchIndex: faces.findIndex((f) => f.person === person),
    };
    if (!cascade.routes(view)) continue;
    const reviewed = await cascade.review({ analysis: o.analysis, decision: view, source, image: o.image });
    if (!reviewed.teacher) continue;
    teacher.push({ ...reviewed.teacher, person });
    if (reviewed.matchIndex === view.matchIndex) continue;
    const before = view.matchIndex >= 0 ? faces[view.matchIndex]! : undefined;
    if (before?.decidedBy === 'human') continue;
    if (before) faces[view.matchIndex] = { ...before, person: null };
    const after = reviewed.matchIndex >= 0 ? faces[reviewed.matchIndex]! : undefined;
    if (after && after.decidedBy !== 'human') {
      faces[reviewed.matchIndex] = {
        ...after,
        person,
        score: o.decision.scores[reviewed.matchIndex * P + j]!,
        decidedBy: 'auto',
      };
    }
  }
  const people = [...new Set(faces.map((f) => f.person).filter((n): n is string => n !== null))].sort();
  return { decision: { ...o.decision, faces, people }, teacher };
};
