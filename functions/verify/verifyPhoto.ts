import { DEFAULT_POLICY, type DecisionPolicy } from '../../core/decide/DecisionPolicy.js';
import { decidedLine } from '../../core/decide/decidedLine.js';
import { decidePhoto } from '../../core/decide/decidePhoto.js';
import { copyPlan, Layout } from '../../core/report/copyPlan.js';
import type { ResultLine } from '../../core/report/resultLine.js';
import type { Reviewer } from '../../core/teacher/cascadeReviewer.js';
import type { ImageAnalysis } from '../../core/types.js';
import { matchesKey } from '../shared/keys.js';
import type { PlannedCopyMessage, VerifyMessage } from '../shared/messages.js';
import type { EnrolledPeople } from './EnrolledPeople.js';
import { referenceLabels } from './referenceLabels.js';

export interface VerifiedPhoto {
  /** The photo's one result line (copies not made yet). */
  line: ResultLine;
  /** One per person found: matches/<person>/<key>. */
  copies: PlannedCopyMessage[];
}

/**
 * verify as a thin adapter over the decision core, the same as `mespotter sort`: every face
 * against everyone enrolled at once (exclusive assignment, runner-up margin, the galleries'
 * negatives and enrolled faces as human labels), the optional teacher review, the one result-line
 * schema and the one copy policy (by person, under matches/).
 */
export const verifyPhoto = async (o: {
  message: VerifyMessage;
  analysis: ImageAnalysis;
  people: EnrolledPeople;
  reviewer: Reviewer;
  policy?: DecisionPolicy;
}): Promise<VerifiedPhoto> => {
  const { message: m, analysis, people } = o;
  const labels = referenceLabels(analysis, people.referencesBySha.get(m.sha256) ?? []);
  const local = decidePhoto(analysis.faces, people.matrix, o.policy ?? DEFAULT_POLICY, labels);
  const { decision, teacher } = await o.reviewer.review({
    bucket: m.bucket,
    key: m.key,
    galleries: people.galleries,
    people: people.matrix,
    searched: people.searched,
    analysis,
    decision: local,
  });
  const references = new Set<number>();
  labels.forEach((l, i) => {
    if (l?.confirmed !== undefined && decision.faces[i]?.person === l.confirmed) references.add(i);
  });
  const line: ResultLine = {
    ...decidedLine({
      path: m.key,
      sha256: m.sha256,
      analysis,
      cached: m.cached,
      decision,
      searched: people.searchedSet,
      references,
      ms: m.ms,
    }),
    ...(teacher.length > 0 ? { teacher } : {}),
  };
  const copies = copyPlan(line.people, m.key, Layout.ByPerson).map((c) => ({
    people: c.people,
    destination: matchesKey(c.rel),
  }));
  return { line, copies };
};
