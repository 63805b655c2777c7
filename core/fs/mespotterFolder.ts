import { lstat, readdir } from 'node:fs/promises';
import { LOCK_FILE } from './FolderLock.js';
import { type FsPath, joinPath } from './pathBytes.js';
import { writeFileAtomic } from './writeFileAtomic.js';

/** Marks a folder as a mespotter report folder: only a folder holding it may be written to. */
export const REPORT_MARKER = '.mespotter-report';
/** Marks a folder as a mespotter output folder (sort's OUT, cluster's --out): its copies are not photos to scan. */
export const OUTPUT_MARKER = '.mespotter-output';
/** The default report folder inside an output folder (`OUT/.mespotter`). */
export const DEFAULT_REPORT_DIR = '.mespotter';

/** Why a folder holds mespotter's own output rather than the user's photos. */
export const MespotterFolder = {
  Report: 'a mespotter report folder',
  Output: 'a mespotter output folder',
} as const;
export type MespotterFolder = (typeof MespotterFolder)[keyof typeof MespotterFolder];

/**
 * The one rule every walk applies to a folder below the one it was given: a folder holding a report
 * marker, an output marker, a run's lock, or the default report folder of an older sort (OUT/.mespotter
 * with its marker, written before output folders were marked) is mespotter's, and not scanned.
 * `names` are the folder's entries, which the walk has read already.
 */
export const mespotterFolderOf = async (
  dir: FsPath,
  names: ReadonlySet<string>,
): Promise<MespotterFolder | undefined> => {
  if (names.has(REPORT_MARKER)) return MespotterFolder.Report;
  if (names.has(OUTPUT_MARKER) || names.has(LOCK_FILE)) return MespotterFolder.Output;
  if (
    names.has(DEFAULT_REPORT_DIR) &&
    (await lstat(joinPath(joinPath(dir, DEFAULT_REPORT_DIR), REPORT_MARKER)).catch(() => undefined))
  )
    return MespotterFolder.Output;
  return undefined;
};

/** The same rule for a folder whose entries are not read yet (undefined when it cannot be read). */
export const mespotterFolderAt = async (dir: string): Promise<MespotterFolder | undefined> => {
  const names = await readdir(dir).catch(() => undefined);
  return names ? mespotterFolderOf(dir, new Set(names)) : undefined;
};

/** Marks `dir` as an output folder of mespotter, once; later walks over a folder above it skip it. */
export const markOutputFolder = async (dir: string, command: string): Promise<void> => {
  const marker = joinPath(dir, OUTPUT_MARKER) as string;
  if (await lstat(marker).catch(() => undefined)) return;
  await writeFileAtomic(
    marker,
    `${JSON.stringify({ createdBy: 'mespotter', command, createdAt: new Date().toISOString() })}\n`,
  );
};
