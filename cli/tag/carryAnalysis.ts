import { readFile, stat } from 'node:fs/promises';
import type { LibraryAnalysis } from '../../core/library/analyzeIntoLibrary.js';
import { isHumanKind } from '../../core/library/LabelKind.js';
import type { Library } from '../../core/library/Library.js';
import { sha256Hex } from '../../core/models/manifest.js';
import type { FileAt } from '../photos/analyseFile.js';

/**
 * After `tag --in-place` rewrote a photo's XMP, its bytes (so its sha256, by which the library
 * knows photos) changed, but its pixels did not: writeFaceTags proved the image data identical
 * (exiftool's ImageDataHash) and the orientation unchanged. So the old analysis is stored for the
 * new bytes too, with the old faces' human labels (confirmed, rejected, enrolled, imported; oldest
 * first, so the newest still wins), and the path's new size and time: a re-run neither analyses
 * the photo again nor loses what people said about its faces.
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
  const takenAt = library.photoBySha(before.sha256)?.takenAt ?? undefined;
  library.transaction(() => {
    const saved = library.saveAnalysis({ sha256, size: bytes.byteLength, takenAt }, ns, before.analysis);
    const byOldId = new Map(before.faces.map((f, i) => [f.id, saved.faces[i]!]));
    const labels = library
      .labelsOfFaces(before.faces.map((f) => f.id))
      .filter((l) => isHumanKind(l.kind))
      .reverse();
    for (const l of labels) {
      const face = byOldId.get(l.faceId);
      if (face) library.setLabel(face.id, l.personId, l.kind, { score: l.score, source: l.source });
    }
    library.recordPath(saved.photoId, {
      root: file.root,
      rel: file.rel,
      ...(file.rawRel ? { rawRel: file.rawRel } : {}),
      size: s.size,
      mtimeMs: s.mtimeMs,
    });
  });
};
