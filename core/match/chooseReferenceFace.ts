import type { Face } from '../types.js';
import { pickReferenceFace } from './gallery.js';

/**
 * A face counts as a second person in a reference photo when it is at least this tall relative
 * to the largest face; smaller faces are background (a poster, a passer-by far away).
 */
export const GROUP_FACE_RATIO = 0.5;

export type ReferenceChoice =
  | { ok: true; face: Face; index: number }
  | { ok: false; reason: string; faces: { index: number; box: Face['box']; height: number }[] };

const height = (f: Face): number => f.box.y2 - f.box.y1;

/**
 * The face a reference photo stands for. With one clear face, that face; in a group photo (two or
 * more faces of comparable size) nothing is guessed: the photo is refused with the list of faces so
 * the user can pick one with `faceIndex` (0-based, in the order listed).
 */
export const chooseReferenceFace = (faces: readonly Face[], faceIndex?: number): ReferenceChoice => {
  const listed = faces.map((f, index) => ({ index, box: f.box, height: Math.round(height(f)) }));
  if (faceIndex !== undefined) {
    const face = faces[faceIndex];
    return face
      ? { ok: true, face, index: faceIndex }
      : { ok: false, reason: `there is no face ${faceIndex} (the photo has ${faces.length})`, faces: listed };
  }
  const best = pickReferenceFace(faces);
  if (!best) return { ok: false, reason: 'no face found', faces: [] };
  const comparable = faces.filter((f) => f !== best && height(f) >= GROUP_FACE_RATIO * height(best));
  if (comparable.length > 0)
    return {
      ok: false,
      reason: `a group photo (${comparable.length + 1} faces of similar size): choose one with --face N`,
      faces: listed,
    };
  return { ok: true, face: best, index: faces.indexOf(best) };
};
