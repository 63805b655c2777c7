import type { ImageAnalysis } from '../types.js';
import { faceProblem } from './faceProblem.js';

/**
 * Why a stored analysis (faces index, a message) must not be trusted, or undefined. It parsed, but
 * a wrong-length embedding or a NaN box would fail every photo that hits it, forever; a bad entry is
 * treated as a miss and the photo analysed again.
 */
export const analysisProblem = (a: ImageAnalysis, embeddingDim: number): string | undefined => {
  if (!(a.width > 0 && a.height > 0 && Number.isFinite(a.width) && Number.isFinite(a.height)))
    return 'bad image size';
  for (const [i, f] of a.faces.entries()) {
    const problem = faceProblem(f, embeddingDim);
    if (problem) return `face ${i}: ${problem}`;
  }
  return undefined;
};
