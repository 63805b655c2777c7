import { XmpError, XmpErrorCode } from '../../core/errors.js';
import type { FsPath } from '../../core/fs/pathBytes.js';

/**
 * A path exiftool can be given. exiftool-vendored passes file names as UTF-8 text lines, so a name
 * whose bytes are not UTF-8 (which the rest of mespotter handles as bytes) cannot be tagged or read.
 */
export const exiftoolPath = (path: FsPath): string => {
  if (typeof path === 'string') return path;
  throw new XmpError(
    XmpErrorCode.PhotoUnreadable,
    'the file name is not valid UTF-8, which exiftool cannot be given; rename the file to tag it',
  );
};
