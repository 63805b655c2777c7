import { posix } from 'node:path';
import type { FsPath } from './pathBytes.js';

// latin1 maps each byte to one character and back, so a non-UTF-8 name keeps its '/' and '.' bytes.
const asText = (p: FsPath): string => (typeof p === 'string' ? p : p.toString('latin1'));

/**
 * True when `path` is `root` or below it once `.` and `..` are resolved (textually: a symlink is the
 * copy's own business). Every path built from a name that is not ours (a person's, a cluster's) is
 * checked with this before anything is written there.
 */
export const isPathInside = (path: FsPath, root: FsPath): boolean => {
  const rel = posix.relative(posix.resolve(asText(root)), posix.resolve(asText(path)));
  return rel === '' || (rel !== '..' && !rel.startsWith('../') && !posix.isAbsolute(rel));
};
