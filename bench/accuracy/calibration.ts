/**
 * Threshold calibration: pool the genuine/impostor scores of every set and take the lowest
 * threshold whose pooled FAR is at most the target; show what it does to each set. Also compares
 * gallery scoring strategies on the natural-photo sets.
 */
import { DEFAULT_THRESHOLD } from '../../core/match/defaults.js';
import {
  dPrime,
  type EqualErrorRate,
  eer,
  rocAuc,
  type ScoredPair,
  type TarAtFar,
  tarAtFar,
} from '../../core/match/roc.js';
import type { NaturalSetResult } from './common.js';
import type { GlintResult } from './glint24.js';
import { type OperatingPoint, operatingPoint, pairsOf, STRATEGIES, type Strategy } from './metrics.js';

export const TARGET_FAR = 1e-3;

export interface PoolResult {
  sets: string[];
  genuine: number;
  impostor: number;
  atTarget: TarAtFar;
  eer: EqualErrorRate;
}

export interface SetOperatingPoints {
  set: string;
  /** This set's own lowest threshold with FAR <= target. */
  ownAtTarget: TarAtFar;
  ownEer: EqualErrorRate;
  atDefault: OperatingPoint;
  atRecommended: OperatingPoint;
  atRecommendedRounded: OperatingPoint;
  atPooledEer: OperatingPoint;
  atNaturalOnly: OperatingPoint;
  atWorstSet: OperatingPoint;
}

export interface StrategyResult {
  auc: number;
  dPrime: number;
  eer: EqualErrorRate;
  atFar1e3: TarAtFar;
}

export interface Calibration {
  targetFar: number;
  defaultThreshold: number;
  pooled: PoolResult;
  naturalOnly: PoolResult | null;
  recommended: { threshold: number; rounded: number; rule: string };
  /** Alternative: the lowest threshold at which every set with enough impostors to measure the target has FAR <= target. */
  worstSet: { threshold: number; rounded: number; sets: string[]; rule: string };
  perSet: SetOperatingPoints[];
  strategies: Record<string, Record<Strategy, StrategyResult | null>>;
}

const pool = (named: readonly { name: string; pairs: readonly ScoredPair[] }[]): PoolResult | null => {
  const pairs = named.flatMap((n) => n.pairs);
  const genuine = pairs.filter((p) => p.same).length;
  if (genuine === 0 || genuine === pairs.length) return null;
  return {
    sets: named.map((n) => n.name),
    genuine,
    impostor: pairs.length - genuine,
    atTarget: tarAtFar(pairs, TARGET_FAR),
    eer: eer(pairs),
  };
};

/** Two decimals, rounded up so the rounded threshold is never more permissive than the exact one. */
export const roundUp = (t: number): number => Math.ceil(t * 100 - 1e-9) / 100;

const strategyResult = (pairs: readonly ScoredPair[]): StrategyResult | null => {
  const g = pairs.filter((p) => p.same).length;
  if (g === 0 || g === pairs.length) return null;
  return { auc: rocAuc(pairs), dPrime: dPrime(pairs), eer: eer(pairs), atFar1e3: tarAtFar(pairs, 1e-3) };
};

export const calibrate = (
  natural: readonly NaturalSetResult[],
  glint: GlintResult | null,
): Calibration | null => {
  const named = natural.map((s) => ({ name: s.name, pairs: pairsOf(s.trials, 'centroid') }));
  if (glint) named.push({ name: 'glint24 (pairs)', pairs: glint.pairs });
  const pooled = pool(named);
  if (!pooled) return null;
  const naturalOnly = pool(named.filter((n) => !n.name.startsWith('glint24')));
  const threshold = pooled.atTarget.threshold;
  const rounded = roundUp(threshold);

  const own = named.map((n) => ({ name: n.name, at: tarAtFar(n.pairs, TARGET_FAR) }));
  const measurable = own.filter((o) => o.at.resolved);
  const worstThreshold = measurable.length ? Math.max(...measurable.map((o) => o.at.threshold)) : threshold;
  const worstRounded = roundUp(worstThreshold);

  const perSet = named.map((n) => ({
    set: n.name,
    ownAtTarget: tarAtFar(n.pairs, TARGET_FAR),
    ownEer: eer(n.pairs),
    atDefault: operatingPoint(n.pairs, DEFAULT_THRESHOLD),
    atRecommended: operatingPoint(n.pairs, threshold),
    atRecommendedRounded: operatingPoint(n.pairs, rounded),
    atPooledEer: operatingPoint(n.pairs, pooled.eer.threshold),
    atNaturalOnly: operatingPoint(n.pairs, naturalOnly?.atTarget.threshold ?? Number.NaN),
    atWorstSet: operatingPoint(n.pairs, worstRounded),
  }));

  const strategies: Calibration['strategies'] = {};
  for (const s of natural) {
    strategies[s.name] = Object.fromEntries(
      STRATEGIES.map((st) => [st, strategyResult(pairsOf(s.trials, st))]),
    ) as Record<Strategy, StrategyResult | null>;
  }
  strategies['pooled natural'] = Object.fromEntries(
    STRATEGIES.map((st) => [st, strategyResult(natural.flatMap((s) => pairsOf(s.trials, st)))]),
  ) as Record<Strategy, StrategyResult | null>;

  return {
    targetFar: TARGET_FAR,
    defaultThreshold: DEFAULT_THRESHOLD,
    pooled,
    naturalOnly,
    recommended: {
      threshold,
      rounded,
      rule: `lowest threshold whose pooled FAR <= ${TARGET_FAR} (pool: ${named.map((n) => n.name).join(', ')}; centroid scores), rounded up to 0.01`,
    },
    worstSet: {
      threshold: worstThreshold,
      rounded: worstRounded,
      sets: measurable.map((o) => o.name),
      rule: `lowest threshold with FAR <= ${TARGET_FAR} on every set that has at least 1/FAR impostors (${measurable.map((o) => o.name).join(', ')}), rounded up to 0.01`,
    },
    perSet,
    strategies,
  };
};
