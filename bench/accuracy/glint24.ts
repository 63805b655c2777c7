/**
 * glint24: 112x112 faces already aligned to the ArcFace template, 40 per identity. Every image is
 * embedded with `embedAligned`; every same-identity pair is genuine and every cross-identity pair
 * an impostor (all of them, no sampling).
 */
import { basename, join } from 'node:path';
import { type KFoldAccuracy, kFoldAccuracy, type ScoredPair } from '../../core/match/roc.js';
import { seededRng } from '../../core/util/seededRng.js';
import { shuffleInPlace } from '../../core/util/shuffleInPlace.js';
import { median } from '../median.js';
import type { Analyzer } from './analyzer.js';
import { listDirs, listFiles } from './images.js';
import { round, summarize, type VerificationSummary } from './metrics.js';

export interface GlintResult {
  name: 'glint24';
  notes: string[];
  identities: number;
  images: number;
  pairs: ScoredPair[];
  summary: VerificationSummary | null;
  kFold: KFoldAccuracy | null;
  perIdentity: { identity: string; images: number; genuineMean: number; genuineP05: number }[];
  suspectImages: { image: string; medianOwn: number }[];
  ms: number;
}

const SUSPECT_BELOW = 0.2;

export const runGlint24 = async (analyzer: Analyzer, root: string): Promise<GlintResult> => {
  const t0 = performance.now();
  const identities = await listDirs(root);
  const items: { identity: string; path: string }[] = [];
  for (const id of identities) {
    for (const path of await listFiles(join(root, id), ['.png', '.jpg', '.jpeg']))
      items.push({ identity: id, path });
  }
  const embeddings = await Promise.all(items.map((it) => analyzer.embedAligned(it.path)));
  const n = items.length;
  const dim = embeddings[0]?.length ?? 0;
  const m = new Float32Array(n * dim);
  embeddings.forEach((e, i) => {
    m.set(e, i * dim);
  });
  const sim = (i: number, j: number): number => {
    let s = 0;
    const a = i * dim;
    const b = j * dim;
    for (let k = 0; k < dim; k++) s += m[a + k]! * m[b + k]!;
    return s;
  };

  const pairs: ScoredPair[] = [];
  const own: number[][] = items.map(() => []);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const same = items[i]!.identity === items[j]!.identity;
      const score = sim(i, j);
      pairs.push({ score, same });
      if (same) {
        own[i]!.push(score);
        own[j]!.push(score);
      }
    }
  }

  const suspectImages = items
    .map((it, i) => ({ image: `${it.identity}/${basename(it.path)}`, medianOwn: round(median(own[i]!)) }))
    .filter((x) => x.medianOwn < SUSPECT_BELOW)
    .sort((a, b) => a.medianOwn - b.medianOwn);

  const perIdentity = identities.map((identity) => {
    const scores: number[] = [];
    const idx = items.flatMap((it, i) => (it.identity === identity ? [i] : []));
    for (let a = 0; a < idx.length; a++)
      for (let b = a + 1; b < idx.length; b++) scores.push(sim(idx[a]!, idx[b]!));
    scores.sort((x, y) => x - y);
    return {
      identity,
      images: idx.length,
      genuineMean: round(scores.reduce((s, v) => s + v, 0) / Math.max(1, scores.length)),
      genuineP05: round(scores[Math.floor(0.05 * (scores.length - 1))] ?? Number.NaN),
    };
  });

  // LFW-style 10-fold accuracy on a balanced set: every genuine pair and as many impostors,
  // drawn with a fixed seed.
  let kFold: KFoldAccuracy | null = null;
  const genuine = pairs.filter((p) => p.same);
  const impostor = pairs.filter((p) => !p.same);
  if (genuine.length >= 10 && impostor.length >= genuine.length) {
    const rnd = seededRng(20240601);
    const pool = [...impostor];
    for (let i = 0; i < genuine.length; i++) {
      const j = i + Math.floor(rnd() * (pool.length - i));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    const balanced = [...genuine, ...pool.slice(0, genuine.length)];
    const order = shuffleInPlace(
      balanced.map((_, i) => i),
      rnd,
    );
    kFold = kFoldAccuracy(order.map((i, k) => ({ ...balanced[i]!, fold: (k % 10) + 1 })));
  }

  return {
    name: 'glint24',
    notes: [
      'pre-aligned crops fed to embedAligned; all genuine pairs and all impostor pairs (no sampling)',
      'Glint360K is a training set: a model trained on it has seen these images; labels may be noisy',
      `k-fold: 10-fold accuracy on all ${genuine.length} genuine pairs + as many impostor pairs drawn with a fixed seed`,
    ],
    identities: identities.length,
    images: n,
    pairs,
    summary: summarize(pairs),
    kFold,
    perIdentity,
    suspectImages,
    ms: performance.now() - t0,
  };
};
