import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FsPath } from './pathBytes.js';

/** Makes a new directory entry durable; some file systems refuse fsync on a folder, which is fine. */
export const syncFolder = async (dir: FsPath): Promise<void> => {
  const handle = await open(dir, constants.O_RDONLY).catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close();
};
