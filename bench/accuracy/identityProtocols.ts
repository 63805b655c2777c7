/**
 * Verification and identification protocols over identity samples, computed once per vector
 * source as the two models' cosines ("components" a = embedding, b = descriptor) so that any
 * weighting of the two is a cheap affine combination afterwards.
 */
import type { FaceVectors, FusionWeights } from '../../core/match/fusion.js';
import { templateOf } from '../../core/match/fusion.js';
import { eer, rocAuc, type ScoredPair, tarAtFar } from '../../core/match/roc.js';
import { dot } from '../../core/match/similarity.js';
import { seededRng } from '../../core/util/seededRng.js';
import { shuffleInPlace } from '../../core/util/shuffleInPlace.js';
import type { Sample } from './identitySamples.js';

/** Which engine variant gives each model's vector. */
export interface VectorSource {
  embedding: string;
  descriptor: string;
}

export const vectorsOf = (s: Sample, source: VectorSource): FaceVectors => {
  const e = s.vectors.get(source.embedding);
  const d = s.vectors.get(source.descriptor);
  if (!e || !d?.descriptor)
    throw new Error(`sample ${s.key} lacks vectors ${source.embedding}/${source.descriptor}`);
  return { embedding: e.embedding, descriptor: d.descriptor };
};

/** Verification trials: both models' cosines and whether the pair is one person. */
export interface ComponentPairs {
  a: Float32Array;
  b: Float32Array;
  same: Uint8Array;
}

/** Identification: every probe against every enrolled person (row-major probes x people). */
export interface ComponentIdent {
  people: number;
  /** Index of the probe's person among the enrolled, -1 for a stranger. */
  truth: Int32Array;
  a: Float32Array;
  b: Float32Array;
}

export const combine = (w: FusionWeights, a: Float32Array, b: Float32Array): Float32Array => {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++)
    out[i] = w.embeddingWeight * a[i]! + w.descriptorWeight * b[i]! + w.offset;
  return out;
};

/** Every pair of distinct samples (glint24's protocol). */
export const allPairs = (samples: readonly Sample[], source: VectorSource): ComponentPairs => {
  const v = samples.map((s) => vectorsOf(s, source));
  const n = samples.length;
  const m = (n * (n - 1)) / 2;
  const out = { a: new Float32Array(m), b: new Float32Array(m), same: new Uint8Array(m) };
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      out.a[k] = dot(v[i]!.embedding, v[j]!.embedding);
      out.b[k] = dot(v[i]!.descriptor!, v[j]!.descriptor!);
      out.same[k] = samples[i]!.identity === samples[j]!.identity ? 1 : 0;
      k++;
    }
  }
  return out;
};

/** Everyone in `references` enrolled at once (a template per identity); every probe scored against all. */
export const identify = (
  references: ReadonlyMap<string, readonly Sample[]>,
  probes: readonly Sample[],
  source: VectorSource,
): ComponentIdent => {
  const people = [...references.keys()];
  const index = new Map(people.map((p, i) => [p, i]));
  const templates = people.map((p) => templateOf(references.get(p)!.map((s) => vectorsOf(s, source))));
  const P = people.length;
  const out: ComponentIdent = {
    people: P,
    truth: new Int32Array(probes.length),
    a: new Float32Array(probes.length * P),
    b: new Float32Array(probes.length * P),
  };
  probes.forEach((s, i) => {
    const v = vectorsOf(s, source);
    out.truth[i] = s.identity === null ? -1 : (index.get(s.identity) ?? -1);
    templates.forEach((t, j) => {
      out.a[i * P + j] = dot(v.embedding, t.centroid);
      out.b[i * P + j] = dot(v.descriptor!, t.descriptorCentroid!);
    });
  });
  return out;
};

/** Face-vs-person verification trials of an identification run. */
export const identTrials = (ident: ComponentIdent): ComponentPairs => {
  const n = ident.a.length;
  const same = new Uint8Array(n);
  for (let i = 0; i < ident.truth.length; i++) {
    const t = ident.truth[i]!;
    if (t >= 0) same[i * ident.people + t] = 1;
  }
  return { a: ident.a, b: ident.b, same };
};

export const concatPairs = (parts: readonly ComponentPairs[]): ComponentPairs => {
  const n = parts.reduce((s, p) => s + p.a.length, 0);
  const out = { a: new Float32Array(n), b: new Float32Array(n), same: new Uint8Array(n) };
  let k = 0;
  for (const p of parts) {
    out.a.set(p.a, k);
    out.b.set(p.b, k);
    out.same.set(p.same, k);
    k += p.a.length;
  }
  return out;
};

export interface VerificationResult {
  genuine: number;
  impostor: number;
  auc: number;
  eer: number;
  tarAtFar1e3: number;
  tarAtFar1e4: number;
  /** Whether 1e-4 is measurable (at least 10,000 impostors). */
  resolved1e4: boolean;
  /** At the operating threshold. */
  farAtT: number;
  tarAtT: number;
}

export const verification = (
  scores: Float32Array,
  same: Uint8Array,
  threshold: number,
): VerificationResult => {
  const pairs: ScoredPair[] = new Array(scores.length);
  let g = 0;
  let fa = 0;
  let ta = 0;
  for (let i = 0; i < scores.length; i++) {
    const isSame = same[i] === 1;
    pairs[i] = { score: scores[i]!, same: isSame };
    if (isSame) {
      g++;
      if (scores[i]! >= threshold) ta++;
    } else if (scores[i]! >= threshold) fa++;
  }
  const t4 = tarAtFar(pairs, 1e-4);
  return {
    genuine: g,
    impostor: scores.length - g,
    auc: rocAuc(pairs),
    eer: eer(pairs).rate,
    tarAtFar1e3: tarAtFar(pairs, 1e-3).tar,
    tarAtFar1e4: t4.tar,
    resolved1e4: t4.resolved,
    farAtT: fa / (scores.length - g),
    tarAtT: ta / g,
  };
};

export interface IdentificationResult {
  enrolledProbes: number;
  strangerProbes: number;
  people: number;
  /** Closed set: the top-scoring person is the right one. */
  rank1: number;
  /** At the operating threshold: top-1 right and above it (detection and identification rate). */
  correctAtT: number;
  /** Known faces given to the wrong person (top-1 wrong and above the threshold). */
  wrongAtT: number;
  /** Strangers named as someone. */
  strangersNamedAtT: number;
  /** (wrong persons + strangers named) per 1,000 probe faces. */
  falseMatchesPer1000: number;
  /** Threshold at which 1 % of strangers are named, and the correct-identification rate there. */
  atStrangers1pct: { threshold: number; correct: number } | null;
}

export const identification = (
  ident: ComponentIdent,
  scores: Float32Array,
  threshold: number,
): IdentificationResult => {
  const P = ident.people;
  let known = 0;
  let rank1 = 0;
  let correct = 0;
  let wrong = 0;
  let strangers = 0;
  let named = 0;
  const strangerTop: number[] = [];
  const knownTop: { score: number; right: boolean }[] = [];
  for (let i = 0; i < ident.truth.length; i++) {
    let best = 0;
    for (let j = 1; j < P; j++) if (scores[i * P + j]! > scores[i * P + best]!) best = j;
    const top = scores[i * P + best]!;
    const t = ident.truth[i]!;
    if (t < 0) {
      strangers++;
      strangerTop.push(top);
      if (top >= threshold) named++;
      continue;
    }
    known++;
    const right = best === t;
    knownTop.push({ score: top, right });
    if (right) rank1++;
    if (top >= threshold) {
      if (right) correct++;
      else wrong++;
    }
  }
  let atStrangers1pct: IdentificationResult['atStrangers1pct'] = null;
  if (strangers >= 100 && known > 0) {
    // Lowest threshold (a stranger score, or just above) naming at most 1 % of strangers.
    const sorted = [...strangerTop].sort((x, y) => y - x);
    const allowed = Math.floor(0.01 * strangers);
    const t = allowed < sorted.length ? sorted[allowed]! + 1e-6 : Number.NEGATIVE_INFINITY;
    atStrangers1pct = {
      threshold: t,
      correct: knownTop.filter((k) => k.right && k.score >= t).length / known,
    };
  }
  const probes = known + strangers;
  return {
    enrolledProbes: known,
    strangerProbes: strangers,
    people: P,
    rank1: known ? rank1 / known : Number.NaN,
    correctAtT: known ? correct / known : Number.NaN,
    wrongAtT: known ? wrong / known : Number.NaN,
    strangersNamedAtT: strangers ? named / strangers : Number.NaN,
    falseMatchesPer1000: probes ? (1000 * (wrong + named)) / probes : Number.NaN,
    atStrangers1pct,
  };
};

export interface ManyPeopleSplit {
  fold: number;
  references: Map<string, Sample[]>;
  probes: Sample[];
}

/**
 * The many-people protocol: every real identity of every set, in `folds` seeded folds. In each
 * fold the fold's identities are strangers and everyone else is enrolled at once from `k` of
 * their faces (seeded draw; identities with fewer than k + 1 faces sit the fold out); their
 * other faces and all of the strangers' faces (plus the unlabelled faces) are the probes.
 */
export const manyPeopleSplits = (
  samples: readonly Sample[],
  k: number,
  folds = 3,
  seed = 13,
): ManyPeopleSplit[] => {
  const byId = new Map<string, Sample[]>();
  const unlabelled: Sample[] = [];
  for (const s of samples) {
    if (s.identity === null) unlabelled.push(s);
    else byId.set(s.identity, [...(byId.get(s.identity) ?? []), s]);
  }
  const rnd = seededRng(seed);
  const shuffle = <T>(xs: T[]): T[] => shuffleInPlace(xs, rnd);
  const ids = shuffle([...byId.keys()].sort());
  const draws = new Map([...byId].map(([id, xs]) => [id, shuffle([...xs])]));
  return Array.from({ length: folds }, (_, fold) => {
    const references = new Map<string, Sample[]>();
    const probes: Sample[] = [...unlabelled];
    ids.forEach((id, i) => {
      const xs = draws.get(id)!;
      if (i % folds === fold) {
        probes.push(...xs.map((s) => ({ ...s, identity: null })));
        return;
      }
      if (xs.length < k + 1) return;
      references.set(id, xs.slice(0, k));
      probes.push(...xs.slice(k));
    });
    return { fold, references, probes };
  });
};

/** Sums the counts of several identification runs (the folds) into one result. */
export const poolIdentification = (
  runs: readonly { ident: ComponentIdent; scores: Float32Array }[],
  threshold: number,
): IdentificationResult => {
  // Concatenate the folds as one run with a common person axis width (pad with -inf).
  const P = Math.max(...runs.map((r) => r.ident.people));
  const n = runs.reduce((s, r) => s + r.ident.truth.length, 0);
  const truth = new Int32Array(n);
  const scores = new Float32Array(n * P).fill(Number.NEGATIVE_INFINITY);
  let row = 0;
  for (const r of runs) {
    const p = r.ident.people;
    for (let i = 0; i < r.ident.truth.length; i++, row++) {
      truth[row] = r.ident.truth[i]!;
      scores.set(r.scores.subarray(i * p, (i + 1) * p), row * P);
    }
  }
  const people = runs.reduce((s, r) => s + r.ident.people, 0) / Math.max(1, runs.length);
  const result = identification(
    { people: P, truth, a: new Float32Array(0), b: new Float32Array(0) },
    scores,
    threshold,
  );
  return { ...result, people };
};
