import { LibraryError } from '../errors.js';

/** Why the library file cannot be used at all (as opposed to one photo or one request failing). */
export const LibraryUnusableCode = {
  Corrupt: 'corrupt',
  ReadOnly: 'read_only',
  Full: 'full',
  Locked: 'locked',
  NewerVersion: 'newer_version',
} as const;
export type LibraryUnusableCode = (typeof LibraryUnusableCode)[keyof typeof LibraryUnusableCode];

/** What to do about it, in a sentence that names the file. */
export const libraryAdvice = (code: LibraryUnusableCode, path: string): string => {
  switch (code) {
    case LibraryUnusableCode.Corrupt:
      return (
        `the library file ${path} is damaged. \`mespotter library check --library ${path}\` lists what is wrong; ` +
        `restore the file from a backup, or save what still reads with \`mespotter library export --library ${path} --out FILE\` ` +
        'and import that into a new library'
      );
    case LibraryUnusableCode.ReadOnly:
      return (
        `the library file ${path} cannot be written: make it and its folder writable (or copy it somewhere writable); ` +
        'read-only commands (library stats, check, export) still work where the folder can be written'
      );
    case LibraryUnusableCode.Full:
      return `the disk holding the library ${path} is full: free some space and run the command again (what was saved is kept)`;
    case LibraryUnusableCode.Locked:
      return `the library ${path} is locked by another process for too long: let it finish (or stop it) and run the command again`;
    case LibraryUnusableCode.NewerVersion:
      return `the library ${path} was written by a newer mespotter: upgrade mespotter (the file was left as it is)`;
  }
};

/**
 * The library file is corrupt, read-only, on a full disk, locked or from a newer version: nothing
 * the command does can succeed, so it stops at once (exit 2) instead of failing photo by photo. The
 * message says what is wrong with the file and how to recover.
 */
export class LibraryUnusableError extends LibraryError {
  override readonly code: LibraryUnusableCode;
  readonly path: string;
  /** What SQLite or the file system said, without the advice. */
  readonly detail: string;
  constructor(code: LibraryUnusableCode, path: string, detail: string, options?: { cause?: unknown }) {
    super(`${libraryAdvice(code, path)} (${detail})`, options);
    this.name = 'LibraryUnusableError';
    this.code = code;
    this.path = path;
    this.detail = detail;
  }
}
