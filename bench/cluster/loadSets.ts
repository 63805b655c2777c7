/**
 * The development sets as labelled faces, through the real engine: glint24 crops embedded directly
 * (they are already aligned), every face the engine finds in orl, five_celebrity and bbt photos.
 * Which face of a multi-face photo is the labelled person is decided the way the accuracy
 * benchmark does it; the others become singleton `~` identities.
 */
import { readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { centroidOf, pickReferenceFace } from '../../core/match/gallery.js';
import { dot } from '../../core/match/similarity.js';
import type { Face } from '../../core/types.js';
import type { AnalysedPhoto, Analyzer, Variant } from '../accuracy/analyzer.js';
import { listDirs, listFiles } from '../accuracy/images.js';
import { assignFaces } from '../accuracy/metrics.js';
import type { LabelledFace, LabelledSet } from './labelledSet.js';

const IMAGE_EXTS = ['.jpg', '.jpeg', '.png', '.webp'];

export const CLUSTER_SETS = ['glint24', 'orl', 'five_celebrity', 'bbt'] as const;
export type ClusterSetName = (typeof CLUSTER_SETS)[number];

const faceOf = (id: string, label: string, f: Face): LabelledFace => ({
  id,
  label,
  embedding: f.embedding,
  ...(f.descriptor ? { descriptor: f.descriptor } : {}),
  quality: f.quality,
  size: f.box.y2 - f.box.y1,
});

/** The photo files a set is built from, for the cache key. */
export const setFiles = async (name: ClusterSetName, root: string): Promise<string[]> => {
  if (name === 'glint24') {
    const out: string[] = [];
    for (const id of await listDirs(root)) out.push(...(await listFiles(join(root, id), ['.png', '.jpg'])));
    return out;
  }
  if (name === 'orl') {
    const out: string[] = [];
    for (const s of await listDirs(root)) out.push(...(await listFiles(join(root, s), ['.pgm'])));
    return out;
  }
  if (name === 'five_celebrity') {
    const out: string[] = [];
    for (const p of await listDirs(root)) out.push(...(await listFiles(join(root, p), IMAGE_EXTS)));
    return out;
  }
  const out = await listFiles(join(root, 'scenes'), IMAGE_EXTS);
  for (const p of await listDirs(join(root, 'people')))
    out.push(...(await listFiles(join(root, 'people', p), IMAGE_EXTS)));
  return [...out, join(root, 'scenes.csv')];
};

const loadGlint24 = async (analyzer: Analyzer, root: string): Promise<LabelledSet> => {
  const items: { label: string; path: string }[] = [];
  for (const id of await listDirs(root)) {
    for (const path of await listFiles(join(root, id), ['.png', '.jpg'])) items.push({ label: id, path });
  }
  const faces = await Promise.all(
    items.map(async (it) => {
      const embedding = await analyzer.embedAligned(it.path);
      return { id: relative(root, it.path), label: it.label, embedding, quality: 1, size: 112 };
    }),
  );
  return {
    name: 'glint24',
    faces,
    notes: ['112x112 crops already aligned: embedded directly (embedAligned), quality 1, size 112 px'],
  };
};

/** Every face of every photo; the labelled one is `pick(photo)` (index or -1), the rest singletons. */
const photoFaces = (
  root: string,
  photo: AnalysedPhoto,
  label: string,
  labelled: number,
  out: LabelledFace[],
): void => {
  const rel = relative(root, photo.path);
  photo.analysis.faces.forEach((f, i) => {
    const id = `${rel}#${i}`;
    out.push(faceOf(id, i === labelled ? label : `~${id}`, f));
  });
};

const loadOrl = async (analyzer: Analyzer, root: string): Promise<LabelledSet> => {
  const subjects = (await listDirs(root)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const faces: LabelledFace[] = [];
  let missing = 0;
  let extra = 0;
  const photos = await Promise.all(
    subjects.map(async (s) => {
      const files = await listFiles(join(root, s), ['.pgm']);
      return { s, photos: await Promise.all(files.map((f) => analyzer.analyze(f))) };
    }),
  );
  for (const { s, photos: shots } of photos) {
    for (const photo of shots) {
      const main = pickReferenceFace(photo.analysis.faces);
      if (!main) missing++;
      extra += Math.max(0, photo.analysis.faces.length - 1);
      photoFaces(root, photo, s, main ? photo.analysis.faces.indexOf(main) : -1, faces);
    }
  }
  return {
    name: 'orl',
    faces,
    notes: [
      `every face found in the 92x112 shots as they are; the largest clearest is the subject (no face in ${missing} shots; ${extra} extra detections as singletons)`,
    ],
  };
};

const loadFiveCelebrity = async (analyzer: Analyzer, root: string): Promise<LabelledSet> => {
  const people = await listDirs(root);
  const faces: LabelledFace[] = [];
  let multi = 0;
  let none = 0;
  const all = await Promise.all(
    people.map(async (p) => {
      const files = await listFiles(join(root, p), IMAGE_EXTS);
      return { p, photos: await Promise.all(files.map((f) => analyzer.analyze(f))) };
    }),
  );
  for (const { p, photos } of all) {
    // The person's look from their single-face photos decides which face of a group photo is them.
    const singles = photos.filter((x) => x.analysis.faces.length === 1).map((x) => x.analysis.faces[0]!);
    const template = singles.length ? centroidOf(singles.map((f) => f.embedding)) : undefined;
    for (const photo of photos) {
      const fs = photo.analysis.faces;
      if (fs.length === 0) none++;
      if (fs.length > 1) multi++;
      let labelled = fs.length === 1 ? 0 : -1;
      if (fs.length > 1 && template) {
        labelled = fs.reduce(
          (b, f, i) => (dot(f.embedding, template) > dot(fs[b]!.embedding, template) ? i : b),
          0,
        );
      }
      photoFaces(root, photo, p, labelled, faces);
    }
  }
  return {
    name: 'five_celebrity',
    faces,
    notes: [
      `all photos (train_ and val_), every face; ${multi} photos with several faces: the one closest to the person's single-face template is them, the others singletons; ${none} photos without a face`,
    ],
  };
};

const parseScenes = (csv: string): Map<string, string[]> => {
  const out = new Map<string, string[]>();
  for (const line of csv.split(/\r?\n/).slice(1)) {
    const [image, people] = line.split(',', 2);
    if (!image?.trim()) continue;
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

const loadBbt = async (analyzer: Analyzer, root: string): Promise<LabelledSet> => {
  const people = await listDirs(join(root, 'people'));
  const labels = parseScenes(await readFile(join(root, 'scenes.csv'), 'utf8'));
  const portraitFiles = new Map<string, string[]>();
  for (const p of people) portraitFiles.set(p, await listFiles(join(root, 'people', p), IMAGE_EXTS));
  const all = people.flatMap((p) => portraitFiles.get(p)!);
  const raw = await Promise.all(all.map((f) => analyzer.analyze(f)));
  const rate = (xs: AnalysedPhoto[]): number => xs.filter((x) => x.analysis.faces.length).length / xs.length;
  let variant: Variant = 'raw';
  let portraits = raw;
  if (rate(raw) < 0.9) {
    // Tight 150x150 crops: the accuracy benchmark pads them when that finds more faces.
    const padded = await Promise.all(all.map((f) => analyzer.analyze(f, 'pad0.5')));
    if (rate(padded) > rate(raw)) {
      variant = 'pad0.5';
      portraits = padded;
    }
  }
  const faces: LabelledFace[] = [];
  const templates = new Map<string, Float32Array>();
  for (const p of people) {
    const refs = portraits
      .filter((x) => portraitFiles.get(p)!.includes(x.path))
      .map((x) => pickReferenceFace(x.analysis.faces))
      .filter((f): f is Face => f !== undefined);
    if (refs.length) templates.set(p, centroidOf(refs.map((f) => f.embedding)));
  }
  for (const p of people) {
    for (const photo of portraits.filter((x) => portraitFiles.get(p)!.includes(x.path))) {
      const main = pickReferenceFace(photo.analysis.faces);
      photoFaces(root, photo, p, main ? photo.analysis.faces.indexOf(main) : -1, faces);
    }
  }
  let listed = 0;
  let matched = 0;
  for (const scene of await listFiles(join(root, 'scenes'), IMAGE_EXTS)) {
    const photo = await analyzer.analyze(scene);
    const inScene = (labels.get(basename(scene)) ?? []).filter((p) => templates.has(p));
    listed += inScene.length;
    const fs = photo.analysis.faces;
    const who = assignFaces(inScene, (p, i) => dot(fs[i]!.embedding, templates.get(p)!), fs.length);
    matched += who.size;
    const byFace = new Map([...who].map(([p, i]) => [i, p]));
    const rel = relative(root, photo.path);
    fs.forEach((f, i) => {
      const id = `${rel}#${i}`;
      faces.push(faceOf(id, byFace.get(i) ?? `~${id}`, f));
    });
  }
  return {
    name: 'bbt',
    faces,
    notes: [
      `portraits (${variant === 'raw' ? 'as they are' : 'padded by 50%'}) labelled by folder; scene faces matched to the people scenes.csv lists ` +
        `by the best one-to-one assignment on similarity to their portrait template (${matched} of ${listed} listed appearances); unmatched scene faces are singletons`,
    ],
  };
};

export const loadSet = (name: ClusterSetName, analyzer: Analyzer, root: string): Promise<LabelledSet> => {
  switch (name) {
    case 'glint24':
      return loadGlint24(analyzer, root);
    case 'orl':
      return loadOrl(analyzer, root);
    case 'five_celebrity':
      return loadFiveCelebrity(analyzer, root);
    case 'bbt':
      return loadBbt(analyzer, root);
  }
};
