import { opendir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive } from './isProcessAlive.js';
import { isTempName, TEMP_PREFIX } from './tempName.js';

/**
 * Removes the temporaries a killed run left under `root` (never following symbolic links). Only
 * names mespotter itself makes are touched, and only those whose writing process is gone.
 * Returns how many were removed.
 */
export const removeStaleTemps = async (root: string): Promise<number> => {
  let removed = 0;
  const visit = async (dir: string): Promise<void> => {
    const handle = await opendir(dir).catch(() => undefined);
    if (!handle) return;
    for await (const entry of handle) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await visit(path);
      else if (entry.isFile() && isTempName(entry.name)) {
        const pid = Number(entry.name.slice(TEMP_PREFIX.length).split('-')[0]);
        if (pid !== process.pid && isProcessAlive(pid)) continue;
        if (
          await unlink(path).then(
            () => true,
            () => false,
          )
        )
          removed++;
      }
    }
  };
  await visit(root);
  return removed;
};
