import { embeddingProblem } from '../match/checkEmbedding.js';
import type { Face } from '../types.js';

const finite = (...xs: number[]): boolean => xs.every(Number.isFinite);

/** Why one stored face cannot be compared (box, scores, landmarks, embedding, descriptor), or undefined. */
export const faceProblem = (f: Face, embeddingDim: number): string | undefined => {
  const { x1, y1, x2, y2 } = f.box;
  if (!finite(x1, y1, x2, y2) || x2 <= x1 || y2 <= y1) return 'bad box';
  if (!finite(f.score, f.roll, f.quality)) return 'bad score';
  if (f.points.length !== 5 || !f.points.every((p) => finite(p.x, p.y))) return 'bad landmarks';
  const problem = embeddingProblem(f.embedding, embeddingDim);
  if (problem) return `embedding ${problem}`;
  const descriptor = f.descriptor ? embeddingProblem(f.descriptor) : undefined;
  if (descriptor) return `descriptor ${descriptor}`;
  return undefined;
};
