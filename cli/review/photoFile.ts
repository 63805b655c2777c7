import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type FsPath, joinPath } from '../../core/fs/pathBytes.js';
import type { Library } from '../../core/library/Library.js';
import { sha256Hex } from '../../core/models/manifest.js';

export type PhotoFile =
  | { state: 'present'; file: FsPath; shown: string; bytes: Uint8Array }
  /** Every known path is gone (moved or deleted) or holds other content now. */
  | { state: 'missing'; shown: string | null; reason: string };

/**
 * The photo's bytes from the first known path that still holds the same content (checked by
 * hash, so a file replaced since indexing is never shown under old faces). A photo that moved or
 * vanished is a state the page shows, not an error.
 */
export const readPhotoFile = async (
  library: Library,
  photoId: number,
  sha256: string,
): Promise<PhotoFile> => {
  const paths = library.pathsOf(photoId);
  if (paths.length === 0) return { state: 'missing', shown: null, reason: 'no path is known for this photo' };
  let changed = false;
  for (const p of paths) {
    const file = p.rawRel ? joinPath(p.root, p.rawRel) : join(p.root, p.rel);
    const s = await stat(file).catch(() => undefined);
    if (!s?.isFile()) continue;
    const bytes = await readFile(file).catch(() => undefined);
    if (!bytes) continue;
    if (sha256Hex(bytes) !== sha256) {
      changed = true;
      continue;
    }
    return { state: 'present', file, shown: join(p.root, p.rel), bytes };
  }
  const first = paths[0]!;
  return {
    state: 'missing',
    shown: join(first.root, first.rel),
    reason: changed
      ? 'the file at its path holds a different photo now (edited or replaced)'
      : `not found at ${paths.length === 1 ? 'its path' : `any of its ${paths.length} paths`} (moved or deleted)`,
  };
};
