import { readFile } from 'node:fs/promises';
import { ConfigError } from '../core/errors.js';
import { describeFsError } from '../core/fs/describeFsError.js';

/** Reads a file the user named on the command line; a missing or unreadable one is a usage error. */
export const readInputFile = async (path: string, what: string): Promise<Buffer> => {
  try {
    return await readFile(path);
  } catch (error) {
    throw new ConfigError(`cannot read the ${what} ${path}: ${describeFsError(error)}`, { cause: error });
  }
};
