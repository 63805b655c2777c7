import { constants } from 'node:fs';
import { link, lstat, mkdir, open, rename, unlink, utimes } from 'node:fs/promises';
import { describeFsError } from './describeFsError.js';
import { fileSha256 } from './fileSha256.js';
import { trackTemp, untrackTemp } from './liveTempFiles.js';
import { dirnameOf, type FsPath } from './pathBytes.js';
import { syncFolder } from './syncFolder.js';
import { tempPathFor } from './tempName.js';

/** What happened when a file was placed at its destination. */
export const PlaceOutcome = {
  Placed: 'placed',
  /** A file with the same content is already there. */
  Identical: 'identical',
  /** A different file is there; it is left untouched. */
  Conflict: 'conflict',
  Failed: 'failed',
} as const;
export type PlaceOutcome = (typeof PlaceOutcome)[keyof typeof PlaceOutcome];

export interface PlaceResult {
  outcome: PlaceOutcome;
  reason?: string;
}

export interface PlaceOptions {
  /** sha256 of `bytes`: the content the destination must end up holding. */
  sha256: string;
  /** Times to give the new file (albums sort by the photo's own time). */
  atime?: Date;
  mtime?: Date;
}

/** Link errors that mean "this file system has no hard links", not "the destination exists". */
export const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOSYS', 'EMLINK']);

/** What is already at `destination`, if anything: the same content, or a conflict. */
export const existingOutcome = async (
  destination: FsPath,
  sha256: string,
): Promise<PlaceResult | undefined> =>
  (await lstat(destination).catch(() => undefined)) ? compareExisting(destination, sha256) : undefined;

const compareExisting = async (destination: FsPath, sha256: string): Promise<PlaceResult> => {
  const existing = await fileSha256(destination).catch(() => undefined);
  return existing === sha256
    ? { outcome: PlaceOutcome.Identical }
    : {
        outcome: PlaceOutcome.Conflict,
        reason: 'a different file already exists at the destination; left untouched',
      };
};

/**
 * Writes `bytes` to `destination` without ever replacing a file: the bytes go to a temporary in the
 * destination's folder, are fsynced, and are then hard-linked to the final name, which fails if
 * anything is already there (no-clobber). A kill at any point leaves at most the temporary, which
 * the next run removes (`removeStaleTemps`), never a partial file under the final name. Writing the
 * analysed bytes (not re-reading the source) means the copy always matches its result line's sha256.
 */
export const placeFile = async (
  destination: FsPath,
  bytes: Uint8Array,
  options: PlaceOptions,
): Promise<PlaceResult> => {
  const existing = await existingOutcome(destination, options.sha256);
  if (existing) return existing;
  const tmp = tempPathFor(destination);
  try {
    await mkdir(dirnameOf(destination), { recursive: true });
    trackTemp(tmp);
    const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.mtime) await utimes(tmp, options.atime ?? options.mtime, options.mtime);
    try {
      await link(tmp, destination);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (code === 'EEXIST') return compareExisting(destination, options.sha256);
      if (!NO_HARD_LINKS.has(code)) throw error;
      // No hard links here (some network and FAT file systems): rename is atomic but replaces, so
      // check first; the lock on the output folder keeps other mespotter runs out of the gap.
      if (await lstat(destination).catch(() => undefined))
        return compareExisting(destination, options.sha256);
      await rename(tmp, destination);
    }
    await syncFolder(dirnameOf(destination));
    return { outcome: PlaceOutcome.Placed };
  } catch (error) {
    return { outcome: PlaceOutcome.Failed, reason: describeFsError(error) };
  } finally {
    await unlink(tmp).catch(() => undefined);
    untrackTemp(tmp);
  }
};
