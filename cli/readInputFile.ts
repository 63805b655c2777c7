import { readFile } from 'node:fs/promises';
import { ConfigError } from '../core/errors.js';
import { describeFsError } from '../core/fs/describeFsError.js';
import { checkRegularFile, NotRegularFileError } from '../core/fs/regularFile.js';

/**
 * A file the user named on the command line, checked before it is opened: a missing, unreadable or
 * not regular one (a FIFO would hang the read, /dev/zero never ends) is a usage error.
 */
export const checkInputFile = async (path: string, what: string): Promise<void> => {
  try {
    await checkRegularFile(path);
  } catch (error) {
    const reason = error instanceof NotRegularFileError ? error.reason : describeFsError(error);
    throw new ConfigError(`cannot read the ${what} ${path}: ${reason}`, { cause: error });
  }
};

/** Reads a file the user named on the command line; a missing, unreadable or not regular one is a usage error. */
export const readInputFile = async (path: string, what: string): Promise<Buffer> => {
  await checkInputFile(path, what);
  try {
    return await readFile(path);
  } catch (error) {
    throw new ConfigError(`cannot read the ${what} ${path}: ${describeFsError(error)}`, { cause: error });
  }
};
