import { link, mkdir, readlink, symlink } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describeFsError } from './describeFsError.js';
import { dirnameOf, displayPath, type FsPath } from './pathBytes.js';
import { existingOutcome, PlaceOutcome, type PlaceResult } from './placeFile.js';

/** Links instead of copies: no extra space, but the "copy" is the source itself. */
export const LinkKind = { Hard: 'hard', Sym: 'sym' } as const;
export type LinkKind = (typeof LinkKind)[keyof typeof LinkKind];

/**
 * Places `destination` as a hard or symbolic link to `source`. Creating a link never replaces an
 * existing name (the system call fails with EEXIST), so this is no-clobber by construction; an
 * existing link to the same source, or a file with the same content, counts as already there.
 */
export const placeLink = async (
  kind: LinkKind,
  source: FsPath,
  destination: FsPath,
  sha256: string,
): Promise<PlaceResult> => {
  const target = typeof source === 'string' ? resolve(source) : source;
  try {
    await mkdir(dirnameOf(destination), { recursive: true });
    if (kind === LinkKind.Hard) await link(target, destination);
    else await symlink(target, destination);
    return { outcome: PlaceOutcome.Placed };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
      return { outcome: PlaceOutcome.Failed, reason: describeFsError(error) };
    if (kind === LinkKind.Sym) {
      const existing = await readlink(destination).catch(() => undefined);
      if (existing !== undefined && existing === displayPath(target))
        return { outcome: PlaceOutcome.Identical };
    }
    return (
      (await existingOutcome(destination, sha256)) ?? {
        outcome: PlaceOutcome.Failed,
        reason: 'destination vanished',
      }
    );
  }
};
