/**
 * orl: s1..s40, ten 92x112 greyscale PGM shots each. Enrol from shots 1-5, test on 6-10: each test
 * shot's face (pickReferenceFace) against every subject's gallery. Run both as-is and padded by
 * 50% (edge pixels repeated), to see whether tight crops need context.
 */
import { basename, join } from 'node:path';
import { pickReferenceFace } from '../../core/match/gallery.js';
import { dot } from '../../core/match/similarity.js';
import type { Analyzer, Variant } from './analyzer.js';
import {
  type DetectionStats,
  detectionStats,
  type Enrolled,
  enrol,
  type NaturalSetResult,
} from './common.js';
import { listDirs, listFiles } from './images.js';
import {
  type FaceTrial,
  type PhotoProbe,
  pairsOf,
  STRATEGIES,
  scoreAll,
  summarize,
  type VerificationSummary,
} from './metrics.js';
import { num, pct, table } from './report.js';

const ENROL = new Set(['1', '2', '3', '4', '5']);

interface VariantRun {
  variant: Variant;
  detection: DetectionStats;
  galleries: Enrolled[];
  trials: FaceTrial[];
  probes: PhotoProbe[];
  extraFaces: number;
}

const subjectOrder = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });

const runVariant = async (
  analyzer: Analyzer,
  modelSetId: string,
  people: string[],
  shots: Map<string, string[]>,
  variant: Variant,
): Promise<VariantRun> => {
  const all = people.flatMap((p) => shots.get(p)!);
  const photos = await Promise.all(all.map((f) => analyzer.analyze(f, variant)));
  const byPath = new Map(photos.map((p) => [p.path, p]));
  const isEnrol = (f: string): boolean => ENROL.has(basename(f).replace(/\.pgm$/i, ''));
  const galleries: Enrolled[] = [];
  for (const p of people) {
    galleries.push(await enrol(analyzer, modelSetId, p, shots.get(p)!.filter(isEnrol), variant));
  }
  const trials: FaceTrial[] = [];
  const probes: PhotoProbe[] = [];
  let extraFaces = 0;
  for (const owner of people) {
    for (const path of shots.get(owner)!.filter((f) => !isEnrol(f))) {
      const photo = byPath.get(path)!;
      extraFaces += Math.max(0, photo.analysis.faces.length - 1);
      const face = pickReferenceFace(photo.analysis.faces);
      const id = `${owner}/${basename(path)}`;
      const faceScores: Record<string, number[]> = {};
      people.forEach((p, k) => {
        const s = face ? scoreAll(galleries[k]!.gallery, face.embedding) : undefined;
        faceScores[p] = s ? [s.centroid] : [];
        if (s) trials.push({ person: p, probe: id, same: p === owner, scores: s });
      });
      probes.push({ photo: id, truth: [owner], searchedFor: people, faceScores });
    }
  }
  return { variant, detection: detectionStats(photos), galleries, trials, probes, extraFaces };
};

export const runOrl = async (
  analyzer: Analyzer,
  modelSetId: string,
  root: string,
): Promise<NaturalSetResult> => {
  const t0 = performance.now();
  const people = (await listDirs(root)).sort(subjectOrder);
  const shots = new Map<string, string[]>();
  for (const p of people) shots.set(p, await listFiles(join(root, p), ['.pgm']));

  const raw = await runVariant(analyzer, modelSetId, people, shots, 'raw');
  const padded = await runVariant(analyzer, modelSetId, people, shots, 'pad0.5');
  const main = raw.detection.rate >= 0.95 || raw.detection.rate >= padded.detection.rate ? raw : padded;

  const variantSummary = (v: VariantRun): Record<string, VerificationSummary | null> =>
    Object.fromEntries(STRATEGIES.map((s) => [s, summarize(pairsOf(v.trials, s))]));
  // Same-photo embedding drift caused by padding.
  const drift: number[] = [];
  for (const p of people) {
    for (const path of shots.get(p)!) {
      const a = pickReferenceFace((await analyzer.analyze(path, 'raw')).analysis.faces);
      const b = pickReferenceFace((await analyzer.analyze(path, 'pad0.5')).analysis.faces);
      if (a && b) drift.push(dot(a.embedding, b.embedding));
    }
  }

  const notes = [
    analyzer.pgmFallbacks > 0
      ? `engine.analyze refused PGM (${analyzer.pgmFallbacks} files): the bench decoded them itself and called analyzeDecoded`
      : 'shots read by engine.analyze itself (PGM)',
    `faces detected in ${raw.detection.withFace}/${raw.detection.images} shots as they are, ` +
      `${padded.detection.withFace}/${padded.detection.images} padded by 50%; ` +
      `statistics below use the ${main.variant === 'raw' ? 'unpadded' : 'padded'} shots`,
    `enrol from shots 1-5, test shots 6-10 (one face each, pickReferenceFace); extra detections ignored: ${main.extraFaces}`,
  ];
  const variantRow = (label: string, v: VariantRun): (string | number)[] => {
    const r = summarize(pairsOf(v.trials, 'centroid'));
    return [
      label,
      `${v.detection.withFace}/${v.detection.images}`,
      r?.genuine ?? 0,
      r?.impostor ?? 0,
      num(r?.auc, 4),
      num(r?.dPrime, 2),
      pct(r?.eer.rate, 2),
      r ? `${pct(r.tarAtFar1e3.tar)} @${num(r.tarAtFar1e3.threshold)}` : '-',
      num(r?.diff.max),
    ];
  };
  const extraLines = [
    table(
      ['ORL input', 'detected', 'genuine', 'impostor', 'AUC', "d'", 'EER', 'TAR@FAR1e-3', 'max impostor'],
      [variantRow('as-is 92x112', raw), variantRow('padded 50% (184x204)', padded)],
    ),
    `  cosine between a shot's embedding as-is and padded by 50%: mean ${num(drift.length ? drift.reduce((s, v) => s + v, 0) / drift.length : Number.NaN)}, min ${num(drift.length ? Math.min(...drift) : Number.NaN)}`,
  ];
  return {
    name: 'orl',
    extraLines,
    notes,
    people,
    galleries: main.galleries.map((g) => g.info),
    trials: main.trials,
    probes: main.probes,
    detection: { 'as-is': raw.detection, 'padded 50%': padded.detection },
    extra: {
      variantUsed: main.variant,
      byVariant: { raw: variantSummary(raw), 'pad0.5': variantSummary(padded) },
      paddedVsRawMeanCosine: drift.length ? drift.reduce((s, v) => s + v, 0) / drift.length : null,
      paddedVsRawMinCosine: drift.length ? Math.min(...drift) : null,
    },
    ms: performance.now() - t0,
  };
};
