import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { EditError } from '../../core/library/EditError.js';
import { OwnerVia } from '../../core/library/faceOwner.js';
import { LabelKind } from '../../core/library/LabelKind.js';
import { LabelSource } from '../../core/library/LabelSource.js';
import { Library, type StoredFace } from '../../core/library/Library.js';
import { LibraryEdits } from '../../core/library/LibraryEdits.js';
import type { Box, Face, FivePoints } from '../../core/types.js';
import { aFace, lcgUnit as unit } from '../helpers/factories.js';

const box = (i: number): Box => ({ x1: 100 * i, y1: 50, x2: 100 * i + 80, y2: 150 });
const face = (i: number, seed: number): Face =>
  aFace({
    box: box(i),
    points: [0, 1, 2, 3, 4].map((k) => ({
      x: 100 * i + 10 + k * 10,
      y: 80 + k * 5,
    })) as unknown as FivePoints,
    embedding: unit(seed),
  });

describe('Class: LibraryEdits', () => {
  let library: Library;
  let edits: LibraryEdits;
  let faces: StoredFace[];
  const NS = 'ns1';

  /** Puts face `i` in cluster `personId` the way a cluster run does. */
  const member = (faceId: number, personId: number): void => {
    library.db
      .prepare(
        `INSERT INTO labels (face_id, person_id, kind, source, created_at) VALUES (?, ?, 'auto', 'cluster', ?)`,
      )
      .run(faceId, personId, new Date().toISOString());
  };
  const ownerName = (faceId: number): string | null => {
    const id = edits.ownersOf([faceId]).get(faceId)?.personId ?? null;
    return id === null ? null : (library.personById(id)?.name ?? null);
  };

  beforeEach(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mespotter-edits-'));
    library = Library.open(join(dir, 'library.db'));
    edits = new LibraryEdits(library);
    faces = library.saveAnalysis({ sha256: 'a'.repeat(64), size: 1 }, NS, {
      width: 1000,
      height: 400,
      rejected: 0,
      faces: [0, 1, 2, 3, 4, 5].map((i) => face(i, i + 1)),
    }).faces;
    return () => library.close();
  });

  it('numbers unnamed clusters person-0001… and never reuses a number', () => {
    const [a, b] = library.transaction(() => [edits.createCluster(), edits.createCluster()]);
    expect([a!.name, a!.named, a!.clusterNo, b!.name]).toEqual(['person-0001', false, 1, 'person-0002']);
    member(faces[0]!.id, a!.id);
    member(faces[1]!.id, b!.id);
    edits.merge(a!.id, [b!.id]);
    edits.undo();
    edits.merge(a!.id, [b!.id]);
    const c = library.transaction(() => edits.createCluster());
    expect(c.name).toBe('person-0003');
    // Unnamed clusters are not people: the matcher and `people` never see them.
    expect(library.people()).toEqual([]);
    expect(library.allPeople().map((p) => p.name)).toEqual(['person-0001', 'person-0003']);
  });

  it('keeps cluster membership and human labels when a sort run replaces its own labels', () => {
    const cluster = library.transaction(() => edits.createCluster());
    const ann = library.ensurePerson('ann');
    const bob = library.ensurePerson('bob');
    member(faces[0]!.id, cluster.id);
    library.setLabel(faces[1]!.id, ann.id, LabelKind.Confirmed, { source: LabelSource.Review });
    const run = library.startRun('r1', 'mespotter sort');
    library.replaceAutoLabels(
      faces[0]!.photoId,
      [
        { faceId: faces[0]!.id, personId: cluster.id, score: 0.6 },
        { faceId: faces[2]!.id, personId: bob.id, score: 0.7 },
      ],
      run,
    );
    // The next run decides differently: its own labels go, the cluster's stay.
    library.replaceAutoLabels(
      faces[0]!.photoId,
      [{ faceId: faces[3]!.id, personId: bob.id, score: 0.5 }],
      run,
    );
    const labels = library.labelsOfFaces(faces.map((f) => f.id));
    const of = (i: number) =>
      labels.filter((l) => l.faceId === faces[i]!.id).map((l) => [l.person, l.kind, l.source]);
    expect(of(0)).toEqual([['person-0001', 'auto', 'cluster']]);
    expect(of(1)).toEqual([['ann', 'confirmed', 'review']]);
    expect(of(2)).toEqual([]);
    expect(of(3)).toEqual([['bob', 'auto', null]]);
  });

  it('carries cluster membership to the new analysis when a photo is analysed again', () => {
    const cluster = library.transaction(() => edits.createCluster());
    member(faces[2]!.id, cluster.id);
    const again = library.saveAnalysis({ sha256: 'a'.repeat(64), size: 1 }, 'ns2', {
      width: 1000,
      height: 400,
      rejected: 0,
      faces: [0, 1, 2, 3, 4, 5].map((i) => face(i, i + 50)),
    }).faces;
    expect(edits.membersOf(cluster.id)).toEqual([again[2]!.id]);
  });

  it('names a cluster: it becomes a person, keeps its number, its faces confirmed or automatic', () => {
    const [c1, c2] = library.transaction(() => [edits.createCluster(), edits.createCluster()]);
    for (const i of [0, 1]) member(faces[i]!.id, c1!.id);
    for (const i of [2, 3]) member(faces[i]!.id, c2!.id);

    const named = edits.nameCluster(c1!.id, 'Alice');
    expect(named.person).toMatchObject({ name: 'Alice', named: true, clusterNo: 1 });
    expect(named.action.summary).toBe('named person-0001 Alice (2 faces)');
    expect(library.references(c1!.id, NS)).toHaveLength(0);

    edits.nameCluster(c2!.id, 'Bea', { confirm: true });
    const bea = library.person('Bea')!;
    expect(library.references(bea.id, NS).map((r) => r.face.id)).toEqual([faces[2]!.id, faces[3]!.id]);
    expect(library.people().map((p) => p.name)).toEqual(['Alice', 'Bea']);
  });

  it('naming a cluster after someone who exists merges it into them', () => {
    const alice = library.ensurePerson('Alice');
    library.setLabel(faces[0]!.id, alice.id, LabelKind.Enrolled, { source: 'ref.jpg' });
    const c = library.transaction(() => edits.createCluster());
    member(faces[1]!.id, c.id);
    member(faces[2]!.id, c.id);

    const r = edits.nameCluster(c.id, 'Alice', { confirm: true });

    expect(r.person!.id).toBe(alice.id);
    expect(library.personById(c.id)).toBeUndefined();
    expect(edits.membersOf(alice.id)).toEqual([faces[0]!.id, faces[1]!.id, faces[2]!.id]);
    // Alice took the cluster's number: later runs keep adding her faces to her.
    expect(library.person('Alice')!.clusterNo).toBe(1);
    edits.undo();
    expect(library.personById(c.id)?.name).toBe('person-0001');
    expect(edits.membersOf(alice.id)).toEqual([faces[0]!.id]);
    expect(edits.membersOf(c.id)).toEqual([faces[1]!.id, faces[2]!.id]);
    expect(library.person('Alice')!.clusterNo).toBeNull();
  });

  it('merges two people; the named one survives even when given second; undo restores both', () => {
    const c = library.transaction(() => edits.createCluster());
    const bob = library.ensurePerson('Bob');
    member(faces[0]!.id, c.id);
    library.setLabel(faces[1]!.id, bob.id, LabelKind.Confirmed);
    library.setLabel(faces[4]!.id, c.id, LabelKind.Rejected);

    const r = edits.merge(c.id, [bob.id]);

    expect(r.person!.name).toBe('Bob');
    expect(edits.membersOf(bob.id)).toEqual([faces[0]!.id, faces[1]!.id]);
    // "Not this cluster" is "not Bob" once they are one person.
    expect(edits.ownersOf([faces[4]!.id]).get(faces[4]!.id)!.rejected.has(bob.id)).toBe(true);
    edits.undo();
    expect(ownerName(faces[0]!.id)).toBe('person-0001');
    expect(ownerName(faces[1]!.id)).toBe('Bob');
    expect(edits.ownersOf([faces[4]!.id]).get(faces[4]!.id)!.rejected.has(c.id)).toBe(true);
  });

  it('splits faces into a new cluster and remembers they are not the old one', () => {
    const c = library.transaction(() => edits.createCluster());
    for (const i of [0, 1, 2, 3]) member(faces[i]!.id, c.id);
    library.setLabel(faces[3]!.id, c.id, LabelKind.Confirmed);

    const r = edits.split(c.id, [faces[2]!.id, faces[3]!.id]);

    expect(r.person!.name).toBe('person-0002');
    expect(edits.membersOf(c.id)).toEqual([faces[0]!.id, faces[1]!.id]);
    expect(edits.membersOf(r.person!.id)).toEqual([faces[2]!.id, faces[3]!.id]);
    const owners = edits.ownersOf([faces[2]!.id, faces[3]!.id]);
    expect(owners.get(faces[2]!.id)).toMatchObject({ via: OwnerVia.Cluster });
    // A confirmed face stays a human decision in its new cluster.
    expect(owners.get(faces[3]!.id)).toMatchObject({ via: OwnerVia.Human });
    expect(owners.get(faces[2]!.id)!.rejected.has(c.id)).toBe(true);
    expect(() => edits.split(c.id, [faces[0]!.id, faces[1]!.id])).toThrow(/some but not all/);
    expect(() => edits.split(c.id, [faces[5]!.id])).toThrow(/not in person-0001/);

    edits.undo();
    expect(edits.membersOf(c.id)).toEqual([0, 1, 2, 3].map((i) => faces[i]!.id));
    expect(library.personById(r.person!.id)).toBeUndefined();
  });

  /** Faces that hold both a yes (any label but rejected) and a no for the same person. */
  const contradictions = (): string[] => {
    const byKey = new Map<string, Set<string>>();
    for (const l of library.labelsOfFaces(faces.map((f) => f.id))) {
      const key = `${l.faceId}/${l.person}`;
      byKey.set(key, (byKey.get(key) ?? new Set()).add(l.kind === LabelKind.Rejected ? 'no' : 'yes'));
    }
    return [...byKey].filter(([, v]) => v.size === 2).map(([k]) => k);
  };

  it('a split merged back restores every face (CLI order and the other way round), contradicting nothing', () => {
    const ann = library.ensurePerson('Ann');
    for (const i of [0, 1, 2, 3, 4, 5]) member(faces[i]!.id, ann.id);
    library.setLabel(faces[5]!.id, ann.id, LabelKind.Confirmed, { source: LabelSource.Review });
    const all = faces.map((f) => f.id);

    // One automatic member and one confirmed face split off, then merged back into Ann.
    const split = edits.split(ann.id, [faces[4]!.id, faces[5]!.id]).person!;
    expect(edits.membersOf(ann.id)).toHaveLength(4);
    const merged = edits.merge(ann.id, [split.id]);
    expect(merged.action.summary).toBe(`merged ${split.name} into Ann (6 faces)`);
    expect(edits.membersOf(ann.id)).toEqual(all);
    for (const [, o] of edits.ownersOf(all))
      expect(o).toMatchObject({ personId: ann.id, rejected: new Set() });
    expect(library.references(ann.id, NS).map((r) => r.face.id)).toEqual([faces[5]!.id]);
    expect(contradictions()).toEqual([]);
    // Undo goes back through both edits exactly.
    edits.undo();
    expect(edits.membersOf(ann.id)).toHaveLength(4);
    expect(edits.membersOf(split.id)).toEqual([faces[4]!.id, faces[5]!.id]);
    edits.undo();
    expect(edits.membersOf(ann.id)).toEqual(all);
    expect(contradictions()).toEqual([]);

    // Given the other way round (the cluster first) and by naming the cluster Ann: the same.
    const again = edits.split(ann.id, [faces[0]!.id, faces[5]!.id]).person!;
    edits.merge(again.id, [ann.id]);
    expect(edits.membersOf(ann.id)).toEqual(all);
    const third = edits.split(ann.id, [faces[1]!.id, faces[2]!.id]).person!;
    expect(edits.nameCluster(third.id, 'Ann').action.summary).toMatch(/\(6 faces\)$/);
    expect(edits.membersOf(ann.id)).toEqual(all);
    expect(contradictions()).toEqual([]);
  });

  it('a merge keeps the newer of a yes and a no for the same face, never both', async () => {
    const bob = library.ensurePerson('Bob');
    const c = library.transaction(() => edits.createCluster());
    const d = library.transaction(() => edits.createCluster());
    // Bob's own yes, then the cluster's newer no: not Bob.
    library.setLabel(faces[0]!.id, bob.id, LabelKind.Confirmed);
    await new Promise((r) => setTimeout(r, 5));
    library.setLabel(faces[0]!.id, c.id, LabelKind.Rejected);
    // The cluster's no, then Bob's newer yes: Bob.
    library.setLabel(faces[1]!.id, d.id, LabelKind.Rejected);
    await new Promise((r) => setTimeout(r, 5));
    library.setLabel(faces[1]!.id, bob.id, LabelKind.Confirmed);
    member(faces[2]!.id, c.id);
    member(faces[3]!.id, d.id);

    edits.merge(bob.id, [c.id, d.id]);

    expect(ownerName(faces[0]!.id)).toBeNull();
    expect(ownerName(faces[1]!.id)).toBe('Bob');
    expect(edits.membersOf(bob.id)).toEqual([faces[1]!.id, faces[2]!.id, faces[3]!.id]);
    expect(contradictions()).toEqual([]);
  });

  it('enrols as one undoable action each: says what it replaces, takes references only when forced', () => {
    const ref = (i: number, source = `${i}.jpg`) => ({ faceId: faces[i]!.id, source });
    const refsOf = (name: string): number[] =>
      library.references(library.person(name)!.id, NS).map((r) => r.face.id);
    const [first] = edits.enrol([{ name: 'Ann', faces: [ref(0), ref(1)] }], { replace: true });
    expect(first).toMatchObject({ replaced: 0, taken: [] });
    expect(first!.action.summary).toBe('enrolled Ann (2 references)');

    expect(() => edits.enrol([{ name: 'Bob', faces: [ref(1)] }], { replace: true })).toThrow(
      /not enrolled: the face in 1\.jpg is already Ann's reference; nothing was changed \(--force makes it Bob's\)/,
    );
    // Two people of one --folders run claiming the same face: refused as well, nobody enrolled.
    expect(() =>
      edits.enrol(
        [
          { name: 'Cy', faces: [ref(2)] },
          { name: 'Di', faces: [ref(2), ref(3)] },
        ],
        { replace: true },
      ),
    ).toThrow(/already Cy's reference/);
    expect(library.people().map((p) => p.name)).toEqual(['Ann']);

    const [bob] = edits.enrol([{ name: 'Bob', faces: [ref(1)] }], { replace: true, force: true });
    expect(bob!.taken).toEqual([{ from: 'Ann', faces: 1 }]);
    expect(refsOf('Ann')).toEqual([faces[0]!.id]);
    const [again] = edits.enrol([{ name: 'Ann', faces: [ref(3)] }], { replace: true });
    expect(again).toMatchObject({ replaced: 1 });
    expect(again!.action.summary).toBe('enrolled Ann (1 reference, replacing 1 earlier one)');
    expect(contradictions()).toEqual([]);

    expect(edits.undo().undone.kind).toBe('enroll');
    expect(refsOf('Ann')).toEqual([faces[0]!.id]);
    edits.undo();
    expect(library.person('Bob')).toBeUndefined();
    expect(refsOf('Ann')).toEqual([faces[0]!.id, faces[1]!.id]);
    edits.undo();
    expect(library.people()).toEqual([]);
    expect(library.labelsOfFaces(faces.map((f) => f.id))).toEqual([]);
  });

  it('confirms, rejects and gives faces to people; undo goes back one action at a time', () => {
    const ann = library.ensurePerson('ann');
    const f = faces[0]!.id;
    edits.confirm(ann.id, [f]);
    expect(ownerName(f)).toBe('ann');
    edits.reject(ann.id, [f]);
    expect(ownerName(f)).toBeNull();
    edits.assign([f], { name: 'Cleo' });
    expect(ownerName(f)).toBe('Cleo');
    expect(edits.actions().map((a) => a.kind)).toEqual(['assign', 'reject', 'confirm']);

    expect(edits.undo().undone.kind).toBe('assign');
    expect(library.person('Cleo')).toBeUndefined();
    expect(ownerName(f)).toBeNull();
    expect(edits.undo().undone.kind).toBe('reject');
    expect(ownerName(f)).toBe('ann');
    expect(edits.undo().undone.kind).toBe('confirm');
    expect(library.labelsOfFaces([f])).toEqual([]);
    expect(() => edits.undo()).toThrow(/nothing to undo/);
  });

  it('refuses to undo an action a later one built on, and one already undone', () => {
    const ann = library.ensurePerson('ann');
    const first = edits.confirm(ann.id, [faces[0]!.id]).action;
    const other = edits.confirm(ann.id, [faces[1]!.id]).action;
    edits.reject(ann.id, [faces[0]!.id]);
    expect(() => edits.undo(first.id)).toThrow(/changed the same faces or people since/);
    // An action on other faces can be undone out of order.
    expect(edits.undo(other.id).undone.id).toBe(other.id);
    expect(() => edits.undo(other.id)).toThrow(/already undone/);
    expect(ownerName(faces[1]!.id)).toBeNull();
  });

  it('changes nothing on a bad request', () => {
    const ann = library.ensurePerson('ann');
    const before = JSON.stringify(library.labelsOfFaces(faces.map((f) => f.id)));
    expect(() => edits.confirm(ann.id, [faces[0]!.id, 999_999])).toThrow(EditError);
    expect(() => edits.confirm(12345, [faces[0]!.id])).toThrow(/no person or cluster 12345/);
    expect(() => edits.nameCluster(ann.id, 'person-0009')).toThrow(/unnamed clusters/);
    expect(() => edits.nameCluster(ann.id, '../etc')).toThrow(/invalid person name/);
    expect(() => edits.confirm(ann.id, [])).toThrow(/no face selected/);
    expect(JSON.stringify(library.labelsOfFaces(faces.map((f) => f.id)))).toBe(before);
    expect(edits.actions()).toEqual([]);
  });
});
