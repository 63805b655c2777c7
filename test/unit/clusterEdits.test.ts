import { describe, expect, it } from 'vitest';
import { ClusterError } from '../../core/cluster/ClusterError.js';
import { mergeClusters, splitCluster } from '../../core/cluster/clusterEdits.js';
import type { ClusterFace, ExistingCluster } from '../../core/cluster/clusterTypes.js';
import { proposeSplit } from '../../core/cluster/proposeSplit.js';
import { suggestMerges } from '../../core/cluster/suggestMerges.js';
import { nearbyUnitVector, randomUnitVector, seededRng } from '../helpers/random.js';

const clusters: ExistingCluster[] = [
  { id: 1, members: ['a', 'b'], named: true },
  { id: 2, members: ['c'] },
  { id: 5, members: ['d', 'e', 'f'], locked: true },
];

describe('Function: mergeClusters', () => {
  it('moves the members into the target, drops the sources and leaves the rest as they were', () => {
    // Act
    const out = mergeClusters(clusters, 2, [1]);

    // Assess
    expect(out).toEqual([
      { id: 2, members: ['c', 'a', 'b'], named: true },
      { id: 5, members: ['d', 'e', 'f'], locked: true },
    ]);
    expect(clusters[0]).toEqual({ id: 1, members: ['a', 'b'], named: true });
  });

  it.each([
    ['an unknown target', 9, [1]],
    ['an unknown source', 1, [9]],
    ['a merge into itself', 1, [1]],
  ])('rejects %s', (_, into, from) => {
    // Act / Assess
    expect(() => mergeClusters(clusters, into as number, from as number[])).toThrow(ClusterError);
  });
});

describe('Function: splitCluster', () => {
  it('moves the selected faces into a new unnamed cluster with the next free id', () => {
    // Act
    const { clusters: out, created } = splitCluster(clusters, 5, ['e']);

    // Assess
    expect(created).toBe(6);
    expect(out).toEqual([
      clusters[0],
      clusters[1],
      { id: 5, members: ['d', 'f'], locked: true },
      { id: 6, members: ['e'] },
    ]);
  });

  it('uses the id it is given', () => {
    // Act / Assess
    expect(splitCluster(clusters, 1, ['b'], 40).created).toBe(40);
  });

  it.each([
    ['a face that is not a member', ['x']],
    ['no face', []],
    ['every face', ['a', 'b']],
  ])('rejects %s', (_, faces) => {
    // Act / Assess
    expect(() => splitCluster(clusters, 1, faces)).toThrow(ClusterError);
  });

  it('rejects a taken id', () => {
    // Act / Assess
    expect(() => splitCluster(clusters, 1, ['a'], 2)).toThrow(ClusterError);
  });
});

const faces = (
  rng: () => number,
  name: string,
  centre: Float32Array,
  n: number,
  spread = 0.5,
): ClusterFace[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `${name}-${i}`,
    embedding: nearbyUnitVector(rng, centre, spread),
    quality: 0.9,
    size: 100,
  }));

describe('Function: proposeSplit', () => {
  it('separates two similar people (siblings) that one cluster mixes', () => {
    // Prepare: two centres with cosine about 0.5; faces tight around each (cosine ~0.8 within).
    const rng = seededRng(31);
    const a = randomUnitVector(rng, 64);
    const b = nearbyUnitVector(rng, a, 1.7);
    const mixed = [...faces(rng, 'sis', a, 6), ...faces(rng, 'bro', b, 5)];

    // Act
    const { groups, rest } = proposeSplit(mixed);

    // Assess
    expect(groups.map((g) => [...new Set(g.map((f) => f.split('-')[0]))])).toEqual([['sis'], ['bro']]);
    expect(groups.flat().length + rest.length).toBe(11);
  });

  it('finds no split in a cluster of one person', () => {
    // Prepare
    const rng = seededRng(32);
    const one = faces(rng, 'solo', randomUnitVector(rng, 64), 8);

    // Act
    const { groups } = proposeSplit(one);

    // Assess
    expect(groups).toHaveLength(1);
  });
});

describe('Function: suggestMerges', () => {
  it('suggests merging two clusters of one person into the named one, and nothing for different people', () => {
    // Prepare
    const rng = seededRng(33);
    const p = randomUnitVector(rng, 64);
    const q = randomUnitVector(rng, 64);
    const all = [
      ...faces(rng, 'p1', p, 4, 0.7),
      ...faces(rng, 'p2', p, 4, 0.7),
      ...faces(rng, 'q', q, 4, 0.7),
    ];
    const cs: ExistingCluster[] = [
      { id: 1, members: all.slice(0, 4).map((f) => f.id) },
      { id: 2, members: all.slice(4, 8).map((f) => f.id), named: true },
      { id: 3, members: all.slice(8).map((f) => f.id) },
    ];

    // Act
    const s = suggestMerges(all, cs);

    // Assess
    expect(s).toHaveLength(1);
    expect(s[0]!.into).toBe(2);
    expect(s[0]!.from).toBe(1);
    expect(s[0]!.similarity).toBeGreaterThan(0.5);
  });
});
