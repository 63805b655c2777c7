import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { clusterLibrary } from '../../core/library/clusterLibrary.js';
import { LabelKind } from '../../core/library/LabelKind.js';
import { Library, type StoredFace } from '../../core/library/Library.js';
import { LibraryEdits } from '../../core/library/LibraryEdits.js';
import type { Face, FivePoints } from '../../core/types.js';
import { seededRng } from '../../core/util/seededRng.js';

const NS = 'ns';
const DIM = 512;
const rng = seededRng(5);
const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
const unit = (v: Float32Array): Float32Array => {
  let n = 0;
  for (const x of v) n += x * x;
  return v.map((x) => x / Math.sqrt(n));
};
const randomUnit = (): Float32Array => unit(Float32Array.from({ length: DIM }, gauss));
const around = (c: Float32Array, k = 0.8): Float32Array => {
  const z = randomUnit();
  return unit(c.map((x, i) => k * x + Math.sqrt(1 - k * k) * z[i]!));
};
/** Frontal landmarks inside a 100 px box at x. */
const frontal = (x: number): FivePoints =>
  [
    { x: x + 30, y: 40 },
    { x: x + 70, y: 40 },
    { x: x + 50, y: 60 },
    { x: x + 35, y: 80 },
    { x: x + 65, y: 80 },
  ] as unknown as FivePoints;
const faceOf = (embedding: Float32Array, i: number, o: { quality?: number; size?: number } = {}): Face => ({
  box: { x1: i * 120, y1: 0, x2: i * 120 + 100, y2: o.size ?? 100 },
  score: 0.99,
  points: frontal(i * 120),
  roll: 0,
  quality: o.quality ?? 0.95,
  embedding,
});

describe('Function: clusterLibrary', () => {
  let library: Library;
  let edits: LibraryEdits;
  let photo = 0;
  const ann = randomUnit();
  const bea = randomUnit();
  let runs = 0;
  const run = () => clusterLibrary(library, NS, { runKey: `run-${++runs}` });
  /** One photo per face, so the one-face-per-photo rule stays out of the way. */
  const add = (embedding: Float32Array, o?: { quality?: number; size?: number }): StoredFace =>
    library.saveAnalysis({ sha256: String(++photo).padStart(64, '0'), size: 1 }, NS, {
      width: 200,
      height: 200,
      rejected: 0,
      faces: [faceOf(embedding, 0, o)],
    }).faces[0]!;
  const clusterOf = (f: StoredFace): string | null => {
    const id = edits.ownersOf([f.id]).get(f.id)?.personId ?? null;
    return id === null ? null : library.personById(id)!.name;
  };

  beforeEach(async () => {
    library = Library.open(join(await mkdtemp(join(tmpdir(), 'mespotter-cluster-')), 'library.db'));
    edits = new LibraryEdits(library);
    return () => library.close();
  });

  it('groups faces into numbered clusters, leaves loners unknown, and never lets a poor face seed one', () => {
    const anns = [0, 1, 2, 3, 4].map(() => add(around(ann)));
    const beas = [0, 1, 2, 3].map(() => add(around(bea)));
    const loner = add(randomUnit());
    // Three blurry faces of a third person: alike, but none may start a cluster.
    const cid = randomUnit();
    const blurred = [0, 1, 2].map(() => add(around(cid, 0.9), { quality: 0.2 }));

    const r = run();

    expect(r.created).toEqual(['person-0001', 'person-0002']);
    expect(anns.map(clusterOf)).toEqual(Array(5).fill('person-0001'));
    expect(beas.map(clusterOf)).toEqual(Array(4).fill('person-0002'));
    expect(clusterOf(loner)).toBeNull();
    expect(blurred.map(clusterOf)).toEqual([null, null, null]);
    expect(r.lowQuality).toBe(3);
    expect(r.actionId).not.toBeNull();
  });

  it('is incremental: named and unnamed clusters keep their faces, new faces join them, numbers continue', () => {
    const first = [0, 1, 2, 3].map(() => add(around(ann)));
    for (let i = 0; i < 3; i++) add(around(bea));
    run();
    edits.nameCluster(library.person('person-0001')!.id, 'Ann');

    const later = [0, 1].map(() => add(around(ann)));
    const third = randomUnit();
    for (let i = 0; i < 3; i++) add(around(third));
    const r = run();

    expect(r.created).toEqual(['person-0003']);
    expect(r.joinedExisting).toBe(2);
    expect([...first, ...later].map(clusterOf)).toEqual(Array(6).fill('Ann'));
    expect(library.person('Ann')).toMatchObject({ named: true, clusterNo: 1 });
  });

  it('leaves enrolled people’s faces alone and never puts a face back in a cluster it was rejected from', () => {
    const enrolled = library.ensurePerson('Zoe');
    const zoes = [0, 1, 2].map(() => add(around(bea)));
    for (const f of zoes) library.setLabel(f.id, enrolled.id, LabelKind.Enrolled, { source: 'ref.jpg' });
    const anns = [0, 1, 2, 3].map(() => add(around(ann)));
    run();
    const cluster = library.person('person-0001')!;
    expect(zoes.map(clusterOf)).toEqual(['Zoe', 'Zoe', 'Zoe']);
    edits.reject(cluster.id, [anns[3]!.id]);
    run();
    expect(clusterOf(anns[3]!)).toBeNull();
    expect(edits.membersOf(cluster.id)).toEqual(anns.slice(0, 3).map((f) => f.id));
  });

  it('keeps one face per photo in a cluster', () => {
    for (let i = 0; i < 3; i++) add(around(ann));
    // One photo with two faces like Ann (a poster behind her, a twin): only the closer one joins.
    const closer = around(ann, 0.95);
    const farther = around(ann, 0.6);
    const both = library.saveAnalysis({ sha256: 'f'.repeat(64), size: 1 }, NS, {
      width: 400,
      height: 200,
      rejected: 0,
      faces: [faceOf(farther, 0), faceOf(closer, 1)],
    }).faces;
    run();
    expect(both.map(clusterOf)).toEqual([null, 'person-0001']);
  });

  it('undoes a cluster run: its clusters and memberships go, and a later sort never drops membership', () => {
    const anns = [0, 1, 2].map(() => add(around(ann)));
    run();
    const cluster = library.person('person-0001')!;
    // A sort run that decides other things about these faces keeps the membership.
    library.replaceAutoLabels(anns[0]!.photoId, [], library.startRun('sort-1', 'mespotter sort'));
    expect(anns.map(clusterOf)).toEqual(Array(3).fill('person-0001'));
    edits.undo();
    expect(library.personById(cluster.id)).toBeUndefined();
    expect(anns.map(clusterOf)).toEqual([null, null, null]);
    // The number is not reused.
    run();
    expect(library.person('person-0002')).toBeDefined();
  });
});
