/**
 * Many enrolled people, by proxy: the many-people folds (real identities enrolled, real strangers
 * searched) with synthetic people (syntheticPeople.ts) added to the library as distractors, up to
 * thousands. Every synthetic person is calibrated exactly like a real one (template against the
 * library cohort → threshold and cohort statistics). The probes are the real faces, as they are
 * and shrunk (smallFaces.ts): what grows is the number of people a stranger can be mistaken for,
 * and the number of look-alikes a known face must beat.
 */

import type { FaceCondition } from '../../core/decide/faceCondition.js';
import { PeopleMatrix, type PersonModel } from '../../core/decide/PeopleMatrix.js';
import { studentTailMultiplier } from '../../core/decide/studentTailThreshold.js';
import type { FaceVectors } from '../../core/match/fusion.js';
import type { BenchFace } from './benchFace.js';
import { fitDof } from './cohortCheck.js';
import { calibratedPeople, foldPeople } from './foldPeople.js';
import { countProbes, emptyProbeCounts, type Probe, type ProbeCounts } from './probeCounts.js';
import { threeWayFolds } from './referenceFolds.js';
import type { NamedPolicy } from './runMode.js';
import { type ScoreShape, scoreShape, shapeDistance } from './scoreShape.js';
import { naturalCondition, sizedCondition } from './sizedProbes.js';
import type { SizedFace } from './smallFaces.js';
import { identitySpace, type SyntheticParams, syntheticPeople } from './syntheticPeople.js';
import type { ThresholdRule } from './thresholdRules.js';

/** Per-person thresholds from each person's cohort statistics, given how many people are enrolled. */
export interface ScaleThresholds {
  label: string;
  thresholds: (people: readonly PersonModel[], enrolled: number) => Float32Array;
}

/** The Student's t tail threshold at `far(enrolled)`, clamped, from stored cohort statistics. */
export const tailThresholds = (
  label: string,
  far: (enrolled: number) => number,
  floor: number,
  ceiling: number,
  dof: number,
): ScaleThresholds => ({
  label,
  thresholds: (people, enrolled) => {
    const mult = studentTailMultiplier(far(enrolled), dof);
    return Float32Array.from(people, (p) =>
      Math.min(ceiling, Math.max(floor, p.cohort!.median + mult * p.cohort!.spread)),
    );
  },
});

export interface ProxyFitRow {
  params: SyntheticParams;
  /** The synthetic people's shape (k = the fit's k, folds pooled) and its distance to the real one. */
  shape: ScoreShape;
  distance: number;
}

export interface ProxyRow {
  /** `drawn`: synthetic scores as the vectors give them; `t<dof> tail`: their tail remapped (tailCorrector). */
  proxy: string;
  k: number;
  probeLevel: number;
  /** People asked for (at least the real ones are enrolled). */
  requested: number;
  /** People enrolled (real first, then synthetic; mean over the folds). */
  people: number;
  /** Real people among them (mean over the folds). */
  real: number;
  runs: number;
  thresholds: string;
  policy: string;
  counts: ProbeCounts;
}

export interface ProxyResult {
  /** References per person the generator was fitted at. */
  fitK: number;
  fit: ProxyFitRow[];
  chosen: SyntheticParams;
  /**
   * Per k (folds pooled), real people against the chosen synthetic people: scored against the
   * strangers' faces (what the fit matched, at its k), and against the known faces (real people:
   * the other enrolled people's faces), a check the fit did not see.
   */
  validation: {
    k: number;
    real: ScoreShape;
    synthetic: ScoreShape;
    realKnown: ScoreShape;
    syntheticKnown: ScoreShape;
  }[];
  /** Strangers named by the R real people alone against R synthetic people alone (default policy). */
  likeForLike: {
    k: number;
    proxy: string;
    thresholds: string;
    real: number;
    synthetic: number;
    strangers: number;
  }[];
  /** Degrees of freedom of the tail the corrected proxy maps synthetic scores onto. */
  tailDof: number;
  rows: ProxyRow[];
}

export interface ProxyInput {
  library: readonly BenchFace[];
  sized: ReadonlyMap<string, ReadonlyMap<number, SizedFace>>;
  modelSetId: string;
  ks: readonly number[];
  /** Total people enrolled to measure at (values below the real count are raised to it). */
  sizes: readonly number[];
  /** 0 = the probe faces as they are; else a smallFaces height. */
  probeLevels: readonly number[];
  rule: ThresholdRule;
  thresholds: readonly ScaleThresholds[];
  policies: readonly NamedPolicy[];
  grid: readonly SyntheticParams[];
  /** Synthetic people per fit candidate. */
  fitCount: number;
  /** Tail of the corrected proxy (Student's t dof); fitted on the real strangers' scores when absent. */
  tailDof?: number;
  log: (msg: string) => void;
}

const SEED = 20261202;
/** Synthetic people whose scores the tail correction is learnt on. */
const TAIL_SAMPLE = 500;

const inMode = (v: FaceVectors, fused: boolean): FaceVectors =>
  fused && v.descriptor ? { embedding: v.embedding, descriptor: v.descriptor } : { embedding: v.embedding };

/**
 * The synthetic people's impostor scores are lighter-tailed than real people's (the bench reports
 * both): this maps a synthetic score's standardised value z (by the person's cohort median and
 * spread) to where the measured Student's t tail puts the same upper-tail fraction, so the
 * synthetic people become as prone to look-alikes as the real tail model says, far beyond what the
 * real pairs can show. `sample`: synthetic standardised scores, descending. The bulk is kept.
 */
export const tailCorrector = (sample: Float64Array, dof: number): ((z: number) => number) => {
  const n = sample.length;
  return (z: number): number => {
    // Number of sample values at or above z (the sample is descending).
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sample[mid]! >= z) lo = mid + 1;
      else hi = mid;
    }
    const frac = lo / n;
    if (frac >= 0.25) return z;
    if (lo === 0) return studentTailMultiplier(1 / n, dof) + (z - sample[0]!);
    return Math.max(z, studentTailMultiplier(frac, dof));
  };
};

export const manyPeopleProxy = (o: ProxyInput): ProxyResult => {
  const fused = o.library.some((f) => f.vectors.descriptor !== undefined);
  const byK = o.ks.map((k) => ({ k, folds: threeWayFolds(o.library, k) }));

  // Each fold's real people and the identity space synthetic people are drawn from.
  const prepared = byK.map(({ k, folds }) => ({
    k,
    folds: folds.map((fold) => {
      // The donors are a model only, not part of the library: out of everyone's cohort too.
      const fp = foldPeople(
        fold.references,
        o.library,
        o.modelSetId,
        o.rule,
        new Set(fold.donors.map((f) => f.key)),
      );
      const enrolled = new Set(fp.matrix.names);
      const strangers = fold.probes.filter((f) => f.identity === null || !enrolled.has(f.identity));
      return {
        fold,
        ...fp,
        space: identitySpace(fold.donors),
        searched: fold.probes,
        strangers: strangers.map((f) => f.vectors),
        known: fold.probes.filter((f) => f.identity !== null && enrolled.has(f.identity)),
      };
    }),
  }));
  // Real people against the strangers' faces (every pair an impostor), and against the known
  // faces of the other enrolled people; synthetic people against the same faces.
  const realShape = (x: (typeof prepared)[number], known = false): ScoreShape =>
    scoreShape(
      x.folds.map((f) => ({
        people: f.models,
        probes: known ? f.known.map((k) => k.vectors) : f.strangers,
        genuine: (i: number, j: number) => known && f.known[i]!.identity === f.models[j]!.name,
      })),
    );
  const synthShape = (x: (typeof prepared)[number], params: SyntheticParams, known = false): ScoreShape =>
    scoreShape(
      x.folds.map((f, n) => ({
        people: syntheticPeople(f.space, params, o.fitCount, x.k, SEED + 1 + n),
        probes: known ? f.known.map((k) => k.vectors) : f.strangers,
      })),
    );
  // Fit the generator at the most references (the sharpest templates), pooled over the folds.
  const fitOn = prepared.reduce((b, x) => (x.k > b.k ? x : b));
  o.log(`    fitting the synthetic people to the real ones (k=${fitOn.k})…`);
  const target = realShape(fitOn);
  const fit: ProxyFitRow[] = o.grid.map((params) => {
    const shape = synthShape(fitOn, params);
    return { params, shape, distance: shapeDistance(shape, target) };
  });
  const chosen = fit.reduce((b, r) => (r.distance < b.distance ? r : b)).params;
  const result: ProxyResult = {
    fitK: fitOn.k,
    fit,
    chosen,
    validation: prepared.map((x) => ({
      k: x.k,
      real: x === fitOn ? target : realShape(x),
      synthetic: x === fitOn ? fit.find((r) => r.params === chosen)!.shape : synthShape(x, chosen),
      realKnown: realShape(x, true),
      syntheticKnown: synthShape(x, chosen, true),
    })),
    likeForLike: [],
    tailDof: 0,
    rows: [],
  };
  const dof =
    o.tailDof ??
    fitDof(
      Float64Array.from(
        prepared.flatMap((x) =>
          x.folds.flatMap((f) => {
            const m = f.matrix;
            const S = m.score(f.strangers);
            const out: number[] = [];
            for (let i = 0; i < f.strangers.length; i++)
              for (let j = 0; j < m.size; j++) out.push(m.z(j, S[i * m.size + j]!));
            return out;
          }),
        ),
      )
        .sort()
        .reverse(),
    ).dof;
  result.tailDof = dof;
  const like = new Map<
    string,
    { k: number; proxy: string; thresholds: string; real: number; synthetic: number; strangers: number }
  >();
  const maxPeople = Math.max(...o.sizes);
  const acc = new Map<string, ProxyRow>();
  for (const { k, folds } of prepared) {
    for (const { fold, models: real, cohort, space, searched } of folds) {
      o.log(`    k=${k} fold ${fold.fold + 1}/${folds.length}: ${maxPeople} people…`);
      const R = real.length;
      const synthetic = calibratedPeople(
        syntheticPeople(space, chosen, Math.max(0, maxPeople - R), k, SEED + 100 * k + fold.fold),
        cohort,
        o.rule,
      );
      const everyone = [...real, ...synthetic];
      const sampleMatrix = PeopleMatrix.build(
        calibratedPeople(
          syntheticPeople(space, chosen, TAIL_SAMPLE, k, SEED + 999 + fold.fold),
          cohort,
          o.rule,
        ).map((p) => ({ ...p, threshold: 0 })),
      );
      const realIndex = new Map(real.map((p, j) => [p.name, j]));
      for (const level of o.probeLevels) {
        const faces: { v: FaceVectors; c: FaceCondition; truth: number; set: string }[] = [];
        for (const f of searched) {
          const truth = f.identity === null ? -1 : (realIndex.get(f.identity) ?? -1);
          const records = o.sized.get(f.key);
          if (level === 0) {
            faces.push({ v: f.vectors, c: naturalCondition(f, records?.get(0)), truth, set: f.set });
            continue;
          }
          const s = records?.get(level);
          if (s?.found && s.vectors)
            faces.push({ v: inMode(s.vectors, fused), c: sizedCondition(s), truth, set: f.set });
        }
        const full = PeopleMatrix.build(everyone.map((p) => ({ ...p, threshold: 0 })));
        const drawn = full.score(faces.map((x) => x.v));
        const W = full.size;
        // The tail-corrected copy: synthetic columns remapped, real columns as they are. The map is
        // learnt on a separate batch of synthetic people, the same whatever the sizes asked for.
        const sampleScores = sampleMatrix.score(faces.map((x) => x.v));
        const sample = new Float64Array(sampleScores.length);
        for (let i = 0; i < faces.length; i++)
          for (let j = 0; j < sampleMatrix.size; j++)
            sample[i * sampleMatrix.size + j] = sampleMatrix.z(j, sampleScores[i * sampleMatrix.size + j]!);
        const correct = tailCorrector(sample.sort().reverse(), dof);
        const corrected = drawn.slice();
        for (let i = 0; i < faces.length; i++)
          for (let j = R; j < W; j++) {
            const v = drawn[i * W + j]!;
            corrected[i * W + j] = full.centres[j]! + full.spreads[j]! * correct(full.z(j, v));
          }
        for (const [proxy, S] of [
          ['drawn', drawn],
          [`t${dof} tail`, corrected],
        ] as const)
          for (const requested of [...new Set(o.sizes)]) {
            const size = Math.min(W, Math.max(R, requested));
            const chosenPeople = everyone.slice(0, size);
            const probes: Probe[] = faces.map((x, i) => ({
              truth: x.truth,
              condition: x.c,
              row: S.slice(i * W, i * W + size),
              set: x.set,
            }));
            for (const t of o.thresholds) {
              const thr = t.thresholds(chosenPeople, size);
              const matrix = PeopleMatrix.build(chosenPeople.map((p, j) => ({ ...p, threshold: thr[j]! })));
              for (const pol of o.policies) {
                const key = `${proxy}|${k}|${level}|${requested}|${t.label}|${pol.label}`;
                const row = acc.get(key) ?? {
                  proxy,
                  k,
                  probeLevel: level,
                  requested,
                  people: 0,
                  real: 0,
                  runs: 0,
                  thresholds: t.label,
                  policy: pol.label,
                  counts: emptyProbeCounts(),
                };
                row.real += R;
                row.people += size;
                row.runs++;
                // Impostor pairs above threshold depend on the thresholds only: count them once.
                countProbes(probes, matrix, pol.policy, row.counts, pol === o.policies[0]);
                acc.set(key, row);
              }
            }
          }
        // Like for like at the natural level: the strangers against R real people alone, and
        // against R synthetic people alone (drawn and corrected).
        if (level === 0 && synthetic.length >= R) {
          const strangerRows = faces.flatMap((x, i) => (x.truth < 0 ? [i] : []));
          const pol = o.policies[0]!;
          for (const t of o.thresholds) {
            const realThr = t.thresholds(real, R);
            const synPeople = synthetic.slice(0, R);
            const synThr = t.thresholds(synPeople, R);
            const realM = PeopleMatrix.build(real.map((p, j) => ({ ...p, threshold: realThr[j]! })));
            const synM = PeopleMatrix.build(synPeople.map((p, j) => ({ ...p, threshold: synThr[j]! })));
            const realC = countProbes(
              strangerRows.map((i) => ({
                truth: -1,
                condition: faces[i]!.c,
                row: drawn.slice(i * W, i * W + R),
                set: faces[i]!.set,
              })),
              realM,
              pol.policy,
            );
            for (const [proxy, S] of [
              ['drawn', drawn],
              [`t${dof} tail`, corrected],
            ] as const) {
              const synC = countProbes(
                strangerRows.map((i) => ({
                  truth: -1,
                  condition: faces[i]!.c,
                  row: S.slice(i * W + R, i * W + 2 * R),
                  set: faces[i]!.set,
                })),
                synM,
                pol.policy,
              );
              const key = `${proxy}|${k}|${t.label}`;
              const e = like.get(key) ?? {
                k,
                proxy,
                thresholds: t.label,
                real: 0,
                synthetic: 0,
                strangers: 0,
              };
              e.real += realC.named;
              e.synthetic += synC.named;
              e.strangers += realC.strangers;
              like.set(key, e);
            }
          }
        }
      }
    }
  }
  result.likeForLike = [...like.values()].map((e) => ({
    ...e,
    real: e.strangers ? e.real / e.strangers : Number.NaN,
    synthetic: e.strangers ? e.synthetic / e.strangers : Number.NaN,
  }));
  result.rows = [...acc.values()].map((r) => ({ ...r, real: r.real / r.runs, people: r.people / r.runs }));
  return result;
};
