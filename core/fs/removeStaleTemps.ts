import { opendir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive } from './isProcessAlive.js';
import { tempOwnerPid } from './tempName.js';

/**
 * Removes the temporaries a killed run left under `root` (never following symbolic links; only in
 * `root` itself with `recursive: false`). Only names mespotter itself makes are touched, and only
 * those whose writing process is gone. Returns how many were removed.
 */
export const removeStaleTemps = async (root: string, o: { recursive?: boolean } = {}): Promise<number> => {
  let removed = 0;
  const visit = async (dir: string): Promise<void> => {
    const handle = await opendir(dir).catch(() => undefined);
    if (!handle) return;
    for await (const entry of handle) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (o.recursive !== false) await visit(path);
        continue;
      }
      const pid = entry.isFile() ? tempOwnerPid(entry.name) : undefined;
      if (pid === undefined || (pid !== process.pid && isProcessAlive(pid))) continue;
      if (
        await unlink(path).then(
          () => true,
          () => false,
        )
      )
        removed++;
    }
  };
  await visit(root);
  return removed;
};
