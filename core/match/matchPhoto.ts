import type { FaceResult } from '../report/resultLine.js';
import { PhotoStatus } from '../report/resultLine.js';
import type { ImageAnalysis } from '../types.js';
import { bestMatch, type Gallery, scoreFace } from './gallery.js';

export interface PhotoDecision {
  status: typeof PhotoStatus.Matched | typeof PhotoStatus.NoMatch | typeof PhotoStatus.NoFace;
  faces: FaceResult[];
  bestScore?: number;
  /** Index into `faces` of the face taken as the person, or -1. */
  matchIndex: number;
}

/** Scores every face against the person and decides the photo (pure). */
export const matchPhoto = (
  analysis: ImageAnalysis,
  gallery: Pick<Gallery, 'centroid'>,
  threshold: number,
): PhotoDecision => {
  if (analysis.faces.length === 0) return { status: PhotoStatus.NoFace, faces: [], matchIndex: -1 };
  const scores = analysis.faces.map((f) => scoreFace(gallery, f.embedding));
  const best = bestMatch(scores, threshold);
  const faces = analysis.faces.map((f, i) => ({
    box: f.box,
    detScore: f.score,
    quality: f.quality,
    score: scores[i]!,
    match: i === best.index,
  }));
  return {
    status: best.index >= 0 ? PhotoStatus.Matched : PhotoStatus.NoMatch,
    faces,
    bestScore: best.score,
    matchIndex: best.index,
  };
};
