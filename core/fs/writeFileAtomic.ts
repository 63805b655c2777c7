import { open, rename, unlink } from 'node:fs/promises';
import { trackTemp, untrackTemp } from './liveTempFiles.js';
import { tempPathFor } from './tempName.js';

/**
 * Replaces `path` with `data` so that a reader, a kill or a full disk sees either the old file or
 * the new one, never a part: write a temporary in the same folder, fsync, rename over. Only for
 * files mespotter owns (its reports, its state); photos are placed with `placeFile`, which never
 * replaces anything.
 */
export const writeFileAtomic = async (path: string, data: string | Uint8Array): Promise<void> => {
  const tmp = tempPathFor(path);
  trackTemp(tmp);
  try {
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  } finally {
    untrackTemp(tmp);
  }
};
