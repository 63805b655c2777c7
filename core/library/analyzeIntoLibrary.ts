import { analysisProblem } from '../analysis/analysisProblem.js';
import { readCaptureTime } from '../image/decode.js';
import { EMBEDDING_DIM } from '../match/embeddingDim.js';
import { sha256Hex } from '../models/manifest.js';
import type { PhotoAnalyzer } from '../runtime/PhotoAnalyzer.js';
import type { ImageAnalysis } from '../types.js';
import type { Library, StoredFace } from './Library.js';

export interface LibraryAnalysis {
  sha256: string;
  photoId: number;
  analysis: ImageAnalysis;
  /** The analysis's faces with their library ids (same order as `analysis.faces`). */
  faces: StoredFace[];
  /** Taken from the library rather than the engine. */
  cached: boolean;
}

/**
 * A photo's analysis through the library: the stored one when this content was analysed in the
 * same namespace (models, settings, code version), else the engine's, stored for next time. So a
 * re-run, or a search for someone else, costs a hash and a query, not a decode and four models.
 */
export const analyzeIntoLibrary = async (
  engine: PhotoAnalyzer,
  library: Library,
  ns: string,
  bytes: Uint8Array,
  o: { reuse: boolean } = { reuse: true },
): Promise<LibraryAnalysis> => {
  const sha256 = sha256Hex(bytes);
  if (o.reuse) {
    const hit = library.analysis(sha256, ns);
    // A stored analysis that does not validate (a bug, a hand edit) is a miss, never a permanent error.
    if (hit && !analysisProblem(hit.analysis, EMBEDDING_DIM))
      return { sha256, photoId: hit.photoId, analysis: hit.analysis, faces: hit.faces, cached: true };
  }
  const [analysis, takenAt] = await Promise.all([engine.analyze(bytes), readCaptureTime(bytes)]);
  const saved = library.saveAnalysis({ sha256, size: bytes.byteLength, takenAt }, ns, analysis);
  return { sha256, photoId: saved.photoId, analysis, faces: saved.faces, cached: false };
};
