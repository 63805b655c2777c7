import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { dirnameOf, type FsPath, joinPath } from './pathBytes.js';

/** Every temporary file mespotter writes is named like this, so a later run can recognise its own leftovers. */
export const TEMP_PREFIX = '.mespotter-tmp-';
const TEMP_NAME = /^\.mespotter-tmp-\d+-[0-9a-f]{12}$/;

/** A temporary name in the same folder as `target`, so the final rename or link stays on one file system. */
export function tempPathFor(target: string): string;
export function tempPathFor(target: FsPath): FsPath;
export function tempPathFor(target: FsPath): FsPath {
  return joinPath(dirnameOf(target), `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
}

export const isTempName = (path: string): boolean => TEMP_NAME.test(basename(path));
