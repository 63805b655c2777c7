/**
 * File-system steps that keep every file whole: permission checks that respect read-only modes even
 * for root, temp names in the target's own folder, and renames that either replace a file we saw
 * (unchanged since) or create one that did not exist (never clobbering a newcomer).
 */
import type { Stats } from 'node:fs';
import { constants } from 'node:fs';
import { access, chmod, chown, copyFile, link, lstat, open, rename, stat, unlink } from 'node:fs/promises';
import { XmpError, XmpErrorCode } from '../errors.js';
import { tempPathFor } from '../fs/tempName.js';

/**
 * A temporary next to the target: hidden, unique, short whatever the target is called (a 255-byte
 * photo name still fits), and named so a later run can remove it if this one is killed.
 */
export const tempSibling = (target: string, suffix: string): string => tempPathFor(target, suffix);

export const statOrNull = async (path: string): Promise<Stats | null> => {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
};

/** Read-only by its mode bits (root could write anyway, but a user who cleared them meant it). */
const noWriteBits = (s: Stats): boolean => (s.mode & 0o222) === 0;

export const assertWritableFile = async (path: string, s: Stats, what: string): Promise<void> => {
  if (noWriteBits(s)) throw new XmpError(XmpErrorCode.ReadOnly, `${what} is read-only: ${path}`);
  try {
    await access(path, constants.W_OK);
  } catch (error) {
    throw new XmpError(XmpErrorCode.ReadOnly, `${what} is not writable: ${path}`, { cause: error });
  }
};

export const assertWritableFolder = async (folder: string): Promise<void> => {
  let s: Stats;
  try {
    s = await stat(folder);
  } catch (error) {
    throw new XmpError(XmpErrorCode.ReadOnly, `folder not accessible: ${folder}`, { cause: error });
  }
  if (noWriteBits(s)) throw new XmpError(XmpErrorCode.ReadOnly, `folder is read-only: ${folder}`);
  try {
    await access(folder, constants.W_OK);
  } catch (error) {
    throw new XmpError(XmpErrorCode.ReadOnly, `folder is not writable: ${folder}`, { cause: error });
  }
};

/** True when the file at path is still the one described by `before` (same inode, size, mtime). */
export const unchangedSince = (before: Stats, now: Stats | null): boolean =>
  now !== null &&
  now.ino === before.ino &&
  now.dev === before.dev &&
  now.size === before.size &&
  now.mtimeMs === before.mtimeMs;

const fsyncFile = async (path: string): Promise<void> => {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
};

/** Gives the temp file the replaced file's mode (and owner, when we may). */
export const copyOwnership = async (temp: string, like: Stats): Promise<void> => {
  await chmod(temp, like.mode & 0o7777);
  if (process.getuid?.() === 0) await chown(temp, like.uid, like.gid).catch(() => undefined);
};

/**
 * Moves temp onto target. With `expect`, target must still be that file; without, target must not
 * exist (a hard link fails rather than overwrite; rename is the fallback where links are not
 * supported). Either way the target is the old file or the new one, never a mix.
 */
export const commitTemp = async (temp: string, target: string, expect: Stats | null): Promise<void> => {
  await fsyncFile(temp);
  if (expect) {
    if (!unchangedSince(expect, await statOrNull(target))) {
      throw new XmpError(
        XmpErrorCode.ChangedDuringWrite,
        `changed by something else while tagging: ${target}`,
      );
    }
    await rename(temp, target);
    return;
  }
  try {
    await link(temp, target);
    await unlink(temp);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new XmpError(
        XmpErrorCode.ChangedDuringWrite,
        `created by something else while tagging: ${target}`,
      );
    }
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
    if (await statOrNull(target)) {
      throw new XmpError(
        XmpErrorCode.ChangedDuringWrite,
        `created by something else while tagging: ${target}`,
      );
    }
    await rename(temp, target);
  }
};

/**
 * Keeps a byte-exact copy of `file` as `backup` unless one is already there (the oldest copy is the
 * one worth keeping). A hard link costs nothing and is the old bytes once the photo is replaced.
 */
export const keepBackup = async (file: string, backup: string): Promise<boolean> => {
  if (await lstat(backup).catch(() => null)) return false;
  try {
    await link(file, backup);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
  }
  const temp = tempSibling(backup, '');
  await copyFile(file, temp, constants.COPYFILE_EXCL);
  try {
    await commitTemp(temp, backup, null);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  return true;
};

export const removeQuietly = async (path: string): Promise<void> => {
  for (const p of [path, `${path}_exiftool_tmp`]) await unlink(p).catch(() => undefined);
};
