import { sha256Hex } from '../models/manifest.js';
import type { PhotoAnalyzer } from '../runtime/PhotoAnalyzer.js';
import type { ImageAnalysis } from '../types.js';
import type { FacesIndex } from './FacesIndex.js';

export interface PhotoAnalysis {
  sha256: string;
  analysis: ImageAnalysis;
  cached: boolean;
}

/**
 * Analyses photo bytes once per content: the faces index is consulted first, so a re-run or a
 * search for another person costs a hash, not a decode and four model calls.
 */
export const analyzePhoto = async (
  engine: PhotoAnalyzer,
  bytes: Uint8Array,
  index?: FacesIndex,
): Promise<PhotoAnalysis> => {
  const sha256 = sha256Hex(bytes);
  const hit = await index?.get(sha256);
  if (hit) return { sha256, analysis: hit, cached: true };
  const analysis = await engine.analyze(bytes);
  // A failed cache write must not fail the photo.
  await index?.put(sha256, analysis).catch(() => undefined);
  return { sha256, analysis, cached: false };
};
