import { readFile, stat } from 'node:fs/promises';
import type { LibraryAnalysis } from '../../core/library/analyzeIntoLibrary.js';
import { isHumanKind } from '../../core/library/LabelKind.js';
import type { Library } from '../../core/library/Library.js';
import { sha256Hex } from '../../core/models/manifest.js';
import { type FileAt, seenPathOf } from '../photos/analyseFile.js';

/**
 * After `tag --in-place` rewrote a photo's XMP, its bytes (so its sha256, by which the library
 * knows photos) changed, but its pixels did not: writeFaceTags proved the image data identical
 * (exiftool's ImageDataHash) and the orientation unchanged. So the photo keeps its identity: its
 * row takes the new hash and the path its new size and time, and its faces, labels and the actions
 * that name them stay as they are (a re-run neither analyses it again nor finds its references twice).
 *
 * Only when the old bytes are still somewhere else (an identical copy at another path) or the new
 * bytes are known already do the two contents need two rows: the new one gets the analysis, and the
 * human labels only if the old row is left with no path (otherwise the copy keeps them, once).
 */
export const carryAnalysis = async (
  library: Library,
  ns: string,
  file: FileAt,
  before: LibraryAnalysis,
): Promise<void> => {
  const [bytes, s] = await Promise.all([readFile(file.path), stat(file.path)]);
  const sha256 = sha256Hex(bytes);
  if (sha256 === before.sha256) return;
  const seen = seenPathOf(file, s);
  library.transaction(() => {
    const elsewhere = library
      .pathsOf(before.photoId)
      .some((p) => p.missingSince === null && !(p.root === file.root && p.rel === file.rel));
    if (!elsewhere && library.changeContent(before.photoId, { sha256, size: bytes.byteLength })) {
      library.recordPath(before.photoId, seen);
      return;
    }
    const takenAt = library.photoBySha(before.sha256)?.takenAt ?? undefined;
    const saved = library.saveAnalysis({ sha256, size: bytes.byteLength, takenAt }, ns, before.analysis);
    if (!elsewhere) {
      const byOldId = new Map(before.faces.map((f, i) => [f.id, saved.faces[i]!]));
      const labels = library
        .labelsOfFaces(before.faces.map((f) => f.id))
        .filter((l) => isHumanKind(l.kind))
        .reverse();
      for (const l of labels) {
        const face = byOldId.get(l.faceId);
        if (face) library.setLabel(face.id, l.personId, l.kind, { score: l.score, source: l.source });
      }
    }
    library.recordPath(saved.photoId, seen);
  });
};
