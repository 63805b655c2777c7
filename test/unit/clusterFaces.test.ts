import { describe, expect, it } from 'vitest';
import { dbscan } from '../../bench/cluster/dbscanBaseline.js';
import { ClusterError } from '../../core/cluster/ClusterError.js';
import { clusterFaces } from '../../core/cluster/clusterFaces.js';
import type {
  ClusterFace,
  ClusterId,
  ClusterResult,
  ExistingCluster,
} from '../../core/cluster/clusterTypes.js';
import { shuffleInPlace } from '../../core/util/shuffleInPlace.js';
import { nearbyUnitVector, randomUnitVector, seededRng } from '../helpers/random.js';

type Rng = () => number;

/** Faces of one person: unit vectors around a centre, same-person cosine about 0.6. */
const personFaces = (
  rng: Rng,
  name: string,
  count: number,
  options: { centre?: Float32Array; quality?: number; size?: number; spread?: number } = {},
): { centre: Float32Array; faces: ClusterFace[] } => {
  const centre = options.centre ?? randomUnitVector(rng, 64);
  const faces = Array.from({ length: count }, (_, i) => ({
    id: `${name}-${String(i).padStart(2, '0')}`,
    embedding: nearbyUnitVector(rng, centre, options.spread ?? 0.7),
    quality: options.quality ?? 0.9,
    size: options.size ?? 120,
  }));
  return { centre, faces };
};

const clusterOf = (r: ClusterResult, id: string): ClusterId | null => {
  const c = r.assignments.get(id);
  if (c === undefined) throw new Error(`no assignment for ${id}`);
  return c;
};

/** The clusters as sets of face-id prefixes (the person names), for readable assertions. */
const groups = (r: ClusterResult): string[][] => {
  const by = new Map<ClusterId, Set<string>>();
  for (const [face, c] of r.assignments) {
    if (c === null) continue;
    const s = by.get(c) ?? new Set<string>();
    s.add(face.split('-')[0]!);
    by.set(c, s);
  }
  return [...by.values()].map((s) => [...s].sort()).sort();
};

const shuffle = <T>(xs: readonly T[], rng: Rng): T[] => shuffleInPlace([...xs], rng);

const fivePeople = (seed: number): { faces: ClusterFace[]; centres: Map<string, Float32Array> } => {
  const rng = seededRng(seed);
  const faces: ClusterFace[] = [];
  const centres = new Map<string, Float32Array>();
  for (const name of ['ann', 'bob', 'cat', 'dan', 'eve']) {
    const p = personFaces(rng, name, 8);
    centres.set(name, p.centre);
    faces.push(...p.faces);
  }
  // Strangers, seen once each.
  for (let i = 0; i < 6; i++) faces.push(personFaces(rng, `x${i}`, 1).faces[0]!);
  return { faces, centres };
};

describe('Function: clusterFaces', () => {
  it('groups each person into one cluster and leaves strangers unknown', () => {
    // Prepare
    const { faces } = fivePeople(1);

    // Act
    const r = clusterFaces({ faces });

    // Assess
    expect(groups(r)).toEqual([['ann'], ['bob'], ['cat'], ['dan'], ['eve']]);
    expect(r.created).toEqual([1, 2, 3, 4, 5]);
    for (let i = 0; i < 6; i++) expect(clusterOf(r, `x${i}-00`)).toBeNull();
    expect(r.stats.unknown).toBe(6);
    for (const name of ['ann', 'bob', 'cat', 'dan', 'eve']) {
      const ids = new Set(faces.filter((f) => f.id.startsWith(name)).map((f) => clusterOf(r, f.id)));
      expect(ids.size).toBe(1);
    }
  });

  it('gives the same result for the same faces in any order', () => {
    // Prepare
    const { faces } = fivePeople(2);
    const shuffled = shuffle(faces, seededRng(99));

    // Act
    const a = clusterFaces({ faces });
    const b = clusterFaces({ faces: shuffled });
    const c = clusterFaces({ faces });

    // Assess
    const sorted = (r: ClusterResult): [string, ClusterId | null][] =>
      [...r.assignments].sort((x, y) => (x[0] < y[0] ? -1 : 1));
    expect(sorted(b)).toEqual(sorted(a));
    expect(sorted(c)).toEqual(sorted(a));
    expect(b.created).toEqual(a.created);
  });

  it('numbers new clusters largest first, from one past the largest existing id or from nextId', () => {
    // Prepare
    const rng = seededRng(3);
    const small = personFaces(rng, 'sam', 4).faces;
    const large = personFaces(rng, 'lea', 9).faces;

    // Act
    const fresh = clusterFaces({ faces: [...small, ...large] });
    const after = clusterFaces({ faces: [...small, ...large], nextId: 40 });

    // Assess
    expect(clusterOf(fresh, 'lea-00')).toBe(1);
    expect(clusterOf(fresh, 'sam-00')).toBe(2);
    expect(after.created).toEqual([40, 41]);
  });

  it('never lets low-quality or small faces start a cluster', () => {
    // Prepare: two people whose faces are all too poor (blurred) or too small to seed.
    const rng = seededRng(4);
    const blurred = personFaces(rng, 'blur', 8, { quality: 0.3 }).faces;
    const tiny = personFaces(rng, 'tiny', 8, { size: 20 }).faces;

    // Act
    const r = clusterFaces({ faces: [...blurred, ...tiny] });

    // Assess
    expect(r.created).toEqual([]);
    expect([...r.assignments.values()].every((c) => c === null)).toBe(true);
    expect(r.stats.seeds).toBe(0);
  });

  it('lets low-quality faces join a cluster that good faces started', () => {
    // Prepare
    const rng = seededRng(5);
    const good = personFaces(rng, 'gia', 6);
    const poor = personFaces(rng, 'gia', 4, { centre: good.centre, quality: 0.2, size: 24 }).faces.map(
      (f) => ({
        ...f,
        id: `gia-poor-${f.id}`,
      }),
    );

    // Act
    const r = clusterFaces({ faces: [...good.faces, ...poor] });

    // Assess
    expect(r.created).toEqual([1]);
    for (const f of [...good.faces, ...poor]) expect(clusterOf(r, f.id)).toBe(1);
    expect(r.stats.seeds).toBe(6);
  });

  it('leaves a group smaller than minClusterSize unknown', () => {
    // Prepare
    const rng = seededRng(6);
    const pair = personFaces(rng, 'duo', 2).faces;
    const trio = personFaces(rng, 'tri', 3).faces;

    // Act
    const r = clusterFaces({ faces: [...pair, ...trio], params: { minClusterSize: 3 } });

    // Assess
    expect(clusterOf(r, 'duo-00')).toBeNull();
    expect(clusterOf(r, 'duo-01')).toBeNull();
    expect(groups(r)).toEqual([['tri']]);
  });

  it('keeps two people apart that a chain of in-between faces connects (plain DBSCAN would merge them)', () => {
    // Prepare: each bridge face is close to the next, so single linkage walks from one person to the other.
    const rng = seededRng(7);
    const a = personFaces(rng, 'ada', 10);
    const b = personFaces(rng, 'ben', 10);
    const bridge: ClusterFace[] = [];
    for (let i = 1; i <= 9; i++) {
      const t = i / 10;
      const v = new Float32Array(64);
      for (let d = 0; d < 64; d++) v[d] = (1 - t) * a.centre[d]! + t * b.centre[d]!;
      bridge.push({
        id: `mix-${i}`,
        embedding: nearbyUnitVector(rng, normalise(v), 0.15),
        quality: 0.9,
        size: 120,
      });
    }

    const all = [...a.faces, ...b.faces, ...bridge];

    // Act
    const r = clusterFaces({ faces: all });
    const single = dbscan(
      { name: 'chain', notes: [], faces: all.map((f) => ({ ...f, label: f.id.split('-')[0]! })) },
      0.5,
      3,
    );

    // Assess: the premise (single linkage chains them), then the clustering does not.
    expect(single[0]).not.toBeNull();
    expect(single[0]).toBe(single[10]);
    const ada = clusterOf(r, 'ada-00');
    const ben = clusterOf(r, 'ben-00');
    expect(ada).not.toBeNull();
    expect(ben).not.toBeNull();
    expect(ada).not.toBe(ben);
    for (const f of a.faces) expect(clusterOf(r, f.id)).toBe(ada);
    for (const f of b.faces) expect(clusterOf(r, f.id)).toBe(ben);
  });

  it('gives the same clusters with the approximate neighbour index as with the exact graph', () => {
    // Prepare: 20 people, 10 faces each; tiny leaves force a tree several levels deep.
    const rng = seededRng(8);
    const faces = Array.from({ length: 20 }, (_, p) => personFaces(rng, `p${p}`, 10).faces).flat();

    // Act
    const exact = clusterFaces({ faces });
    const approx = clusterFaces({ faces, params: { exactUpTo: 0, leafSize: 16 } });

    // Assess
    expect(exact.stats.graph).toBe('exact');
    expect(approx.stats.graph).toBe('approximate');
    expect(groups(approx)).toEqual(groups(exact));
    expect(groups(exact)).toHaveLength(20);
  });
});

describe('Function: clusterFaces (incremental)', () => {
  const setup = (): {
    faces: ClusterFace[];
    existing: ExistingCluster[];
    centres: Map<string, Float32Array>;
    rng: Rng;
  } => {
    const rng = seededRng(11);
    const ann = personFaces(rng, 'ann', 6);
    const bob = personFaces(rng, 'bob', 6);
    const existing: ExistingCluster[] = [
      { id: 3, members: ann.faces.map((f) => f.id), named: true },
      { id: 7, members: bob.faces.map((f) => f.id) },
    ];
    return {
      faces: [...ann.faces, ...bob.faces],
      existing,
      centres: new Map([
        ['ann', ann.centre],
        ['bob', bob.centre],
      ]),
      rng,
    };
  };

  it('adds new faces to existing clusters and starts new ones with new ids, moving no existing member', () => {
    // Prepare
    const { faces, existing, centres, rng } = setup();
    const newAnn = personFaces(rng, 'ann', 3, { centre: centres.get('ann')! }).faces.map((f) => ({
      ...f,
      id: `ann-new-${f.id}`,
    }));
    const newBob = personFaces(rng, 'bob', 2, { centre: centres.get('bob')!, quality: 0.2 }).faces.map(
      (f) => ({
        ...f,
        id: `bob-new-${f.id}`,
      }),
    );
    const cara = personFaces(rng, 'cara', 4).faces;

    // Act
    const r = clusterFaces({ faces: [...faces, ...newAnn, ...newBob, ...cara], existing });

    // Assess
    for (const c of existing) for (const m of c.members) expect(clusterOf(r, m)).toBe(c.id);
    for (const f of newAnn) expect(clusterOf(r, f.id)).toBe(3);
    for (const f of newBob) expect(clusterOf(r, f.id)).toBe(7);
    expect(r.created).toEqual([8]);
    for (const f of cara) expect(clusterOf(r, f.id)).toBe(8);
    expect(r.stats.joinedExisting).toBe(5);
  });

  it('does not merge two existing clusters of the same person', () => {
    // Prepare: the user kept two clusters of one person apart; new faces of that person arrive.
    const rng = seededRng(12);
    const p = personFaces(rng, 'ida', 12);
    const existing: ExistingCluster[] = [
      { id: 1, members: p.faces.slice(0, 6).map((f) => f.id), named: true },
      { id: 2, members: p.faces.slice(6).map((f) => f.id) },
    ];
    const extra = personFaces(rng, 'ida', 4, { centre: p.centre }).faces.map((f) => ({
      ...f,
      id: `new-${f.id}`,
    }));

    // Act
    const r = clusterFaces({ faces: [...p.faces, ...extra], existing });

    // Assess
    for (const c of existing) for (const m of c.members) expect(clusterOf(r, m)).toBe(c.id);
    for (const f of extra) expect([1, 2]).toContain(clusterOf(r, f.id));
    expect(r.created).toEqual([]);
  });

  it('adds nothing to a locked cluster but honours a fixed face', () => {
    // Prepare
    const { faces, existing, centres, rng } = setup();
    const locked = existing.map((c) => (c.id === 3 ? { ...c, locked: true } : c));
    const more = personFaces(rng, 'ann', 4, { centre: centres.get('ann')! }).faces.map((f) => ({
      ...f,
      id: `ann-more-${f.id}`,
    }));
    const stranger = { ...personFaces(rng, 'zed', 1).faces[0]!, fixed: 3 };

    // Act
    const r = clusterFaces({ faces: [...faces, ...more, stranger], existing: locked });

    // Assess
    for (const f of more) expect(clusterOf(r, f.id)).not.toBe(3);
    expect(clusterOf(r, stranger.id)).toBe(3);
  });

  it('never puts a face into a cluster it was rejected from', () => {
    // Prepare
    const { faces, existing, centres, rng } = setup();
    const rejected = personFaces(rng, 'ann', 1, { centre: centres.get('ann')! }).faces.map((f) => ({
      ...f,
      id: 'ann-rejected',
      excluded: [3, 999],
    }));
    const accepted = personFaces(rng, 'ann', 1, { centre: centres.get('ann')! }).faces.map((f) => ({
      ...f,
      id: 'ann-accepted',
    }));

    // Act
    const r = clusterFaces({ faces: [...faces, ...rejected, ...accepted], existing });

    // Assess
    expect(clusterOf(r, 'ann-accepted')).toBe(3);
    expect(clusterOf(r, 'ann-rejected')).not.toBe(3);
  });

  it('reconsiders faces left unknown by an earlier run', () => {
    // Prepare: two faces of a new person were too few to cluster; a third arrives.
    const rng = seededRng(13);
    const [a, b, c] = personFaces(rng, 'kim', 3).faces;
    const first = clusterFaces({ faces: [a!, b!] });

    // Act
    const second = clusterFaces({ faces: [a!, b!, c!] });

    // Assess
    expect(clusterOf(first, a!.id)).toBeNull();
    expect(second.created).toEqual([1]);
    for (const f of [a!, b!, c!]) expect(clusterOf(second, f.id)).toBe(1);
  });
});

describe('Function: clusterFaces (bad input)', () => {
  const rng = seededRng(21);
  const faces = personFaces(rng, 'ann', 4).faces;

  it.each([
    [
      'a face in two clusters',
      {
        faces,
        existing: [
          { id: 1, members: ['ann-00'] },
          { id: 2, members: ['ann-00'] },
        ],
      },
    ],
    ['a member that is not a face', { faces, existing: [{ id: 1, members: ['nobody'] }] }],
    ['a face fixed to a missing cluster', { faces: [{ ...faces[0]!, fixed: 5 }] }],
    ['a duplicate face id', { faces: [faces[0]!, faces[0]!] }],
    [
      'a duplicate cluster id',
      {
        faces,
        existing: [
          { id: 1, members: [] },
          { id: 1, members: [] },
        ],
      },
    ],
    ['a cluster id that is not a positive integer', { faces, existing: [{ id: 0, members: [] }] }],
    ['nextId not above the existing ids', { faces, existing: [{ id: 4, members: [] }], nextId: 4 }],
    [
      'embeddings of different lengths',
      { faces: [faces[0]!, { ...faces[1]!, embedding: new Float32Array(8) }] },
    ],
    ['a bad parameter', { faces, params: { k: 0 } }],
  ])('rejects %s with a ClusterError', (_, input) => {
    // Act / Assess
    expect(() => clusterFaces(input)).toThrow(ClusterError);
  });

  it('returns an empty result for no faces', () => {
    // Act
    const r = clusterFaces({ faces: [] });

    // Assess
    expect(r.assignments.size).toBe(0);
    expect(r.created).toEqual([]);
  });
});

function normalise(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s);
  return v.map((x) => x / n);
}
