import { LabelKind } from '../library/LabelKind.js';
import type { FaceLabels } from './FaceLabels.js';

export interface LabelLike {
  person: string;
  kind: LabelKind;
  /** ISO time; later decisions win. */
  createdAt: string;
}

/**
 * A face's human decisions from its labels. Human kinds (enrolled, confirmed, imported, rejected)
 * always beat automatic ones, which are ignored here; between two human decisions the later wins, so
 * "not her" after "her" means not her, and naming a face for someone else moves it.
 */
export const labelPrecedence = (labels: readonly LabelLike[]): FaceLabels => {
  const human = labels
    .filter((l) => l.kind !== LabelKind.Auto)
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  let confirmed: string | undefined;
  const rejected = new Set<string>();
  const decided = new Set<string>();
  for (const l of human) {
    if (decided.has(l.person)) continue;
    decided.add(l.person);
    if (l.kind === LabelKind.Rejected) rejected.add(l.person);
    // The newest positive label wins: a face is one person.
    else if (confirmed === undefined) confirmed = l.person;
  }
  return confirmed === undefined ? { rejected } : { confirmed, rejected };
};
