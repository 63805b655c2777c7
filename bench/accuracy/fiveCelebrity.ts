/**
 * five_celebrity: `<person>/train_*` enrols the person, every face of every `<person>/val_*` photo
 * is scored against every person's gallery. The folder names the one celebrity a val photo is of;
 * when it shows several faces, the one scoring highest against that celebrity's gallery is taken
 * as them (a person appears once per photo) and the others as other people.
 */
import { basename, join } from 'node:path';
import type { Analyzer } from './analyzer.js';
import { detectionStats, type Enrolled, enrol, type NaturalSetResult } from './common.js';
import { listDirs, listFiles } from './images.js';
import { assignFaces, type FaceTrial, type PhotoProbe, round, scoreAll } from './metrics.js';

const IMAGE_EXTS = ['.jpg', '.jpeg', '.png', '.webp'];

export const runFiveCelebrity = async (
  analyzer: Analyzer,
  modelSetId: string,
  root: string,
): Promise<NaturalSetResult> => {
  const t0 = performance.now();
  const people = await listDirs(root);
  const files = new Map<string, { train: string[]; val: string[] }>();
  for (const person of people) {
    const all = await listFiles(join(root, person), IMAGE_EXTS);
    files.set(person, {
      train: all.filter((f) => basename(f).startsWith('train_')),
      val: all.filter((f) => basename(f).startsWith('val_')),
    });
  }
  // Queue every analysis up front so both lanes stay busy.
  const allTrain = people.flatMap((p) => files.get(p)!.train);
  const allVal = people.flatMap((p) => files.get(p)!.val.map((path) => ({ person: p, path })));
  const trainPhotos = Promise.all(allTrain.map((f) => analyzer.analyze(f)));
  const valPhotos = Promise.all(allVal.map((v) => analyzer.analyze(v.path)));

  const enrolled = new Map<string, Enrolled>();
  for (const person of people) {
    enrolled.set(person, await enrol(analyzer, modelSetId, person, files.get(person)!.train));
  }
  const val = await valPhotos;

  const trials: FaceTrial[] = [];
  const probes: PhotoProbe[] = [];
  const perPhoto: Record<string, unknown>[] = [];
  let labelledNotLargest = 0;
  val.forEach((photo, k) => {
    const truth = allVal[k]!.person;
    const faces = photo.analysis.faces;
    const scores = faces.map((f) =>
      Object.fromEntries(people.map((p) => [p, scoreAll(enrolled.get(p)!.gallery, f.embedding)])),
    );
    const assigned = assignFaces([truth], (p, i) => scores[i]![p]!.centroid, faces.length).get(truth) ?? -1;
    const largest = faces.length
      ? faces.reduce((b, f, i) => (f.box.y2 - f.box.y1 > faces[b]!.box.y2 - faces[b]!.box.y1 ? i : b), 0)
      : -1;
    if (faces.length > 1 && assigned !== largest) labelledNotLargest++;
    const id = `${truth}/${basename(photo.path)}`;
    faces.forEach((_, i) => {
      for (const p of people) {
        trials.push({
          person: p,
          probe: `${id}#${i}`,
          same: p === truth && i === assigned,
          scores: scores[i]![p]!,
        });
      }
    });
    probes.push({
      photo: id,
      truth: [truth],
      searchedFor: people,
      faceScores: Object.fromEntries(people.map((p) => [p, scores.map((s) => s[p]!.centroid)])),
    });
    perPhoto.push({
      photo: id,
      faces: faces.length,
      labelledFace: assigned,
      ownScore: assigned >= 0 ? round(scores[assigned]![truth]!.centroid) : null,
      bestOther: faces.length
        ? round(
            Math.max(...scores.flatMap((s) => people.filter((p) => p !== truth).map((p) => s[p]!.centroid))),
          )
        : null,
    });
  });

  const notes = [
    'val photo identity = its folder; in a multi-face val photo the face scoring highest against that ' +
      "person's centroid is labelled as them, the other faces as impostors for everyone",
  ];
  const multi = val.filter((p) => p.analysis.faces.length > 1).length;
  if (multi) {
    notes.push(
      `${multi} val photo(s) have several faces; the face labelled as the person is not the largest in ${labelledNotLargest} of them`,
    );
  }
  const noFace = val.filter((p) => p.analysis.faces.length === 0).length;
  if (noFace)
    notes.push(`${noFace} val photo(s) have no detected face: misses at photo level, no face trial`);

  return {
    name: 'five_celebrity',
    notes,
    people,
    galleries: people.map((p) => enrolled.get(p)!.info),
    trials,
    probes,
    detection: { train: detectionStats(await trainPhotos), val: detectionStats(val) },
    extra: { valPhotos: perPhoto },
    ms: performance.now() - t0,
  };
};
