import { MespotterError } from '../errors.js';

/** Why a library edit (enrol, name, merge, split, confirm, reject, undo) was refused; nothing was changed. */
export const EditErrorCode = {
  /** A person, cluster, face or action that does not exist. */
  NotFound: 'not_found',
  /** The request makes no sense as given (a bad name, a face not in the cluster, nothing selected). */
  Invalid: 'invalid_edit',
  /** A later edit changed the same faces or people: undo that one first. */
  Conflict: 'edit_conflict',
  /** An enrolment would take faces that are another person's references (allowed only when forced). */
  Taken: 'reference_taken',
} as const;
export type EditErrorCode = (typeof EditErrorCode)[keyof typeof EditErrorCode];

export class EditError extends MespotterError {
  constructor(code: EditErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'EditError';
  }
}
