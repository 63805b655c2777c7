/**
 * `enroll --from-tags`, the library half: tagged faces of one name become imported references,
 * quality-gated, deduplicated, checked against the person's existing references and the library's
 * human labels, and refused when the name's faces show two people (real SQLite, synthetic faces).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { engineNamespace } from '../../cli/engineOptions.js';
import { importPerson } from '../../cli/tag/enrollFromTags.js';
import { type RegionFace, RegionVia } from '../../cli/tag/regionFaces.js';
import { resolveEngineConfig } from '../../core/config.js';
import { LabelKind } from '../../core/library/LabelKind.js';
import { Library, type StoredFace } from '../../core/library/Library.js';
import { LibraryEdits } from '../../core/library/LibraryEdits.js';
import type { Box, Face, FivePoints } from '../../core/types.js';
import { faceOfPerson as of } from '../helpers/factories.js';

const engine = { modelSetId: 'test-models', config: resolveEngineConfig() };
const ns = engineNamespace(engine);

const box = (x: number, h = 120): Box => ({ x1: x, y1: 100, x2: x + 100, y2: 100 + h });
const points = (b: Box): FivePoints =>
  [0, 1, 2, 3, 4].map((i) => ({ x: b.x1 + i, y: b.y1 + i })) as unknown as FivePoints;

let library: Library;
let photo = 0;

/** Stores a photo with one face and returns it as a tagged region of `name`. */
const tagged = (
  name: string,
  embedding: Float32Array,
  o: { height?: number; quality?: number } = {},
): RegionFace => {
  photo++;
  const sha = photo.toString(16).padStart(64, '0');
  const b = box(100, o.height ?? 120);
  const face: Face = { box: b, score: 0.9, points: points(b), roll: 0, quality: o.quality ?? 0.8, embedding };
  const saved = library.saveAnalysis({ sha256: sha, size: 1 }, ns, {
    width: 800,
    height: 600,
    rejected: 0,
    faces: [face],
  });
  return {
    name,
    source: `p${photo}.jpg#1`,
    sha256: sha,
    face: saved.faces[0] as StoredFace,
    via: RegionVia.Detected,
  };
};

const importedOf = (person: string): string[] => {
  const p = library.person(person);
  return p
    ? library
        .references(p.id, ns)
        .filter((r) => r.kind === LabelKind.Imported)
        .map((r) => r.source!)
    : [];
};

beforeEach(async () => {
  library = Library.open(join(await mkdtemp(join(tmpdir(), 'mespotter-import-')), 'library.db'));
  return () => library.close();
});

describe('importPerson', () => {
  it('imports good faces, gates small and unclear ones, counts duplicates once; a re-run adds nothing', () => {
    const good = [tagged('Ann', of(1, 11)), tagged('Ann', of(1, 12)), tagged('Ann', of(1, 13))];
    const small = tagged('Ann', of(1, 14), { height: 30 });
    const blurred = tagged('Ann', of(1, 15), { quality: 0.3 });

    const out = importPerson(library, engine, 'Ann', {
      faces: [...good, good[0]!, small, blurred],
      skipped: [{ name: 'Ann', source: 'empty.jpg#1', reason: 'no face found in the tagged region' }],
    });

    expect(out.error).toBeUndefined();
    expect(out.imported.map((i) => i.source)).toEqual(good.map((g) => g.source));
    expect(out.rejected.map((r) => [r.source, r.reason.split(' (')[0]])).toEqual([
      ['empty.jpg#1', 'no face found in the tagged region'],
      [small.source, 'face too small or unclear for a reference'],
      [blurred.source, 'face too small or unclear for a reference'],
    ]);
    expect(importedOf('Ann')).toEqual(good.map((g) => g.source));

    const again = importPerson(library, engine, 'Ann', { faces: good, skipped: [] });
    expect(again).toMatchObject({ imported: [], already: 3 });
    expect(again.error).toBeUndefined();
    expect(importedOf('Ann')).toHaveLength(3);
  });

  it('refuses a name whose faces show two people, and labels nothing', () => {
    const faces = [
      tagged('Mix', of(1, 21)),
      tagged('Mix', of(1, 22)),
      tagged('Mix', of(2, 23)),
      tagged('Mix', of(2, 24)),
    ];
    const out = importPerson(library, engine, 'Mix', { faces, skipped: [] });
    expect(out.error).toMatch(/more than one person/);
    expect(library.person('Mix')).toBeUndefined();
  });

  it('rejects the odd one out, checked against the references the person already has', () => {
    const enrolledFace = tagged('x', of(3, 31));
    library.enrol('Cy', [{ faceId: enrolledFace.face.id, source: 'enrolled.jpg' }], { replace: true });
    const faces = [tagged('Cy', of(3, 32)), tagged('Cy', of(3, 33)), tagged('Cy', of(4, 34))];
    const out = importPerson(library, engine, 'Cy', { faces, skipped: [] });
    expect(out.imported.map((i) => i.source)).toEqual([faces[0]!.source, faces[1]!.source]);
    expect(out.rejected).toEqual([
      expect.objectContaining({ source: faces[2]!.source, agreement: expect.any(Number) }),
    ]);
  });

  it("never overrides a person's own decision: a face said to be someone else, or not this person", () => {
    const bob = library.ensurePerson('Bob');
    const dee = library.ensurePerson('Dee');
    const isBob = tagged('Dee', of(5, 41));
    const notDee = tagged('Dee', of(5, 42));
    const fine = tagged('Dee', of(5, 43));
    library.setLabel(isBob.face.id, bob.id, LabelKind.Confirmed);
    library.setLabel(notDee.face.id, dee.id, LabelKind.Rejected);

    const out = importPerson(library, engine, 'Dee', { faces: [isBob, notDee, fine], skipped: [] });

    expect(out.imported.map((i) => i.source)).toEqual([fine.source]);
    expect(out.rejected.map((r) => r.reason)).toEqual([
      "already Bob's reference (--force takes it)",
      'a person marked this face as not Dee',
    ]);
    expect(library.labelsOfFaces([isBob.face.id]).map((l) => [l.person, l.kind])).toEqual([
      ['Bob', 'confirmed'],
    ]);
  });

  it("takes another person's reference faces only when forced; each import is one action undo takes back", () => {
    const edits = new LibraryEdits(library);
    const bobs = [tagged('x', of(6, 51)), tagged('x', of(6, 52)), tagged('x', of(6, 53))];
    edits.enrol([{ name: 'Bob', faces: bobs.map((f) => ({ faceId: f.face.id, source: f.source })) }], {
      replace: true,
    });
    const asEve = bobs.slice(1).map((f) => ({ ...f, name: 'Eve' }));

    const refused = importPerson(library, engine, 'Eve', { faces: asEve, skipped: [] });
    expect(refused.error).toBe('no usable face in the tagged regions');
    expect(library.person('Eve')).toBeUndefined();

    const forced = importPerson(library, engine, 'Eve', { faces: asEve, skipped: [] }, { force: true });
    expect(forced).toMatchObject({ taken: [{ from: 'Bob', faces: 2 }], action: expect.any(Number) });
    // Provenance: imported references, with the region they came from.
    expect(importedOf('Eve')).toEqual(asEve.map((f) => f.source));
    expect(library.references(library.person('Bob')!.id, ns)).toHaveLength(1);
    expect(edits.actions()[0]).toMatchObject({
      kind: 'import',
      summary: 'imported Eve from tags (2 references, 2 taken from Bob)',
    });

    expect(edits.undo().undone.id).toBe(forced.action);
    expect(library.person('Eve')).toBeUndefined();
    expect(
      library
        .references(library.person('Bob')!.id, ns)
        .map((r) => [r.source, r.kind])
        .sort(),
    ).toEqual(bobs.map((f) => [f.source, 'enrolled']).sort());

    // A plain import (nobody else's faces) is an action too.
    const fresh = [tagged('Fay', of(7, 61)), tagged('Fay', of(7, 62))];
    const plain = importPerson(library, engine, 'Fay', { faces: fresh, skipped: [] });
    expect(plain.taken).toBeUndefined();
    expect(edits.undo().undone.summary).toBe('imported Fay from tags (2 references)');
    expect(library.person('Fay')).toBeUndefined();
  });
});
