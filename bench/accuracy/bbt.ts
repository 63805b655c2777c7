/**
 * bbt: enrol each person from `people/<name>/`, then search `scenes/` (who is in each is listed in
 * scenes.csv, without positions) plus every other person's portraits. Scene faces are matched to
 * the listed people by the one-to-one assignment with the highest total centroid score; faces
 * left over are impostors for everyone.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pickReferenceFace } from '../../core/match/gallery.js';
import { dot } from '../../core/match/similarity.js';
import type { AnalysedPhoto, Analyzer, Variant } from './analyzer.js';
import { detectionStats, type Enrolled, enrol, type NaturalSetResult } from './common.js';
import { listDirs, listFiles } from './images.js';
import { assignFaces, type FaceTrial, type PhotoProbe, round, scoreAll } from './metrics.js';
import { num, table } from './report.js';

const IMAGE_EXTS = ['.jpg', '.jpeg', '.png', '.webp'];
const PAD: Variant = 'pad0.5';

const parseScenes = (csv: string): Map<string, string[]> => {
  const out = new Map<string, string[]>();
  const lines = csv.split(/\r?\n/).filter((l) => l.trim() !== '');
  for (const line of lines.slice(1)) {
    const [image, people] = line.split(',', 2);
    if (!image) continue;
    out.set(
      image.trim(),
      (people ?? '')
        .split(';')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    );
  }
  return out;
};

const meanSelfCosine = (a: readonly AnalysedPhoto[], b: readonly AnalysedPhoto[]): number | null => {
  const sims: number[] = [];
  a.forEach((photo, i) => {
    const fa = pickReferenceFace(photo.analysis.faces);
    const fb = pickReferenceFace(b[i]!.analysis.faces);
    if (fa && fb) sims.push(dot(fa.embedding, fb.embedding));
  });
  return sims.length ? sims.reduce((s, v) => s + v, 0) / sims.length : null;
};

export const runBbt = async (
  analyzer: Analyzer,
  modelSetId: string,
  root: string,
): Promise<NaturalSetResult> => {
  const t0 = performance.now();
  const people = await listDirs(join(root, 'people'));
  const labels = parseScenes(await readFile(join(root, 'scenes.csv'), 'utf8'));
  const sceneFiles = await listFiles(join(root, 'scenes'), IMAGE_EXTS);
  const portraits = new Map<string, string[]>();
  for (const p of people) portraits.set(p, await listFiles(join(root, 'people', p), IMAGE_EXTS));
  const allPortraits = people.flatMap((p) => portraits.get(p)!);

  const scenesP = Promise.all(sceneFiles.map((f) => analyzer.analyze(f)));
  const rawP = Promise.all(allPortraits.map((f) => analyzer.analyze(f)));
  const padP = Promise.all(allPortraits.map((f) => analyzer.analyze(f, PAD)));
  const raw = await rawP;
  const padded = await padP;
  const rawDet = detectionStats(raw);
  const padDet = detectionStats(padded);
  // Pad only if the tight crops defeat the detector and padding actually helps.
  const variant: Variant = rawDet.rate < 0.9 && padDet.rate > rawDet.rate ? PAD : 'raw';

  const enrolled = new Map<string, Enrolled>();
  for (const p of people) enrolled.set(p, await enrol(analyzer, modelSetId, p, portraits.get(p)!, variant));
  const scenes = await scenesP;

  const trials: FaceTrial[] = [];
  const probes: PhotoProbe[] = [];
  const sceneInfo: Record<string, unknown>[] = [];
  const sceneRows: (string | number)[][] = [];
  const notes: string[] = [];

  for (const photo of scenes) {
    const name = basename(photo.path);
    const listed = labels.get(name);
    if (!listed) {
      notes.push(`${name} is not in scenes.csv: skipped`);
      continue;
    }
    const unknown = listed.filter((p) => !people.includes(p));
    if (unknown.length) notes.push(`${name}: ${unknown.join(', ')} listed but not enrolled`);
    const faces = photo.analysis.faces;
    const scores = faces.map((f) =>
      Object.fromEntries(people.map((p) => [p, scoreAll(enrolled.get(p)!.gallery, f.embedding)])),
    );
    const inScene = listed.filter((p) => people.includes(p));
    const assignment = assignFaces(inScene, (p, i) => scores[i]![p]!.centroid, faces.length);
    const who = new Map<number, string>([...assignment].map(([p, i]) => [i, p]));
    faces.forEach((_, i) => {
      for (const p of people) {
        trials.push({
          person: p,
          probe: `scenes/${name}#${i}`,
          same: who.get(i) === p,
          scores: scores[i]![p]!,
        });
      }
    });
    probes.push({
      photo: `scenes/${name}`,
      truth: listed,
      searchedFor: people,
      faceScores: Object.fromEntries(people.map((p) => [p, scores.map((s) => s[p]!.centroid)])),
    });
    sceneInfo.push({
      scene: name,
      listed: listed.length,
      detected: faces.length,
      assignment: Object.fromEntries(
        [...assignment].map(([p, i]) => [
          p,
          {
            face: i,
            score: round(scores[i]![p]!.centroid),
            bestOtherPerson: round(
              Math.max(...people.filter((q) => q !== p).map((q) => scores[i]![q]!.centroid)),
            ),
          },
        ]),
      ),
      missed: inScene.filter((p) => !assignment.has(p)),
    });
    const own = [...assignment].map(([p, i]) => scores[i]![p]!.centroid);
    const margin = [...assignment].map(
      ([p, i]) =>
        scores[i]![p]!.centroid -
        Math.max(...people.filter((q) => q !== p).map((q) => scores[i]![q]!.centroid)),
    );
    sceneRows.push([
      name,
      listed.length,
      faces.length,
      inScene.filter((p) => !assignment.has(p)).join(',') || '-',
      own.length ? num(Math.min(...own)) : '-',
      margin.length ? num(Math.min(...margin)) : '-',
    ]);
  }

  // Other people's portraits: every face in them is an impostor for everyone but their owner.
  const portraitPhotos = variant === 'raw' ? raw : padded;
  people.forEach((owner) => {
    for (const path of portraits.get(owner)!) {
      const photo = portraitPhotos[allPortraits.indexOf(path)]!;
      const others = people.filter((p) => p !== owner);
      const id = `people/${owner}/${basename(path)}`;
      const faceScores: Record<string, number[]> = {};
      for (const p of others) {
        const g = enrolled.get(p)!.gallery;
        const s = photo.analysis.faces.map((f) => scoreAll(g, f.embedding));
        faceScores[p] = s.map((x) => x.centroid);
        s.forEach((x, i) => {
          trials.push({ person: p, probe: `${id}#${i}`, same: false, scores: x });
        });
      }
      probes.push({ photo: id, truth: [owner], searchedFor: others, faceScores });
    }
  });

  notes.unshift(
    'scene faces are matched to the people scenes.csv lists by the best one-to-one assignment on centroid ' +
      'score (labels carry no positions); unassigned faces are impostors',
    `portraits: faces detected in ${rawDet.withFace}/${rawDet.images} as they are, ` +
      `${padDet.withFace}/${padDet.images} padded by 50% (edge pixels repeated); ` +
      `enrolled from ${variant === 'raw' ? 'the unpadded portraits' : 'padded portraits'}`,
  );
  const genuine = trials.filter((t) => t.same).length;
  const listedTotal = [...labels.values()].reduce((s, l) => s + l.length, 0);
  notes.push(`${genuine} of ${listedTotal} listed scene appearances have a face labelled as the person`);

  const cosine = meanSelfCosine(raw, padded);
  const extraLines = [
    table(['scene', 'listed', 'faces', 'missed', 'min own score', 'min margin over next person'], sceneRows),
    `  cosine between a portrait's embedding as-is and padded by 50%: mean ${num(cosine)}`,
  ];
  return {
    name: 'bbt',
    extraLines,
    notes,
    people,
    galleries: people.map((p) => enrolled.get(p)!.info),
    trials,
    probes,
    detection: {
      portraits: rawDet,
      'portraits padded 50%': padDet,
      scenes: detectionStats(scenes),
    },
    extra: {
      portraitVariant: variant,
      paddedVsRawMeanCosine: cosine,
      scenes: sceneInfo,
    },
    ms: performance.now() - t0,
  };
};
