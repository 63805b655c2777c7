import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { dirnameOf, type FsPath, joinPath } from './pathBytes.js';

/** Every temporary file mespotter writes is named like this, so a later run can recognise its own leftovers. */
export const TEMP_PREFIX = '.mespotter-tmp-';

/**
 * `.mespotter-tmp-<pid>-<12 hex>`, then an optional short extension (exiftool picks the format of a
 * file it writes by its extension) and exiftool's own `_exiftool_tmp`. Bounded whatever the target is
 * called, so a photo whose name is already 255 bytes long still gets a temporary next to it.
 */
const TEMP_NAME = /^\.mespotter-tmp-(\d+)-[0-9a-f]{12}(?:\.[A-Za-z0-9]{1,8})?(?:_exiftool_tmp)?$/;
/** What `tag` named its temporaries before (`.<photo>.mespotter-<pid>-<n><ext>`): still cleaned up. */
const LEGACY_TAG_TEMP = /^\..+\.mespotter-(\d+)-\d+(?:\.[A-Za-z0-9]{1,8})?(?:_exiftool_tmp)?$/s;

const SUFFIX = /^\.[A-Za-z0-9]{1,8}$/;

/** A temporary name in the same folder as `target`, so the final rename or link stays on one file system. */
export function tempPathFor(target: string, suffix?: string): string;
export function tempPathFor(target: FsPath, suffix?: string): FsPath;
export function tempPathFor(target: FsPath, suffix = ''): FsPath {
  // A suffix that would not be recognised later (too long, odd characters) is dropped, not kept.
  const ext = SUFFIX.test(suffix) ? suffix : '';
  return joinPath(dirnameOf(target), `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}${ext}`);
}

/** The process that wrote a mespotter temporary with this name, or undefined when it is not one. */
export const tempOwnerPid = (path: string): number | undefined => {
  const name = basename(path);
  const m = TEMP_NAME.exec(name) ?? LEGACY_TAG_TEMP.exec(name);
  return m ? Number(m[1]) : undefined;
};

export const isTempName = (path: string): boolean => tempOwnerPid(path) !== undefined;
