/**
 * Cohort score normalisation on glint24's verification pairs (issue 13): can normalising a pair's
 * fused score by each face's impostor statistics against a cohort (AS-norm: the mean and spread of
 * its K highest cohort scores) raise TAR at FAR 1e-4, and does the gain survive a fair cohort?
 *
 * Cohorts compared, every pair scored with the shipped fusion (FUSION_WEIGHTS):
 * - disjoint: the faces of identities not in the pair's half (identities split in two, 5 seeded
 *   splits, pairs within a half; raw scores on the same pairs beside it): what a built-in cohort of
 *   strangers would give;
 * - other sets: orl, five_celebrity and bbt faces (other identities, other capture conditions);
 * - the collection itself: every other glint face, no labels used, each identity 1/24 of it;
 * - the collection, unbalanced: each face's cohort is its own identity's 39 other faces plus 5 of
 *   every other identity (own identity ~25 % of the cohort, as "me" is in a family album).
 */
import { type FaceVectors, fusedScore } from '../../core/match/fusion.js';
import { type ScoredPair, tarAtFar } from '../../core/match/roc.js';
import { seededRng } from '../../core/util/seededRng.js';
import { shuffleInPlace } from '../../core/util/shuffleInPlace.js';
import { vectorsOf } from './identityProtocols.js';
import type { Sample } from './identitySamples.js';
import { num, pct, table } from './report.js';

/** Mean and standard deviation of the k highest of `scores`. */
export const topKStats = (scores: readonly number[], k: number): { mean: number; sd: number } => {
  const top = [...scores].sort((x, y) => y - x).slice(0, Math.max(1, k));
  const mean = top.reduce((s, v) => s + v, 0) / top.length;
  const sd = Math.sqrt(top.reduce((s, v) => s + (v - mean) ** 2, 0) / top.length);
  return { mean, sd: Math.max(sd, 1e-6) };
};

/** Symmetric adaptive score normalisation of one pair score. */
export const asNorm = (
  score: number,
  x: { mean: number; sd: number },
  y: { mean: number; sd: number },
): number => 0.5 * ((score - x.mean) / x.sd + (score - y.mean) / y.sd);

export interface CohortRow {
  cohort: string;
  k: number | 'all';
  pairs: number;
  rawTar1e3: number;
  rawTar1e4: number;
  tar1e3: number;
  tar1e4: number;
}

const SPLITS = 5;
const KS = [50, 200, 'all'] as const;

/** The shipped fused score of face x against face y (y as a one-reference template). */
const fused = (x: FaceVectors, y: FaceVectors): number =>
  fusedScore(x, { centroid: y.embedding, descriptorCentroid: y.descriptor });

const tars = (pairs: ScoredPair[]) => [tarAtFar(pairs, 1e-3).tar, tarAtFar(pairs, 1e-4).tar] as const;

export const runCohortNormalisation = (
  samples: readonly Sample[],
): { rows: CohortRow[]; lines: string[] } => {
  const source = { embedding: 'plain', descriptor: 'plain' };
  const glint = samples.filter((s) => s.set === 'glint24');
  const others = samples.filter((s) => s.set !== 'glint24');
  if (glint.length < 2) return { rows: [], lines: [] };
  const gv = glint.map((s) => vectorsOf(s, source));
  const ov = others.map((s) => vectorsOf(s, source));
  const n = glint.length;
  const m = new Float32Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) m[i * n + j] = m[j * n + i] = fused(gv[i]!, gv[j]!);
  const ids = [...new Set(glint.map((s) => s.identity!))];
  const rows: CohortRow[] = [];

  /** Scores every pair within each group raw and normalised by each face's cohort statistics. */
  const evaluate = (
    members: readonly number[][],
    cohortScores: (i: number) => number[],
    k: number | 'all',
  ): { raw: ScoredPair[]; norm: ScoredPair[] } => {
    const raw: ScoredPair[] = [];
    const norm: ScoredPair[] = [];
    for (const group of members) {
      const stats = new Map<number, { mean: number; sd: number }>();
      for (const i of group) {
        const c = cohortScores(i);
        stats.set(i, topKStats(c, k === 'all' ? c.length : k));
      }
      for (let a = 0; a < group.length; a++) {
        for (let b = a + 1; b < group.length; b++) {
          const i = group[a]!;
          const j = group[b]!;
          const s = m[i * n + j]!;
          const same = glint[i]!.identity === glint[j]!.identity;
          raw.push({ score: s, same });
          norm.push({ score: asNorm(s, stats.get(i)!, stats.get(j)!), same });
        }
      }
    }
    return { raw, norm };
  };
  const push = (cohort: string, k: number | 'all', r: { raw: ScoredPair[]; norm: ScoredPair[] }) => {
    const [rawTar1e3, rawTar1e4] = tars(r.raw);
    const [tar1e3, tar1e4] = tars(r.norm);
    rows.push({ cohort, k, pairs: r.raw.length, rawTar1e3, rawTar1e4, tar1e3, tar1e4 });
  };
  const everyone = [glint.map((_, i) => i)];

  // Disjoint identities: pairs within one half, cohort = the other half; the same splits for every K.
  const random = seededRng(13);
  const split: [number[], number[]][] = [];
  for (let r = 0; r < SPLITS; r++) {
    const order = shuffleInPlace([...ids], random);
    const half = new Set(order.slice(0, Math.floor(order.length / 2)));
    const inHalf = everyone[0]!.filter((i) => half.has(glint[i]!.identity!));
    const outHalf = everyone[0]!.filter((i) => !half.has(glint[i]!.identity!));
    split.push([inHalf, outHalf], [outHalf, inHalf]);
  }
  for (const k of KS) {
    // Each (group, cohort) pair is evaluated on its own so a face's statistics use its split's cohort.
    const raw: ScoredPair[] = [];
    const norm: ScoredPair[] = [];
    for (const [group, cohort] of split) {
      const r = evaluate([group], (i) => cohort.map((c) => m[i * n + c]!), k);
      raw.push(...r.raw);
      norm.push(...r.norm);
    }
    push('disjoint identities (other half)', k, { raw, norm });
  }
  // Other sets as the cohort.
  const otherScores = gv.map((x) => ov.map((y) => fused(x, y)));
  for (const k of KS)
    push(
      'other sets (orl, five_celebrity, bbt)',
      k,
      evaluate(everyone, (i) => otherScores[i]!, k),
    );
  // The collection itself, no labels.
  const allBut = (i: number) => {
    const out: number[] = [];
    for (let j = 0; j < n; j++) if (j !== i) out.push(m[i * n + j]!);
    return out;
  };
  for (const k of KS) push('the collection, balanced (1/24 own identity)', k, evaluate(everyone, allBut, k));
  // The collection with the face's own identity over-represented.
  const firstFive = new Set<number>();
  const taken = new Map<string, number>();
  glint.forEach((s, i) => {
    const t = taken.get(s.identity!) ?? 0;
    if (t < 5) firstFive.add(i);
    taken.set(s.identity!, t + 1);
  });
  const unbalanced = (i: number) => {
    const out: number[] = [];
    for (let j = 0; j < n; j++)
      if (j !== i && (glint[j]!.identity === glint[i]!.identity || firstFive.has(j))) out.push(m[i * n + j]!);
    return out;
  };
  for (const k of KS)
    push('the collection, unbalanced (~1/4 own identity)', k, evaluate(everyone, unbalanced, k));

  const lines = [
    '  cohort score normalisation (AS-norm of the fused score, glint24 pairs; raw = same pairs unnormalised)',
    table(
      [
        'cohort',
        'K',
        'pairs',
        'raw TAR@1e-3',
        'raw TAR@1e-4',
        'AS-norm TAR@1e-3',
        'AS-norm TAR@1e-4',
        'gain @1e-4',
      ],
      rows.map((r) => [
        r.cohort,
        String(r.k),
        r.pairs,
        pct(r.rawTar1e3),
        pct(r.rawTar1e4),
        pct(r.tar1e3),
        pct(r.tar1e4),
        num(100 * (r.tar1e4 - r.rawTar1e4), 1),
      ]),
      '  ',
      'l',
    ),
  ];
  return { rows, lines };
};
