import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { MespotterError } from '../errors.js';
import { displayPath, type FsPath } from './pathBytes.js';

/** What a path is, in words: "a regular file", "a folder", "a FIFO (named pipe)"… */
export const fileKindOf = (s: Stats): string => {
  if (s.isFile()) return 'a regular file';
  if (s.isDirectory()) return 'a folder';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'not a file';
};

/** The one reason given for anything that is not a regular file, e.g. "it is a FIFO (named pipe), not a regular file". */
export const notRegularFileReason = (s: Stats): string | undefined => {
  return s.isFile() ? undefined : `it is ${fileKindOf(s)}, not a regular file`;
};

/** A path that had to be a regular file and is not. */
export class NotRegularFileError extends MespotterError {
  /** The reason without the path, for messages that name the file themselves. */
  readonly reason: string;
  constructor(path: FsPath, reason: string) {
    super('not_regular_file', `${displayPath(path)}: ${reason}`);
    this.name = 'NotRegularFileError';
    this.reason = reason;
  }
}

/**
 * Checks that `path` is a regular file before anything opens it: opening a FIFO blocks until a
 * writer comes, and /dev/zero never ends. Only stats (following links); its errors pass through.
 */
export const checkRegularFile = async (path: FsPath): Promise<Stats> => {
  const s = await stat(path);
  const reason = notRegularFileReason(s);
  if (reason) throw new NotRegularFileError(path, reason);
  return s;
};
