import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Where the library lives: --library, else $MESPOTTER_LIBRARY, else the XDG data home
 * (~/.local/share/mespotter/library.db).
 */
export const resolveLibraryPath = (flag?: string, env: NodeJS.ProcessEnv = process.env): string => {
  if (flag) return resolve(flag);
  if (env['MESPOTTER_LIBRARY']) return resolve(env['MESPOTTER_LIBRARY']);
  const dataHome = env['XDG_DATA_HOME'] || join(homedir(), '.local', 'share');
  return join(dataHome, 'mespotter', 'library.db');
};
