/**
 * After `tag --in-place` the photo's bytes change but not its pixels: the library must know the
 * new bytes with the same analysis and every human label, or a re-run would analyse it again and
 * decide without what people said (real SQLite and files, synthetic analysis).
 */
import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { carryAnalysis } from '../../cli/tag/carryAnalysis.js';
import { LabelKind } from '../../core/library/LabelKind.js';
import { Library } from '../../core/library/Library.js';
import { sha256Hex } from '../../core/models/manifest.js';
import type { Face } from '../../core/types.js';
import { aFace, diagonalPoints } from '../helpers/factories.js';

const face = (x: number, seed: number): Face => {
  const box = { x1: x, y1: 10, x2: x + 50, y2: 70 };
  return aFace({
    box,
    points: diagonalPoints(box, 1, 1),
    quality: 0.8,
    embedding: new Float32Array(512).fill(0).map((_, i) => (i === seed ? 1 : 0)),
  });
};

describe('carryAnalysis', () => {
  it('gives the photo the rewritten bytes: same row, faces and labels, and the path its new size', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mespotter-carry-'));
    const library = Library.open(join(dir, 'library.db'));
    const ns = 'ns-1';
    const oldBytes = Buffer.from('old photo bytes');
    const file = { path: join(dir, 'p.jpg'), root: dir, rel: 'p.jpg' };
    const analysis = { width: 640, height: 480, rejected: 0, faces: [face(10, 1), face(200, 2)] };
    const old = library.saveAnalysis(
      { sha256: sha256Hex(oldBytes), size: oldBytes.length, takenAt: '2024-05-01T10:00:00' },
      ns,
      analysis,
    );
    const ann = library.ensurePerson('Ann');
    const bob = library.ensurePerson('Bob');
    library.setLabel(old.faces[0]!.id, ann.id, LabelKind.Confirmed, { source: 'review' });
    library.setLabel(old.faces[1]!.id, ann.id, LabelKind.Rejected);
    library.setLabel(old.faces[1]!.id, bob.id, LabelKind.Imported, { source: 'p.jpg#2' });
    library.replaceAutoLabels(
      old.photoId,
      [{ faceId: old.faces[1]!.id, personId: bob.id, score: 0.7 }],
      null,
    );
    const newBytes = Buffer.from('old photo bytes + an XMP packet');
    await writeFile(file.path, newBytes);

    await carryAnalysis(library, ns, file, {
      sha256: sha256Hex(oldBytes),
      photoId: old.photoId,
      analysis,
      faces: old.faces,
      cached: false,
    });

    const now = library.findPath(dir, 'p.jpg')!;
    expect(now).toMatchObject({ sha256: sha256Hex(newBytes), size: newBytes.length, analysisNs: ns });
    expect(now.mtimeMs).toBe(Math.round((await stat(file.path)).mtimeMs));
    const carried = library.analysis(sha256Hex(newBytes), ns)!;
    // The same photo, not a copy of it: same id and face ids, and the old bytes no longer a photo.
    expect(carried.photoId).toBe(old.photoId);
    expect(carried.faces.map((f) => f.id)).toEqual(old.faces.map((f) => f.id));
    expect(library.photoBySha(sha256Hex(oldBytes))).toBeUndefined();
    expect(library.pathsOf(old.photoId)).toHaveLength(1);
    expect(library.photoBySha(sha256Hex(newBytes))!.takenAt).toBe('2024-05-01T10:00:00');
    const labels = library
      .labelsOfFaces(carried.faces.map((f) => f.id))
      .map((l) => [carried.faces.findIndex((f) => f.id === l.faceId), l.person, l.kind, l.source])
      .sort();
    // Every label as it was, once (the pixels the automatic one was decided on did not change).
    expect(labels).toEqual([
      [0, 'Ann', 'confirmed', 'review'],
      [1, 'Ann', 'rejected', null],
      [1, 'Bob', 'auto', null],
      [1, 'Bob', 'imported', 'p.jpg#2'],
    ]);
    library.close();
  });

  it("keeps the old bytes' row for an identical copy elsewhere, and copies no reference to the new row", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mespotter-carry-'));
    const library = Library.open(join(dir, 'library.db'));
    const ns = 'ns-1';
    const oldBytes = Buffer.from('old photo bytes');
    const analysis = { width: 640, height: 480, rejected: 0, faces: [face(10, 1)] };
    const old = library.saveAnalysis({ sha256: sha256Hex(oldBytes), size: oldBytes.length }, ns, analysis);
    const ann = library.ensurePerson('Ann');
    library.setLabel(old.faces[0]!.id, ann.id, LabelKind.Enrolled);
    const seen = { size: oldBytes.length, mtimeMs: 1 };
    library.recordPath(old.photoId, { root: dir, rel: 'p.jpg', ...seen });
    library.recordPath(old.photoId, { root: dir, rel: 'copy/p.jpg', ...seen });
    const newBytes = Buffer.from('old photo bytes + an XMP packet');
    await writeFile(join(dir, 'p.jpg'), newBytes);

    await carryAnalysis(
      library,
      ns,
      { path: join(dir, 'p.jpg'), root: dir, rel: 'p.jpg' },
      {
        sha256: sha256Hex(oldBytes),
        photoId: old.photoId,
        analysis,
        faces: old.faces,
        cached: false,
      },
    );

    expect(library.findPath(dir, 'copy/p.jpg')!.sha256).toBe(sha256Hex(oldBytes));
    expect(library.findPath(dir, 'p.jpg')!.sha256).toBe(sha256Hex(newBytes));
    expect(library.references(ann.id, ns)).toHaveLength(1);
    library.close();
  });
});
