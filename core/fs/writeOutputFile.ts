import { constants, type Stats } from 'node:fs';
import { link, lstat, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { trackTemp, untrackTemp } from './liveTempFiles.js';
import { OutputFileError, OutputFileErrorCode } from './OutputFileError.js';
import { NO_HARD_LINKS } from './placeFile.js';
import { syncFolder } from './syncFolder.js';
import { tempPathFor } from './tempName.js';

export interface OutputFileOptions {
  /** Replace a previous output of the same kind (never anything else). */
  force: boolean;
  /** Whether the first bytes of an existing regular file show it is a previous output of this kind. */
  isPrevious: (head: string) => boolean;
  /** What is written, for messages: "a library export". */
  what: string;
}

/** How much of an existing file is read to recognise a previous output. */
const HEAD_BYTES = 4096;
/** Written in chunks of about this size: one write per line would be slow on a big library. */
const CHUNK_BYTES = 1 << 20;

const kindOf = (s: Stats): string =>
  s.isSymbolicLink()
    ? 'a symbolic link'
    : s.isDirectory()
      ? 'a folder'
      : s.isFIFO()
        ? 'a FIFO'
        : s.isCharacterDevice() || s.isBlockDevice()
          ? 'a device'
          : s.isSocket()
            ? 'a socket'
            : 'not a regular file';

const lstatOrUndefined = async (path: string): Promise<Stats | undefined> => {
  try {
    return await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

/** The start of the regular file at `path`, read without following a link or blocking on a FIFO. */
const headOf = async (path: string, expected: Stats): Promise<string> => {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const s = await handle.stat();
    // Swapped for something else since the lstat: treat it as not ours.
    if (!s.isFile() || s.ino !== expected.ino || s.dev !== expected.dev) return '';
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
};

/**
 * Whether `path` may receive a new output: nothing is there, or (with `force`) a regular file that
 * is a previous output of this kind. Anything else is refused before a byte is written: a photo, a
 * symlink (never followed), a FIFO, a device, a folder. Returns what is there (undefined: nothing).
 */
export const checkOutputPath = async (path: string, o: OutputFileOptions): Promise<Stats | undefined> => {
  const existing = await lstatOrUndefined(path);
  if (!existing) return undefined;
  if (!existing.isFile())
    throw new OutputFileError(
      OutputFileErrorCode.NotReplaceable,
      `${path} is ${kindOf(existing)}; it is never replaced: choose another path`,
    );
  if (!o.force)
    throw new OutputFileError(
      OutputFileErrorCode.Exists,
      `${path} already exists; --force replaces it only if it is ${o.what}`,
    );
  if (!o.isPrevious(await headOf(path, existing)))
    throw new OutputFileError(
      OutputFileErrorCode.NotReplaceable,
      `${path} is not ${o.what}; it is left untouched: choose another path`,
    );
  return existing;
};

const sameFile = (a: Stats | undefined, b: Stats | undefined): boolean =>
  a === undefined || b === undefined ? a === b : a.ino === b.ino && a.dev === b.dev && b.isFile();

/**
 * Writes an output file (an export, a gallery) so that nothing that was not a previous output of the
 * same kind is ever lost: the path is checked with `checkOutputPath`, the content goes to a
 * temporary beside it, is fsynced, and then takes the name: by a hard link when nothing was there
 * (fails if something appeared meanwhile), by a rename over the previous output with `force`.
 * A failure or a kill leaves at most the temporary, which is removed or cleaned up by the next run.
 */
export const writeOutputFile = async (
  path: string,
  content: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
  o: OutputFileOptions,
): Promise<void> => {
  const existing = await checkOutputPath(path, o);
  const tmp = tempPathFor(path);
  trackTemp(tmp);
  try {
    // Exports and galleries hold biometric data: readable by their owner only.
    const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      let pending: Buffer[] = [];
      let size = 0;
      for await (const piece of content) {
        const b = typeof piece === 'string' ? Buffer.from(piece) : Buffer.from(piece);
        pending.push(b);
        size += b.byteLength;
        if (size >= CHUNK_BYTES) {
          await handle.writeFile(Buffer.concat(pending));
          pending = [];
          size = 0;
        }
      }
      if (pending.length) await handle.writeFile(Buffer.concat(pending));
      await handle.sync();
    } finally {
      await handle.close();
    }
    // Whatever is there now must still be what was checked (nothing, or the same previous output).
    const now = await lstatOrUndefined(path);
    if (!sameFile(existing, now)) await checkOutputPath(path, { ...o, force: false });
    if (existing) await rename(tmp, path);
    else {
      try {
        await link(tmp, path);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? '';
        if (code === 'EEXIST') await checkOutputPath(path, { ...o, force: false });
        if (!NO_HARD_LINKS.has(code)) throw error;
        // No hard links on this file system: check again right before the rename, which replaces.
        if (await lstatOrUndefined(path)) await checkOutputPath(path, { ...o, force: false });
        await rename(tmp, path);
      }
    }
    await syncFolder(dirname(path));
  } finally {
    await unlink(tmp).catch(() => undefined);
    untrackTemp(tmp);
  }
};
