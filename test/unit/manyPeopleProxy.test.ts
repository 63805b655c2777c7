import { describe, expect, it } from 'vitest';
import type { BenchFace } from '../../bench/people/benchFace.js';
import { tailCorrector } from '../../bench/people/manyPeopleProxy.js';
import { countProbes, summarizeProbes } from '../../bench/people/probeCounts.js';
import { threeWayFolds } from '../../bench/people/referenceFolds.js';
import { scoreShape } from '../../bench/people/scoreShape.js';
import { identitySpace, syntheticPeople } from '../../bench/people/syntheticPeople.js';
import { DEFAULT_POLICY } from '../../core/decide/DecisionPolicy.js';
import { PeopleMatrix } from '../../core/decide/PeopleMatrix.js';
import { studentTailMultiplier } from '../../core/decide/studentTailThreshold.js';
import { seededRng } from '../../core/util/seededRng.js';

const unit = (xs: number[]): Float32Array => {
  const n = Math.hypot(...xs);
  return Float32Array.from(xs, (x) => x / n);
};

/** `ids` identities of `per` faces each in 8-d, around orthogonal-ish centres, in two domains. */
const library = (ids: number, per: number, seed = 1): BenchFace[] => {
  const rng = seededRng(seed);
  const out: BenchFace[] = [];
  for (let i = 0; i < ids; i++) {
    const centre = Array.from({ length: 8 }, () => rng() - 0.5);
    centre[i % 2] = (centre[i % 2] ?? 0) + 3;
    for (let f = 0; f < per; f++) {
      const v = centre.map((c) => c + 0.2 * (rng() - 0.5));
      out.push({
        key: `s/${i}/${f}#0`,
        set: i % 2 ? 'orl' : 'glint24',
        photo: `s/${i}/${f}`,
        identity: `s/${i}`,
        role: 'test',
        vectors: { embedding: unit(v) },
        quality: 1,
        size: 100,
      });
    }
  }
  out.push({
    key: 'bystander#0',
    set: 'orl',
    photo: 'bystander',
    identity: null,
    role: 'test',
    vectors: { embedding: unit([0, 0, 1, 0, 0, 0, 0, 0]) },
    quality: 1,
    size: 100,
  });
  return out;
};

describe('Function: threeWayFolds', () => {
  it('rotates every identity through enrolled, stranger and donor, and never searches a donor', () => {
    const lib = library(9, 4);
    const folds = threeWayFolds(lib, 2);
    expect(folds).toHaveLength(3);
    const roles = new Map<string, string[]>();
    for (const f of folds) {
      const donors = new Set(f.donors.map((d) => d.identity));
      for (const id of f.references.keys()) roles.set(id, [...(roles.get(id) ?? []), 'enrolled']);
      for (const id of f.strangers) roles.set(id, [...(roles.get(id) ?? []), 'stranger']);
      for (const id of donors) roles.set(id!, [...(roles.get(id!) ?? []), 'donor']);
      // Donors are neither references nor probes; the bystander is searched in every fold.
      expect(f.probes.some((p) => p.identity !== null && donors.has(p.identity))).toBe(false);
      expect(f.probes.some((p) => p.identity === null)).toBe(true);
      for (const refs of f.references.values()) expect(refs).toHaveLength(2);
      const refKeys = new Set([...f.references.values()].flat().map((r) => r.key));
      expect(f.probes.some((p) => refKeys.has(p.key))).toBe(false);
    }
    expect(roles.size).toBe(9);
    for (const r of roles.values()) expect([...r].sort()).toEqual(['donor', 'enrolled', 'stranger']);
  });
});

describe('Function: syntheticPeople', () => {
  const space = identitySpace(library(12, 5));

  it('draws the same people for the same seed, unit templates, thresholds left to calibrate', () => {
    const params = { within: 0, isotropic: 0.1, dof: Number.POSITIVE_INFINITY, domains: false };
    const a = syntheticPeople(space, params, 5, 3, 7);
    const b = syntheticPeople(space, params, 5, 3, 7);
    expect(a.map((p) => [...p.template.centroid])).toEqual(b.map((p) => [...p.template.centroid]));
    expect(syntheticPeople(space, params, 5, 3, 8)[0]!.template.centroid).not.toEqual(
      a[0]!.template.centroid,
    );
    for (const p of a) {
      expect(Math.hypot(...p.template.centroid)).toBeCloseTo(1, 5);
      expect(p.threshold).toBe(0);
      expect(p.name).toMatch(/^synthetic\//);
    }
  });

  it('keeps each synthetic person inside one domain when asked', () => {
    expect(space.domains.map((d) => d.name)).toEqual(['glint24', 'orl']);
    const people = syntheticPeople(
      space,
      { within: 0, isotropic: 0, dof: Number.POSITIVE_INFINITY, domains: true },
      40,
      1,
      3,
    );
    // Domain glint24 centres lean on dimension 0, orl on dimension 1: every person leans on one of them.
    for (const p of people) {
      const [x, y] = [p.template.centroid[0]!, p.template.centroid[1]!];
      expect(Math.abs(x - y)).toBeGreaterThan(0.3);
    }
    const onFirst = people.filter((p) => p.template.centroid[0]! > p.template.centroid[1]!).length;
    expect(onFirst).toBeGreaterThan(5);
    expect(onFirst).toBeLessThan(35);
  });
});

describe('Function: tailCorrector', () => {
  const rng = seededRng(5);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const sample = Float64Array.from({ length: 200_000 }, normal).sort().reverse();
  const correct = tailCorrector(sample, 20);

  it('leaves the bulk alone and never lowers a score', () => {
    expect(correct(-1)).toBe(-1);
    expect(correct(0.5)).toBe(0.5);
    for (const z of [1, 2, 3, 4, 6]) expect(correct(z)).toBeGreaterThanOrEqual(z);
  });

  it("moves the sample's upper tail onto the Student's t tail", () => {
    const at = studentTailMultiplier(1e-3, 20);
    let above = 0;
    for (const z of sample) if (correct(z) >= at) above++;
    expect(above / sample.length).toBeGreaterThan(0.8e-3);
    expect(above / sample.length).toBeLessThan(1.2e-3);
    // A normal sample alone has far fewer there.
    expect(sample.filter((z) => z >= at).length / sample.length).toBeLessThan(3e-4);
  });
});

describe('Function: countProbes', () => {
  const people = PeopleMatrix.build([
    { name: 'a', template: { centroid: unit([1, 0]) }, threshold: 0.5 },
    { name: 'b', template: { centroid: unit([0, 1]) }, threshold: 0.5 },
  ]);
  const c = { height: 100, quality: 1, yaw: 0 };
  it('counts right and wrong names, strangers named and impostor pairs over threshold', () => {
    const counts = countProbes(
      [
        { truth: 0, condition: c, row: Float32Array.of(0.9, 0.1), set: 's' },
        { truth: 0, condition: c, row: Float32Array.of(0.2, 0.8), set: 's' },
        { truth: -1, condition: c, row: Float32Array.of(0.7, 0.3), set: 's' },
        { truth: -1, condition: c, row: Float32Array.of(0.3, 0.2), set: 's' },
      ],
      people,
      DEFAULT_POLICY,
    );
    expect(counts).toMatchObject({ known: 2, correct: 1, wrong: 1, rank1: 1, strangers: 2, named: 1 });
    // Impostor pairs: (1, b) 0.1, (2, b) 0.8, (3, a) 0.7, (3, b) 0.3, (4, a), (4, b): two at or over 0.5.
    expect(counts.impostorPairs).toBe(6);
    expect(counts.impostorAbove).toBe(2);
    expect(summarizeProbes(counts).namedRate).toBe(0.5);
  });
});

describe('Function: scoreShape', () => {
  it('leaves genuine pairs out and reports no tail quantile it cannot resolve', () => {
    const people = [
      { name: 'a', template: { centroid: unit([1, 0, 0]) }, threshold: 0 },
      { name: 'b', template: { centroid: unit([0, 1, 0]) }, threshold: 0 },
    ];
    const probes = [unit([1, 0.1, 0]), unit([0.1, 1, 0]), unit([0, 0, 1])].map((embedding) => ({
      embedding,
    }));
    const shape = scoreShape([{ people, probes, genuine: (i, j) => i === j && i < 2 }]);
    expect(shape.pairs).toBe(4);
    expect(shape.people).toBe(2);
    expect(shape.tail).toEqual([null, null, null]);
    expect(shape.farAt040).toBe(0);
  });
});
