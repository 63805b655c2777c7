import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { decodeAnalysis, encodeAnalysis } from '../../core/analysis/analysisCodec.js';
import { analysisProblem } from '../../core/analysis/analysisProblem.js';
import { writeFileAtomic } from '../../core/fs/writeFileAtomic.js';
import { EMBEDDING_DIM } from '../../core/match/embeddingDim.js';
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

  /** A missing, unreadable or invalid entry is a miss: the photo is analysed again and the entry replaced. */
  async get(sha256: string): Promise<ImageAnalysis | undefined> {
    try {
      const analysis = decodeAnalysis(await readFile(this.#path(sha256), 'utf8'));
      return analysis && !analysisProblem(analysis, EMBEDDING_DIM) ? analysis : undefined;
    } catch {
      return undefined;
    }
  }

  async put(sha256: string, analysis: ImageAnalysis): Promise<void> {
    const path = this.#path(sha256);
    await mkdir(dirname(path), { recursive: true });
    // Write then rename so a concurrent reader or a crash never sees half a file.
    await writeFileAtomic(path, encodeAnalysis(analysis));
  }
}
