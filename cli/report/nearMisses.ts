import type { FaceResult } from '../../core/report/resultLine.js';

/** Scores are shown with 2 decimals; this keeps `threshold - margin` float noise from dropping a boundary case. */
const SCORE_EPSILON = 1e-9;

/** Why one photo is worth a second look for one person. */
export interface NearMiss {
  /** The best of `faces`' scores. */
  score: number;
  /** Indexes of the unknown faces that nearly were the person. */
  faces: number[];
}

/**
 * The people a photo nearly had (pure): for each searched person not in the photo, its unknown
 * faces whose best person is them with a score at most `margin` under their threshold. Faces at or
 * above the threshold are included too: they were left unknown because the runner-up person was
 * too close (the margin rule), which is exactly what a reviewer should see.
 */
export const nearMisses = (
  faces: readonly FaceResult[],
  thresholds: ReadonlyMap<string, number>,
  margin: number,
): Map<string, NearMiss> => {
  const present = new Set(faces.map((f) => f.person).filter((p): p is string => p !== null));
  const found = new Map<string, NearMiss>();
  for (const [i, f] of faces.entries()) {
    if (f.person !== null || f.best === undefined || f.score === undefined || present.has(f.best)) continue;
    const threshold = thresholds.get(f.best);
    if (threshold === undefined || !Number.isFinite(f.score)) continue;
    if (f.score < threshold - margin - SCORE_EPSILON) continue;
    const seen = found.get(f.best);
    if (seen) {
      seen.faces.push(i);
      seen.score = Math.max(seen.score, f.score);
    } else {
      found.set(f.best, { score: f.score, faces: [i] });
    }
  }
  return found;
};
