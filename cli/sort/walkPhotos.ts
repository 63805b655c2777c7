import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { ImageErrorCode } from '../../core/errors.js';
import { mespotterFolderOf } from '../../core/fs/mespotterFolder.js';
import { displayPath, type FsPath, isUtf8, joinPath } from '../../core/fs/pathBytes.js';
import { isTempName } from '../../core/fs/tempName.js';
import { PHOTO_EXTENSIONS } from '../../core/photoExtensions.js';

export { PHOTO_EXTENSIONS };

/**
 * `rel` is the path relative to the root as text (posix separators). When a name is not valid
 * UTF-8, `rel` shows the bad bytes as U+FFFD and `rawRel` holds the exact bytes; `path` (absolute)
 * is then a Buffer so the file can still be opened, analysed and copied under its real name.
 */
export type WalkEntry =
  | { kind: 'photo'; path: FsPath; rel: string; rawRel?: Buffer }
  | { kind: 'skipped'; rel: string; rawRel?: Buffer; reason: string }
  | { kind: 'error'; rel: string; rawRel?: Buffer; code: string; reason: string };

interface Rel {
  text: string;
  /** Present once any segment on the way down is not valid UTF-8. */
  raw?: Buffer;
}

const childRel = (parent: Rel | undefined, name: Buffer): Rel => {
  const text = parent ? `${parent.text}/${name.toString('utf8')}` : name.toString('utf8');
  if (!parent?.raw && isUtf8(name)) return { text };
  const raw = parent ? Buffer.concat([parent.raw ?? Buffer.from(parent.text), Buffer.from('/'), name]) : name;
  return { text, raw };
};

const relFields = (rel: Rel): { rel: string; rawRel?: Buffer } =>
  rel.raw ? { rel: rel.text, rawRel: rel.raw } : { rel: rel.text };

/**
 * Recursively lists a folder in a stable (sorted by bytes) order. Names are read as bytes, so a file
 * whose name is not UTF-8 is listed like any other. Symlinks are followed, but a link back to a
 * folder on the current path is reported as a loop and a folder reached twice is scanned once.
 * `exclude` keeps the output and report folders out when they sit inside the input. Below the root,
 * mespotter's own folders (reports, outputs: see mespotterFolderOf) are one `skipped` entry each and
 * are not entered, and mespotter's temporary files are `skipped`, never photos.
 */
export async function* walkPhotos(root: string, exclude: readonly string[] = []): AsyncGenerator<WalkEntry> {
  const excluded = new Set(await Promise.all(exclude.map((p) => realpath(p).catch(() => p))));
  const seen = new Set<string>();
  const rootReal = await realpath(root);
  seen.add(rootReal);
  yield* walkDir(root, undefined, [rootReal], seen, excluded);
}

async function* walkDir(
  dir: FsPath,
  dirRel: Rel | undefined,
  ancestors: string[],
  seen: Set<string>,
  excluded: Set<string>,
): AsyncGenerator<WalkEntry> {
  let entries: Dirent<Buffer>[];
  try {
    entries = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
  } catch (error) {
    yield {
      kind: 'error',
      ...relFields(dirRel ?? { text: '' }),
      code: ImageErrorCode.Unreadable,
      reason: describe(error),
    };
    return;
  }
  if (dirRel) {
    const mine = await mespotterFolderOf(dir, new Set(entries.map((e) => e.name.toString('utf8'))));
    if (mine) {
      yield { kind: 'skipped', ...relFields(dirRel), reason: `${mine}, not scanned` };
      return;
    }
  }
  entries.sort((a, b) => Buffer.compare(a.name, b.name));
  for (const entry of entries) {
    const rel = childRel(dirRel, entry.name);
    const path =
      typeof dir === 'string' && !rel.raw
        ? joinPath(dir, entry.name.toString('utf8'))
        : joinPath(dir, entry.name);
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      try {
        const s = await stat(path);
        isDir = s.isDirectory();
        isFile = s.isFile();
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        yield code === 'ELOOP'
          ? {
              kind: 'error',
              ...relFields(rel),
              code: ImageErrorCode.SymlinkLoop,
              reason: 'symbolic link loop',
            }
          : {
              kind: 'error',
              ...relFields(rel),
              code: ImageErrorCode.Unreadable,
              reason: `broken symbolic link: ${describe(error)}`,
            };
        continue;
      }
    }
    if (isDir) {
      let real: string;
      try {
        // Real paths are only compared with each other, so a lossy text form is fine here.
        real = displayPath(await realpath(path, { encoding: 'buffer' }));
      } catch (error) {
        yield { kind: 'error', ...relFields(rel), code: ImageErrorCode.Unreadable, reason: describe(error) };
        continue;
      }
      if (excluded.has(real)) continue;
      if (ancestors.includes(real)) {
        yield {
          kind: 'error',
          ...relFields(rel),
          code: ImageErrorCode.SymlinkLoop,
          reason: 'symbolic link loops back to a folder above it',
        };
        continue;
      }
      if (seen.has(real)) {
        yield { kind: 'skipped', ...relFields(rel), reason: 'folder already scanned through another path' };
        continue;
      }
      seen.add(real);
      yield* walkDir(path, rel, [...ancestors, real], seen, excluded);
    } else if (isFile) {
      if (isTempName(rel.text))
        yield { kind: 'skipped', ...relFields(rel), reason: 'a mespotter temporary file' };
      else if (PHOTO_EXTENSIONS.has(extname(rel.text).toLowerCase()))
        yield { kind: 'photo', path, ...relFields(rel) };
      else yield { kind: 'skipped', ...relFields(rel), reason: 'not a photo file extension' };
    } else {
      yield { kind: 'skipped', ...relFields(rel), reason: 'not a regular file' };
    }
  }
}

const describe = (error: unknown): string =>
  error instanceof Error ? error.message.replace(/^[A-Z]+: /, '') : String(error);
