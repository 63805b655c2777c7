import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';

export interface LibraryLocation {
  path: string;
  /** The default location: its folder is mespotter's own, created when missing. */
  isDefault: boolean;
}

/**
 * Where the library lives: --library, else $MESPOTTER_LIBRARY, else the XDG data home
 * (~/.local/share/mespotter/library.db). An empty --library is a mistake, not "the default".
 */
export const resolveLibrary = (flag?: string, env: NodeJS.ProcessEnv = process.env): LibraryLocation => {
  if (flag !== undefined) {
    if (flag.trim() === '') throw new ConfigError('--library is empty: give the path of a library file');
    return { path: resolve(flag), isDefault: false };
  }
  if (env['MESPOTTER_LIBRARY']) return { path: resolve(env['MESPOTTER_LIBRARY']), isDefault: false };
  const dataHome = env['XDG_DATA_HOME'] || join(homedir(), '.local', 'share');
  return { path: join(dataHome, 'mespotter', 'library.db'), isDefault: true };
};
