import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { labelPrecedence } from '../../core/decide/labelPrecedence.js';
import { exportLibrary } from '../../core/library/exportLibrary.js';
import { galleryOfPerson } from '../../core/library/galleryOfPerson.js';
import { importLibrary } from '../../core/library/importLibrary.js';
import { LabelKind } from '../../core/library/LabelKind.js';
import { Library } from '../../core/library/Library.js';
import { libraryStats } from '../../core/library/libraryStats.js';
import { MIGRATIONS } from '../../core/library/migrations.js';
import { openSqlite } from '../../core/library/SqliteDatabase.js';
import { parseGallery, serializeGallery } from '../../core/match/gallery.js';
import type { Box, Face, FivePoints, ImageAnalysis } from '../../core/types.js';
import { aFace, anAnalysis, lcgUnit } from '../helpers/factories.js';

const unit = (dim: number, seed: number): Float32Array => lcgUnit(seed, dim);

const points = (b: Box): FivePoints =>
  [0, 1, 2, 3, 4].map((i) => ({ x: b.x1 + i * 3, y: b.y1 + i * 2 })) as unknown as FivePoints;

const face = (box: Box, seed: number, descriptor = false): Face =>
  aFace({
    box,
    points: points(box),
    roll: 1.5,
    quality: 0.8,
    embedding: unit(512, seed),
    ...(descriptor ? { descriptor: unit(128, seed + 1000) } : {}),
  });

const analysisOf = (...faces: Face[]): ImageAnalysis => anAnalysis(faces, { rejected: 1 });

const A: Box = { x1: 100, y1: 100, x2: 200, y2: 220 };
const B: Box = { x1: 500, y1: 100, x2: 600, y2: 220 };
const bytesOf = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

describe('Class: Library', () => {
  let dir: string;
  let library: Library;
  const sha = (c: string): string => c.repeat(64);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mespotter-library-'));
    library = Library.open(join(dir, 'library.db'));
    return () => library.close();
  });

  it('creates the schema on first open, at the latest version, and reopens without migrating again', () => {
    expect(library.schemaVersion).toBe(MIGRATIONS.length);
    library.close();
    library = Library.open(join(dir, 'library.db'));
    expect(library.schemaVersion).toBe(MIGRATIONS.length);
    expect(libraryStats(library).photos).toBe(0);
  });

  it('refuses a library written by a newer mespotter instead of damaging it', () => {
    library.close();
    const raw = openSqlite(join(dir, 'library.db'));
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    expect(() => Library.open(join(dir, 'library.db'))).toThrow(/newer than this mespotter/);
    library = Library.open(join(dir, 'other.db'));
  });

  it('stores an analysis and gives it back bit-exact, only for the same namespace', () => {
    const analysis = analysisOf(face(A, 1, true), face(B, 2));
    const { photoId, faces } = library.saveAnalysis(
      { sha256: sha('a'), size: 123, takenAt: '2019-07-14T12:34:56' },
      'ns1',
      analysis,
    );

    const back = library.analysis(sha('a'), 'ns1')!;
    expect(back.photoId).toBe(photoId);
    expect(back.faces.map((f) => f.id)).toEqual(faces.map((f) => f.id));
    expect(back.analysis.width).toBe(1000);
    expect(back.analysis.rejected).toBe(1);
    back.analysis.faces.forEach((f, i) => {
      const o = analysis.faces[i]!;
      expect(f.box).toEqual(o.box);
      expect(f.points).toEqual(o.points);
      expect(bytesOf(f.embedding).equals(bytesOf(o.embedding))).toBe(true);
      if (o.descriptor) expect(bytesOf(f.descriptor!).equals(bytesOf(o.descriptor))).toBe(true);
      else expect(f.descriptor).toBeUndefined();
    });
    expect(back.analysis.faces[1]!.descriptor).toBeUndefined();
    expect(library.analysis(sha('a'), 'ns2')).toBeUndefined();
    expect(library.photoBySha(sha('a'))!.takenAt).toBe('2019-07-14T12:34:56');
  });

  it('moves human labels to the new analysis of the same face and drops automatic ones', () => {
    const first = library.saveAnalysis(
      { sha256: sha('b'), size: 1 },
      'old',
      analysisOf(face(A, 1), face(B, 2)),
    );
    const ann = library.ensurePerson('ann');
    const bob = library.ensurePerson('bob');
    library.setLabel(first.faces[0]!.id, ann.id, LabelKind.Enrolled, { source: 'ref.jpg' });
    library.setLabel(first.faces[1]!.id, bob.id, LabelKind.Rejected);
    library.replaceAutoLabels(
      first.photoId,
      [{ faceId: first.faces[1]!.id, personId: ann.id, score: 0.3 }],
      null,
    );

    // New models: the faces move a little, and come in another order.
    const shifted = { x1: 504, y1: 98, x2: 603, y2: 224 };
    const second = library.saveAnalysis(
      { sha256: sha('b'), size: 1 },
      'new',
      analysisOf(face(shifted, 3), face(A, 4)),
    );

    expect(second.photoId).toBe(first.photoId);
    const labels = library.labelsOfFaces(second.faces.map((f) => f.id));
    expect(labels.map((l) => [l.faceId, l.person, l.kind]).sort()).toEqual(
      [
        [second.faces[0]!.id, 'bob', 'rejected'],
        [second.faces[1]!.id, 'ann', 'enrolled'],
      ].sort(),
    );
    expect(library.references(ann.id, 'new').map((r) => r.face.id)).toEqual([second.faces[1]!.id]);
    expect(library.references(ann.id, 'old')).toEqual([]);
  });

  it('keeps one human decision per face and person, and a face to one person', () => {
    const { faces } = library.saveAnalysis({ sha256: sha('c'), size: 1 }, 'ns', analysisOf(face(A, 1)));
    const id = faces[0]!.id;
    const ann = library.ensurePerson('ann');
    const bob = library.ensurePerson('bob');
    const kinds = () =>
      library
        .labelsOfFaces([id])
        .map((l) => `${l.person}:${l.kind}`)
        .sort();

    library.setLabel(id, ann.id, LabelKind.Confirmed);
    library.setLabel(id, ann.id, LabelKind.Rejected);
    expect(kinds()).toEqual(['ann:rejected']);
    library.setLabel(id, ann.id, LabelKind.Confirmed);
    expect(kinds()).toEqual(['ann:confirmed']);
    library.setLabel(id, bob.id, LabelKind.Confirmed);
    expect(kinds()).toEqual(['bob:confirmed']);
    expect(labelPrecedence(library.labelsOfFaces([id])).confirmed).toBe('bob');
  });

  it('builds a person as a gallery the cloud can read: references, negatives, descriptors', () => {
    const { faces } = library.saveAnalysis(
      { sha256: sha('d'), size: 1 },
      'ns',
      analysisOf(face(A, 1, true), face(B, 2, true)),
    );
    const other = library.saveAnalysis({ sha256: sha('e'), size: 1 }, 'ns', analysisOf(face(A, 9, true)));
    const ann = library.enrol('ann', [{ faceId: faces[0]!.id, source: '/refs/a.jpg' }], { replace: true });
    library.setLabel(faces[1]!.id, ann.id, LabelKind.Confirmed);
    library.setLabel(other.faces[0]!.id, ann.id, LabelKind.Rejected);

    const g = galleryOfPerson(library, ann, 'ns', 'm@1')!;
    const back = parseGallery(serializeGallery(g), 'm@1', 'g', 512);

    expect(back.references.map((r) => r.source)).toEqual(['/refs/a.jpg', sha('d')]);
    expect(back.references.every((r) => r.descriptor?.length === 128)).toBe(true);
    expect(back.descriptorCentroid).toHaveLength(128);
    expect(back.negatives?.map((n) => n.source)).toEqual([sha('e')]);
    expect(galleryOfPerson(library, ann, 'another-ns', 'm@1')).toBeUndefined();
  });

  it('samples a cohort of faces nobody claimed', () => {
    const ann = library.ensurePerson('ann');
    for (let i = 0; i < 30; i++) {
      const { faces } = library.saveAnalysis(
        { sha256: `${i}`.padStart(64, '0'), size: 1 },
        'ns',
        analysisOf(face(A, i)),
      );
      if (i < 5) library.setLabel(faces[0]!.id, ann.id, LabelKind.Enrolled);
    }
    const cohort = library.cohort('ns', 100);
    expect(cohort).toHaveLength(25);
    expect(library.cohort('ns', 10).length).toBeLessThanOrEqual(10);
  });

  it('records where photos are and marks the ones a full pass did not see as missing', async () => {
    const { photoId } = library.saveAnalysis({ sha256: sha('f'), size: 5 }, 'ns', analysisOf());
    library.recordPath(photoId, { root: '/r', rel: 'a.jpg', size: 5, mtimeMs: 1000 });
    library.recordPath(photoId, { root: '/r', rel: 'b.jpg', size: 5, mtimeMs: 1000 });
    await new Promise((r) => setTimeout(r, 5));
    const since = new Date().toISOString();
    library.recordPath(photoId, { root: '/r', rel: 'a.jpg', size: 5, mtimeMs: 1000 });

    expect(library.markMissing('/r', since)).toBe(1);
    expect(library.findPath('/r', 'a.jpg')).toMatchObject({
      sha256: sha('f'),
      size: 5,
      mtimeMs: 1000,
      analysisNs: 'ns',
    });
    expect(library.pathsOf(photoId).map((p) => [p.rel, p.missingSince !== null])).toEqual([
      ['a.jpg', false],
      ['b.jpg', true],
    ]);
  });

  it('exports to JSON lines and imports them into an empty library identically, twice without change', async () => {
    const { photoId, faces } = library.saveAnalysis(
      { sha256: sha('9'), size: 9 },
      'ns',
      analysisOf(face(A, 5, true), face(B, 6)),
    );
    library.recordPath(photoId, {
      root: '/r',
      rel: 'caf\uFFFD.jpg',
      rawRel: Buffer.from([0x63, 0x61, 0x66, 0xe9]),
      size: 9,
      mtimeMs: 7,
    });
    library.enrol('ann', [{ faceId: faces[0]!.id, source: 's' }], { replace: true });
    library.setLabel(faces[1]!.id, library.ensurePerson('bob').id, LabelKind.Rejected);
    const runId = library.startRun('run-1', 'mespotter sort x');
    library.finishRun(runId, { total: 1 });
    const lines = [...exportLibrary(library)].map((l) => JSON.stringify(l));

    const copy = Library.open(join(dir, 'copy.db'));
    const lineStream = async function* () {
      yield* lines;
    };
    const first = await importLibrary(copy, lineStream());
    const again = await importLibrary(copy, lineStream());

    expect(first).toEqual({ people: 2, photos: 1, labels: 2, runs: 1 });
    expect(again).toEqual({ people: 0, photos: 0, labels: 0, runs: 0 });
    expect([...exportLibrary(copy)].slice(1).map((l) => JSON.stringify(l))).toEqual(lines.slice(1));
    expect(copy.pathsOf(copy.photoBySha(sha('9'))!.id)[0]!.rawRel).toEqual(
      Buffer.from([0x63, 0x61, 0x66, 0xe9]),
    );
    copy.close();
  });

  it('carries unnamed clusters through export and import, and never reuses their numbers', async () => {
    library.db
      .prepare(`INSERT INTO people (name, created_at, named, cluster_no) VALUES ('person-0007', 'x', 0, 7)`)
      .run();
    const lines = [...exportLibrary(library)].map((l) => JSON.stringify(l));
    const copy = Library.open(join(dir, 'clusters.db'));
    await importLibrary(
      copy,
      (async function* () {
        yield* lines;
      })(),
    );
    expect(copy.allPeople().map((p) => [p.name, p.named, p.clusterNo])).toEqual([['person-0007', false, 7]]);
    expect(copy.people()).toEqual([]);
    const next = copy.db
      .prepare<{ value: string }>(`SELECT value FROM meta WHERE key = 'next_cluster_no'`)
      .get();
    expect(next?.value).toBe('8');
    copy.close();
  });

  it('refuses an import that is not an export, naming the line', async () => {
    const lines = async function* () {
      yield '{"type":"person","name":"x"}';
    };
    await expect(importLibrary(library, lines())).rejects.toThrow(/import line 1/);
  });

  it('lets a second connection read while the first writes, and writers wait for each other', () => {
    const other = Library.open(join(dir, 'library.db'));
    const { photoId } = library.saveAnalysis({ sha256: sha('8'), size: 1 }, 'ns', analysisOf(face(A, 1)));
    expect(other.analysis(sha('8'), 'ns')?.photoId).toBe(photoId);
    // Interleaved writes from both connections all land.
    for (let i = 0; i < 20; i++) {
      const writer = i % 2 ? library : other;
      writer.saveAnalysis({ sha256: `${i}`.padStart(64, 'e'), size: 1 }, 'ns', analysisOf(face(B, i)));
    }
    expect(libraryStats(other).photos).toBe(21);
    other.close();
  });
});
