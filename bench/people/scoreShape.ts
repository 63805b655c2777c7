/**
 * The shape of impostor scores of a set of people against faces: where each person's impostor
 * scores sit (median), how spread they are (1.4826 MAD), and how heavy the pooled tail is after
 * each person's standardisation. Used to check that synthetic people score against real faces like
 * real people do before trusting them as distractors.
 */
import { PeopleMatrix, type PersonModel } from '../../core/decide/PeopleMatrix.js';
import type { FaceVectors } from '../../core/match/fusion.js';
import { robustFit } from './cohortCheck.js';

export const SHAPE_FARS = [1e-2, 1e-3, 1e-4] as const;

export interface ScoreShape {
  people: number;
  pairs: number;
  /** Median over people of their impostor median, and of their spread. */
  median: number;
  spread: number;
  /** Standardised impostor score reached by a fraction far of the pairs (null: too few above). */
  z: (number | null)[];
  /** Raw impostor score reached by a fraction far of the pairs (null: too few above). */
  tail: (number | null)[];
  /** Impostor pairs at or above 0.40 and 0.50, per pair. */
  farAt040: number;
  farAt050: number;
}

const mid = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

export interface ShapeGroup {
  people: readonly PersonModel[];
  probes: readonly FaceVectors[];
  /** Probe i is person j (left out of that person's impostor scores); never, for synthetic people. */
  genuine?: (probe: number, person: number) => boolean;
}

const quantiles = (desc: Float64Array): (number | null)[] =>
  SHAPE_FARS.map((far) => {
    const k = Math.floor(far * desc.length);
    return k >= 5 ? desc[k]! : null;
  });

/** The impostor shape of several groups of people and probes (e.g. folds) pooled. */
export const scoreShape = (groups: readonly ShapeGroup[]): ScoreShape => {
  const medians: number[] = [];
  const spreads: number[] = [];
  const z: number[] = [];
  const raw: number[] = [];
  let people = 0;
  const col: number[] = [];
  for (const g of groups) {
    const m = PeopleMatrix.build(g.people.map((p) => ({ ...p, threshold: 0 })));
    const S = m.score(g.probes);
    const P = m.size;
    people += P;
    for (let j = 0; j < P; j++) {
      col.length = 0;
      for (let i = 0; i < g.probes.length; i++) if (!g.genuine?.(i, j)) col.push(S[i * P + j]!);
      const fit = robustFit(col);
      medians.push(fit.median);
      spreads.push(fit.spread);
      for (const s of col) {
        z.push((s - fit.median) / fit.spread);
        raw.push(s);
      }
    }
  }
  const zDesc = Float64Array.from(z).sort().reverse();
  const rawDesc = Float64Array.from(raw).sort().reverse();
  const above = (t: number): number => {
    let n = 0;
    while (n < rawDesc.length && rawDesc[n]! >= t) n++;
    return rawDesc.length ? n / rawDesc.length : Number.NaN;
  };
  return {
    people,
    pairs: rawDesc.length,
    median: mid(medians),
    spread: mid(spreads),
    z: quantiles(zDesc),
    tail: quantiles(rawDesc),
    farAt040: above(0.4),
    farAt050: above(0.5),
  };
};

/**
 * How far a synthetic shape is from the real one, in units of the real spread: where people's
 * impostor scores sit and spread (what their calibrated thresholds follow) and the pooled raw tail
 * at 1e-2 … 1e-4 of the pairs (what false matches at those thresholds follow).
 */
export const shapeDistance = (synthetic: ScoreShape, real: ScoreShape): number => {
  let d =
    ((synthetic.median - real.median) / real.spread) ** 2 +
    (5 * Math.log(synthetic.spread / real.spread)) ** 2;
  synthetic.tail.forEach((a, i) => {
    const b = real.tail[i];
    if (a !== null && b !== null && b !== undefined) d += ((a - b) / real.spread) ** 2;
  });
  return d;
};
