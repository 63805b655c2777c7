import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { decodeAnalysis, encodeAnalysis } from '../../core/analysis/analysisCodec.js';
import type { ImageAnalysis } from '../../core/types.js';

export const defaultCacheDir = (): string =>
  join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'mespotter', 'faces');

/**
 * Faces index on disk: one small JSON file per photo content hash, under a namespace for the
 * model set and settings, so a re-run or a search for another person skips decode and detection.
 */
export class FacesCache {
  readonly #root: string;

  constructor(dir: string, namespace: string) {
    this.#root = join(dir, namespace);
  }

  #path(sha256: string): string {
    return join(this.#root, sha256.slice(0, 2), `${sha256}.json`);
  }

  async get(sha256: string): Promise<ImageAnalysis | undefined> {
    try {
      return decodeAnalysis(await readFile(this.#path(sha256), 'utf8'));
    } catch {
      return undefined;
    }
  }

  async put(sha256: string, analysis: ImageAnalysis): Promise<void> {
    const path = this.#path(sha256);
    await mkdir(dirname(path), { recursive: true });
    // Write then rename so a concurrent reader or a crash never sees half a file.
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, encodeAnalysis(analysis));
    await rename(tmp, path);
  }
}
