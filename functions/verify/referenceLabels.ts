import type { FaceLabels } from '../../core/decide/FaceLabels.js';
import { iou } from '../../core/detect/boxMath.js';
import type { ImageAnalysis } from '../../core/types.js';
import type { ReferenceFace } from './EnrolledPeople.js';

/** A face box this close to a reference's box in the same photo is that reference face. */
const SAME_FACE_IOU = 0.5;

/**
 * The galleries' human labels for a photo's faces: a photo that is someone's reference photo (same
 * content hash) holds their enrolled face, which is theirs whatever the scores say ("enrolled" is
 * a human label, as in the library). Each reference claims at most one face, the best-overlapping.
 */
export const referenceLabels = (
  analysis: ImageAnalysis,
  references: readonly ReferenceFace[],
): (FaceLabels | undefined)[] => {
  const labels: (FaceLabels | undefined)[] = analysis.faces.map(() => undefined);
  for (const ref of references) {
    let best = -1;
    let bestOverlap = SAME_FACE_IOU;
    analysis.faces.forEach((f, i) => {
      const overlap = iou(f.box, ref.box);
      if (overlap >= bestOverlap && labels[i] === undefined) {
        best = i;
        bestOverlap = overlap;
      }
    });
    if (best >= 0) labels[best] = { confirmed: ref.person, rejected: new Set() };
  }
  return labels;
};
