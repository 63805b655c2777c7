/** Verification statistics, gallery scoring strategies and photo-level precision/recall. */
import { type Gallery, scoreFace } from '../../core/match/gallery.js';
import {
  dPrime,
  type EqualErrorRate,
  eer,
  rocAuc,
  type ScoredPair,
  type ScoreStats,
  scoreStats,
  type TarAtFar,
  tarAtFar,
} from '../../core/match/roc.js';
import { dot } from '../../core/match/similarity.js';

export const STRATEGIES = ['centroid', 'max', 'top2'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export const STRATEGY_LABEL: Record<Strategy, string> = {
  centroid: 'centroid cosine (scoreFace)',
  max: 'max over references',
  top2: 'mean of top-2 references',
};

export type StrategyScores = Record<Strategy, number>;

/** A face's score for a person under each strategy. */
export const scoreAll = (gallery: Gallery, embedding: Float32Array): StrategyScores => {
  const sims = gallery.references.map((r) => dot(r.embedding, embedding)).sort((a, b) => b - a);
  const top = sims.slice(0, 2);
  return {
    centroid: scoreFace(gallery, embedding),
    max: sims[0]!,
    top2: top.reduce((s, v) => s + v, 0) / top.length,
  };
};

/** One face scored against one person's gallery; `same` is whether the face is that person. */
export interface FaceTrial {
  person: string;
  /** Photo path and face index. */
  probe: string;
  same: boolean;
  scores: StrategyScores;
}

export const pairsOf = (trials: readonly FaceTrial[], strategy: Strategy = 'centroid'): ScoredPair[] =>
  trials.map((t) => ({ score: t.scores[strategy], same: t.same }));

export interface HistogramBin {
  lo: number;
  hi: number;
  same: number;
  diff: number;
}

export interface VerificationSummary {
  genuine: number;
  impostor: number;
  auc: number;
  eer: EqualErrorRate;
  tarAtFar1e3: TarAtFar;
  tarAtFar1e4: TarAtFar;
  dPrime: number;
  same: ScoreStats;
  diff: ScoreStats;
  histogram: HistogramBin[];
}

export const histogram = (pairs: readonly ScoredPair[], width = 0.05): HistogramBin[] => {
  const lo = -0.4;
  const bins: HistogramBin[] = [];
  for (let x = lo; x < 1 - 1e-9; x += width)
    bins.push({ lo: round(x, 3), hi: round(x + width, 3), same: 0, diff: 0 });
  for (const p of pairs) {
    const k = Math.max(0, Math.min(bins.length - 1, Math.floor((p.score - lo) / width)));
    if (p.same) bins[k]!.same++;
    else bins[k]!.diff++;
  }
  return bins;
};

/** Every statistic the brief asks for; null when one class is empty (nothing to compare). */
export const summarize = (pairs: readonly ScoredPair[]): VerificationSummary | null => {
  const same = pairs.filter((p) => p.same).map((p) => p.score);
  const diff = pairs.filter((p) => !p.same).map((p) => p.score);
  if (same.length === 0 || diff.length === 0) return null;
  return {
    genuine: same.length,
    impostor: diff.length,
    auc: rocAuc(pairs),
    eer: eer(pairs),
    tarAtFar1e3: tarAtFar(pairs, 1e-3),
    tarAtFar1e4: tarAtFar(pairs, 1e-4),
    dPrime: dPrime(pairs),
    same: scoreStats(same),
    diff: scoreStats(diff),
    histogram: histogram(pairs),
  };
};

export interface OperatingPoint {
  threshold: number;
  far: number;
  tar: number;
  falseAccepts: number;
  trueAccepts: number;
  genuine: number;
  impostor: number;
}

/** FAR and TAR when accepting `score >= threshold`. */
export const operatingPoint = (pairs: readonly ScoredPair[], threshold: number): OperatingPoint => {
  let fa = 0;
  let ta = 0;
  let g = 0;
  let i = 0;
  for (const p of pairs) {
    if (p.same) {
      g++;
      if (p.score >= threshold) ta++;
    } else {
      i++;
      if (p.score >= threshold) fa++;
    }
  }
  return {
    threshold,
    far: i ? fa / i : Number.NaN,
    tar: g ? ta / g : Number.NaN,
    falseAccepts: fa,
    trueAccepts: ta,
    genuine: g,
    impostor: i,
  };
};

/** A photo searched for some people: its faces' scores per person, and who is really in it. */
export interface PhotoProbe {
  photo: string;
  /** People actually in the photo. */
  truth: string[];
  /** People the photo is searched for (e.g. not the person whose own reference photo it is). */
  searchedFor: string[];
  /** Centroid score of every detected face, per person searched for. */
  faceScores: Record<string, number[]>;
}

export interface PrCounts {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
}

const pr = (tp: number, fp: number, fn: number): PrCounts => ({
  tp,
  fp,
  fn,
  precision: tp + fp ? tp / (tp + fp) : Number.NaN,
  recall: tp + fn ? tp / (tp + fn) : Number.NaN,
});

/** "Photo contains person" decided as the product does: the best face passes the threshold. */
export const photoPrecisionRecall = (
  probes: readonly PhotoProbe[],
  people: readonly string[],
  threshold: number,
): { overall: PrCounts; perPerson: Record<string, PrCounts> } => {
  const perPerson: Record<string, PrCounts> = {};
  let [TP, FP, FN] = [0, 0, 0];
  for (const person of people) {
    let [tp, fp, fn] = [0, 0, 0];
    for (const probe of probes) {
      if (!probe.searchedFor.includes(person)) continue;
      const scores = probe.faceScores[person] ?? [];
      const hit = scores.length > 0 && Math.max(...scores) >= threshold;
      const present = probe.truth.includes(person);
      if (hit && present) tp++;
      else if (hit) fp++;
      else if (present) fn++;
    }
    perPerson[person] = pr(tp, fp, fn);
    TP += tp;
    FP += fp;
    FN += fn;
  }
  return { overall: pr(TP, FP, FN), perPerson };
};

/**
 * Which face is which of the people known to be in a photo (labels carry no positions): the
 * one-to-one assignment with the highest total score; with fewer faces than people some go
 * unassigned (missed). Exhaustive, fine for the handful of people in a group photo.
 */
export const assignFaces = (
  people: readonly string[],
  scoreOf: (person: string, face: number) => number,
  faceCount: number,
): Map<string, number> => {
  let best: { assigned: number; total: number; map: (number | -1)[] } = {
    assigned: -1,
    total: Number.NEGATIVE_INFINITY,
    map: [],
  };
  const used = new Array<boolean>(faceCount).fill(false);
  const current: (number | -1)[] = [];
  const visit = (k: number, assigned: number, total: number): void => {
    if (k === people.length) {
      if (assigned > best.assigned || (assigned === best.assigned && total > best.total)) {
        best = { assigned, total, map: [...current] };
      }
      return;
    }
    for (let f = 0; f < faceCount; f++) {
      if (used[f]) continue;
      used[f] = true;
      current.push(f);
      visit(k + 1, assigned + 1, total + scoreOf(people[k]!, f));
      current.pop();
      used[f] = false;
    }
    // Leaving a person out only helps when there are too few faces to go round.
    if (people.length - k > faceCount - assigned) {
      current.push(-1);
      visit(k + 1, assigned, total);
      current.pop();
    }
  };
  visit(0, 0, 0);
  const out = new Map<string, number>();
  best.map.forEach((f, k) => {
    if (f >= 0) out.set(people[k]!, f);
  });
  return out;
};

export const round = (x: number, digits = 4): number => {
  const m = 10 ** digits;
  return Math.round(x * m) / m;
};
