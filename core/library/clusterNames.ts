import { isClusterName, personNameProblem } from '../match/personName.js';
import { EditError, EditErrorCode } from './EditError.js';

// The rule lives with the person name rule (core/match/personName.ts); kept here for its importers.
export { isClusterName };

/** An unnamed cluster's name: its stable number, e.g. person-0007. */
export const clusterName = (no: number): string => `person-${String(no).padStart(4, '0')}`;

/** A name a user gives a cluster or person: a valid person name that is not a cluster's. */
export const checkPersonName = (name: string): string => {
  const problem = personNameProblem(name);
  if (problem) throw new EditError(EditErrorCode.Invalid, problem);
  return name;
};
