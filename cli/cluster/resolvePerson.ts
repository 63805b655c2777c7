import { ConfigError } from '../../core/errors.js';
import { EditError, EditErrorCode } from '../../core/library/EditError.js';
import type { Library, PersonRecord } from '../../core/library/Library.js';

/** A cluster or person as the user names it: "person-0003", "Alice", or the cluster number "3". */
export const resolvePerson = (library: Library, ref: string): PersonRecord => {
  const byName = library.person(ref);
  if (byName) return byName;
  if (/^\d+$/.test(ref)) {
    const no = Number(ref);
    const byNo = library.allPeople().find((p) => p.clusterNo === no);
    if (byNo) return byNo;
  }
  throw new EditError(
    EditErrorCode.NotFound,
    `there is no cluster or person "${ref}" (see "mespotter cluster list")`,
  );
};

/** "12,13,40" → face ids. */
export const parseFaceIds = (v: string): number[] => {
  const parts = v.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p)))
    throw new ConfigError(`--faces takes face ids separated by commas, e.g. 12,13 (got "${v}")`);
  return parts.map(Number);
};
