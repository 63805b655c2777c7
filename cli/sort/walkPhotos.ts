import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { ImageErrorCode } from '../../core/errors.js';
import { PHOTO_EXTENSIONS } from '../../core/photoExtensions.js';

export { PHOTO_EXTENSIONS };

export type WalkEntry =
  | { kind: 'photo'; path: string; rel: string }
  | { kind: 'skipped'; rel: string; reason: string }
  | { kind: 'error'; rel: string; code: string; reason: string };

const posixRel = (root: string, p: string): string => relative(root, p).split(sep).join('/');

/**
 * Recursively lists a folder in a stable (sorted) order. Symlinks are followed, but a link back
 * to a folder on the current path is reported as a loop and a folder reached twice is scanned
 * once. `exclude` keeps the output and report folders out when they sit inside the input.
 */
export async function* walkPhotos(root: string, exclude: readonly string[] = []): AsyncGenerator<WalkEntry> {
  const excluded = new Set(await Promise.all(exclude.map((p) => realpath(p).catch(() => p))));
  const seen = new Set<string>();
  const rootReal = await realpath(root);
  seen.add(rootReal);
  yield* walkDir(root, root, [rootReal], seen, excluded);
}

async function* walkDir(
  root: string,
  dir: string,
  ancestors: string[],
  seen: Set<string>,
  excluded: Set<string>,
): AsyncGenerator<WalkEntry> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    yield {
      kind: 'error',
      rel: posixRel(root, dir),
      code: ImageErrorCode.Unreadable,
      reason: describe(error),
    };
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    const rel = posixRel(root, path);
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
          ? { kind: 'error', rel, code: ImageErrorCode.SymlinkLoop, reason: 'symbolic link loop' }
          : {
              kind: 'error',
              rel,
              code: ImageErrorCode.Unreadable,
              reason: `broken symbolic link: ${describe(error)}`,
            };
        continue;
      }
    }
    if (isDir) {
      let real: string;
      try {
        real = await realpath(path);
      } catch (error) {
        yield { kind: 'error', rel, code: ImageErrorCode.Unreadable, reason: describe(error) };
        continue;
      }
      if (excluded.has(real)) continue;
      if (ancestors.includes(real)) {
        yield {
          kind: 'error',
          rel,
          code: ImageErrorCode.SymlinkLoop,
          reason: 'symbolic link loops back to a folder above it',
        };
        continue;
      }
      if (seen.has(real)) {
        yield { kind: 'skipped', rel, reason: 'folder already scanned through another path' };
        continue;
      }
      seen.add(real);
      yield* walkDir(root, path, [...ancestors, real], seen, excluded);
    } else if (isFile) {
      if (PHOTO_EXTENSIONS.has(extname(entry.name).toLowerCase())) yield { kind: 'photo', path, rel };
      else yield { kind: 'skipped', rel, reason: 'not a photo file extension' };
    } else {
      yield { kind: 'skipped', rel, reason: 'not a regular file' };
    }
  }
}

const describe = (error: unknown): string =>
  error instanceof Error ? error.message.replace(/^[A-Z]+: /, '') : String(error);
