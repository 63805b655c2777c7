import { readFile } from 'node:fs/promises';
import { analyzeIntoLibrary } from '../../core/library/analyzeIntoLibrary.js';
import type { Library } from '../../core/library/Library.js';
import { sha256Hex } from '../../core/models/manifest.js';
import type { PhotoAnalyzer } from '../../core/runtime/PhotoAnalyzer.js';
import { engineNamespace } from '../engineOptions.js';

/**
 * After the models or the analysis code changed, people's references (and every human label) sit
 * on analyses from the old namespace, which cannot be compared with new faces. This re-analyses
 * those photos from any path they are still at (when the content is unchanged), which moves each
 * label to the matching new face. Returns the photos it could not find, for a warning.
 */
export const refreshStaleReferences = async (
  library: Library,
  engine: PhotoAnalyzer,
): Promise<{ refreshed: number; missing: string[] }> => {
  const ns = engineNamespace(engine);
  let refreshed = 0;
  const missing: string[] = [];
  for (const stale of library.photosWithStaleReferences(ns)) {
    let done = false;
    for (const p of library.pathsOf(stale.photoId)) {
      const path = p.rawRel ? Buffer.concat([Buffer.from(`${p.root}/`), p.rawRel]) : `${p.root}/${p.rel}`;
      const bytes = await readFile(path).catch(() => undefined);
      if (!bytes || sha256Hex(bytes) !== stale.sha256) continue;
      await analyzeIntoLibrary(engine, library, ns, bytes, { reuse: false });
      refreshed++;
      done = true;
      break;
    }
    if (!done) missing.push(library.pathsOf(stale.photoId)[0]?.rel ?? stale.sha256);
  }
  return { refreshed, missing };
};
