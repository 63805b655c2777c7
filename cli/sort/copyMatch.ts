import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { copyFile, mkdir, stat, utimes } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CopyOutcome } from '../../core/report/resultLine.js';

const fileSha256 = async (path: string): Promise<string> => {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
};

/**
 * Copies a matched photo without ever replacing a different file: COPYFILE_EXCL makes the
 * create atomic, an identical existing file counts as already present (re-runs are idempotent),
 * and a different one is a conflict left for the user.
 */
export const copyMatch = async (
  source: string,
  destination: string,
  sourceSha256: string,
  dryRun: boolean,
): Promise<{ outcome: CopyOutcome; reason?: string }> => {
  const existing = await stat(destination).catch(() => undefined);
  if (existing) return sameOrConflict(destination, sourceSha256);
  if (dryRun) return { outcome: CopyOutcome.DryRun };
  try {
    await mkdir(dirname(destination), { recursive: true });
    await copyFile(source, destination, constants.COPYFILE_EXCL);
    // Keep the photo's own time: albums sort by it.
    const s = await stat(source);
    await utimes(destination, s.atime, s.mtime);
    return { outcome: CopyOutcome.Copied };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return sameOrConflict(destination, sourceSha256);
    return { outcome: CopyOutcome.Failed, reason: (error as Error).message };
  }
};

const sameOrConflict = async (
  destination: string,
  sourceSha256: string,
): Promise<{ outcome: CopyOutcome; reason?: string }> => {
  const existingSha = await fileSha256(destination).catch(() => undefined);
  return existingSha === sourceSha256
    ? { outcome: CopyOutcome.AlreadyPresent }
    : {
        outcome: CopyOutcome.Conflict,
        reason: 'a different file already exists at the destination; left untouched',
      };
};
