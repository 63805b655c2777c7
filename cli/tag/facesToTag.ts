import type { FaceDecision } from '../../core/decide/decidePhoto.js';
import type { ImageAnalysis } from '../../core/types.js';
import type { TagFace } from '../../core/xmp/writeFaceTags.js';

export interface TagSelection {
  /** The people whose faces are named (--person, or everyone enrolled). */
  searched: ReadonlySet<string>;
  /** Automatic decisions must also score at least this (--min-score); human ones always count. */
  minScore?: number;
  /** Every face that gets no name becomes an unnamed region (--unknown-regions). */
  unknownRegions: boolean;
}

/**
 * The faces of one decided photo to write into XMP (pure). A face is named when the decision core
 * gave it to a searched person: a human decision (confirmed, enrolled, imported), or an automatic
 * one, which is already above that person's threshold and, with --min-score, above that too.
 * Rejected people never get a face (the decision core never assigns them). Boxes are the engine's:
 * upright pixels of the full-resolution photo, whose size the analysis carries.
 */
export const facesToTag = (
  analysis: ImageAnalysis,
  decisions: readonly FaceDecision[],
  selection: TagSelection,
): TagFace[] => {
  const out: TagFace[] = [];
  analysis.faces.forEach((face, i) => {
    const d = decisions[i];
    const named =
      d?.person != null &&
      selection.searched.has(d.person) &&
      (d.decidedBy === 'human' || selection.minScore === undefined || d.score >= selection.minScore);
    if (!named && !selection.unknownRegions) return;
    out.push({
      name: named ? d!.person : null,
      box: face.box,
      uprightWidth: analysis.width,
      uprightHeight: analysis.height,
    });
  });
  return out;
};
