import { accessSync, constants, mkdirSync, statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { LibraryError } from '../errors.js';
import { describeFsError } from '../fs/describeFsError.js';
import { LibraryUnusableCode, LibraryUnusableError } from './LibraryUnusableError.js';

/**
 * Below this much free space a write would fail part-way (SQLite needs room for the WAL and a
 * photo's analysis): refuse at open rather than after analysing the first photos.
 */
export const MIN_FREE_BYTES = 1024 * 1024;

const freeBytes = (folder: string): number | undefined => {
  try {
    const f = statfsSync(folder);
    // Root may use the blocks reserved for it; anyone else only the available ones.
    return (process.getuid?.() === 0 ? f.bfree : f.bavail) * f.bsize;
  } catch {
    return undefined;
  }
};

const statOrUndefined = (path: string): ReturnType<typeof statSync> | undefined => {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LibraryError(`cannot use the library ${path}: ${describeFsError(error)}`, { cause: error });
  }
};

/**
 * What the library path must be before SQLite touches it: an existing regular file (never a device,
 * a FIFO or a folder, next to which SQLite would leave a -journal), or a new file in an existing
 * folder. Only the default location's folder is created (`createFolder`); a mistyped --library
 * folder is refused rather than made. Opening for writing also needs the file and its folder
 * (SQLite writes -wal and -shm there) to be writable.
 */
export const checkLibraryPath = (path: string, readonly: boolean, createFolder: boolean): void => {
  const s = statOrUndefined(path);
  if (s && !s.isFile())
    throw new LibraryError(
      `the library ${path} is not a regular file (${s.isDirectory() ? 'a folder' : 'a device, FIFO or socket'}); give the path of a library file, e.g. ${path.replace(/\/+$/, '')}/library.db`,
    );
  if (!s && readonly)
    throw new LibraryError(
      `no library at ${path}: index or enrol photos into it first, or give another --library`,
    );
  const folder = dirname(path);
  if (!s) {
    const f = statOrUndefined(folder);
    if (!f && createFolder) mkdirSync(folder, { recursive: true });
    else if (!f)
      throw new LibraryError(
        `the folder of the library ${path} does not exist: create it first (mespotter creates only the default library's folder)`,
      );
    else if (!f.isDirectory())
      throw new LibraryError(`cannot create the library ${path}: ${folder} is not a folder`);
  }
  if (readonly) return;
  for (const p of s ? [path, folder] : [folder]) {
    try {
      accessSync(p, constants.W_OK);
    } catch (error) {
      throw new LibraryUnusableError(LibraryUnusableCode.ReadOnly, path, describeFsError(error), {
        cause: error,
      });
    }
  }
  const free = freeBytes(folder);
  if (free !== undefined && free < MIN_FREE_BYTES)
    throw new LibraryUnusableError(
      LibraryUnusableCode.Full,
      path,
      `${Math.round(free / 1024)} KiB free, mespotter needs at least ${MIN_FREE_BYTES / 1024 / 1024} MiB`,
    );
};

/**
 * A WAL library cannot even be read where SQLite cannot create its -shm file next to it: say
 * that, instead of SQLite's "unable to open database file".
 */
export const readOnlyFolderError = (path: string, cause: unknown): LibraryUnusableError | undefined => {
  try {
    accessSync(dirname(path), constants.W_OK);
    return undefined;
  } catch (error) {
    return new LibraryUnusableError(
      LibraryUnusableCode.ReadOnly,
      path,
      `its folder is not writable (${describeFsError(error)}), and SQLite writes a -shm file there even to read a library`,
      { cause },
    );
  }
};
