import { displayPath, type FsPath } from '../../core/fs/pathBytes.js';
import { existingOutcome, type PlaceOutcome, placeFile } from '../../core/fs/placeFile.js';
import { type LinkKind, placeLink } from '../../core/fs/placeLink.js';
import { CopyOutcome } from '../../core/report/resultLine.js';

const OUTCOME: Record<PlaceOutcome, CopyOutcome> = {
  placed: CopyOutcome.Copied,
  identical: CopyOutcome.AlreadyPresent,
  conflict: CopyOutcome.Conflict,
  failed: CopyOutcome.Failed,
};

export interface CopyMatchOptions {
  sha256: string;
  mtime?: Date;
  atime?: Date;
  dryRun: boolean;
  /** Link to the source instead of copying (--link hard|sym). */
  link?: LinkKind;
  /** The source, for links. */
  source?: FsPath;
}

/**
 * Copies a matched photo's analysed bytes to `destination` without ever replacing a file (see
 * placeFile), or links it: an identical file already there counts as already present, so re-runs
 * are idempotent, and a different one is a conflict left for the user. A dry run only looks.
 */
export const copyMatch = async (
  bytes: Uint8Array,
  destination: FsPath,
  o: CopyMatchOptions,
): Promise<{ outcome: CopyOutcome; destination: string; reason?: string }> => {
  const placed = o.dryRun
    ? await existingOutcome(destination, o.sha256)
    : o.link && o.source
      ? await placeLink(o.link, o.source, destination, o.sha256)
      : await placeFile(destination, bytes, { sha256: o.sha256, mtime: o.mtime, atime: o.atime });
  return {
    outcome: placed ? OUTCOME[placed.outcome] : CopyOutcome.DryRun,
    destination: displayPath(destination),
    ...(placed?.reason ? { reason: placed.reason } : {}),
  };
};
