import { iou } from '../../core/detect/boxMath.js';
import type { Box } from '../../core/types.js';

/**
 * Overlap at which a tagged region and a detected face are the same face. Lower than the 0.5 used
 * between regions: other programs frame a face their own way (digiKam's and Picasa's boxes are
 * looser than the detector's, by up to ~1.5x a side, which is an IoU of ~0.44), while two
 * neighbouring faces in a group photo overlap far less than this.
 */
export const REGION_FACE_IOU = 0.3;

/**
 * One-to-one matching of tagged regions to detected faces, highest overlap first (pure). Returns,
 * for each region, the index of its face or null. Both in the same frame (upright pixels).
 */
export const matchBoxes = (
  regions: readonly Box[],
  faces: readonly Box[],
  minIou: number = REGION_FACE_IOU,
): (number | null)[] => {
  const pairs: { r: number; f: number; overlap: number }[] = [];
  regions.forEach((region, r) => {
    faces.forEach((face, f) => {
      const overlap = iou(region, face);
      if (overlap >= minIou) pairs.push({ r, f, overlap });
    });
  });
  // Ties keep the earlier region and face, so the result is deterministic.
  pairs.sort((a, b) => b.overlap - a.overlap || a.r - b.r || a.f - b.f);
  const out: (number | null)[] = regions.map(() => null);
  const taken = new Set<number>();
  for (const p of pairs) {
    if (out[p.r] !== null || taken.has(p.f)) continue;
    out[p.r] = p.f;
    taken.add(p.f);
  }
  return out;
};
