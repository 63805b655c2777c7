import { embeddingProblem } from '../match/checkEmbedding.js';
import type { ImageAnalysis } from '../types.js';

const finite = (...xs: number[]): boolean => xs.every(Number.isFinite);

/**
 * Why a stored analysis (faces index, a message) must not be trusted, or undefined. It parsed, but
 * a wrong-length embedding or a NaN box would fail every photo that hits it, forever; a bad entry is
 * treated as a miss and the photo analysed again.
 */
export const analysisProblem = (a: ImageAnalysis, embeddingDim: number): string | undefined => {
  if (!(a.width > 0 && a.height > 0 && finite(a.width, a.height))) return 'bad image size';
  for (const [i, f] of a.faces.entries()) {
    const { x1, y1, x2, y2 } = f.box;
    if (!finite(x1, y1, x2, y2) || x2 <= x1 || y2 <= y1) return `face ${i}: bad box`;
    if (!finite(f.score, f.roll, f.quality)) return `face ${i}: bad score`;
    if (f.points.length !== 5 || !f.points.every((p) => finite(p.x, p.y))) return `face ${i}: bad landmarks`;
    const problem = embeddingProblem(f.embedding, embeddingDim);
    if (problem) return `face ${i}: embedding ${problem}`;
  }
  return undefined;
};
