import { isValidPersonName } from '../match/personName.js';
import { EditError, EditErrorCode } from './EditError.js';

/** An unnamed cluster's name: its stable number, e.g. person-0007. */
export const clusterName = (no: number): string => `person-${String(no).padStart(4, '0')}`;

/** Names of the form person-0001 belong to unnamed clusters; people cannot be given one. */
export const isClusterName = (name: string): boolean => /^person-\d{4,}$/i.test(name);

/** A name a user gives a cluster or person: a valid person name that is not a cluster's. */
export const checkPersonName = (name: string): string => {
  if (!isValidPersonName(name))
    throw new EditError(
      EditErrorCode.Invalid,
      `invalid person name "${name}": use letters, digits, spaces, '.', '_' or '-' (at most 64 characters)`,
    );
  if (isClusterName(name))
    throw new EditError(
      EditErrorCode.Invalid,
      `"${name}" is how unnamed clusters are called; choose a real name`,
    );
  return name;
};
