/**
 * The faces of every dev set as identity samples for the second-embedder benchmark: where each
 * face is (from the main engine's analyses), who it is, and its identity vectors under several
 * engine variants (flip, descriptor framing), each computed at the same five points so that only
 * the identity stage differs between variants.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ImageError, ImageErrorCode } from '../../core/errors.js';
import type { FaceEngine } from '../../core/FaceEngine.js';
import { type DecodedImage, decodeImage } from '../../core/image/decode.js';
import { type FaceVectors, fusedScore, templateOf } from '../../core/match/fusion.js';
import { pickReferenceFace } from '../../core/match/gallery.js';
import type { Face, FivePoints } from '../../core/types.js';
import type { AnalysedPhoto, Analyzer } from './analyzer.js';
import { asDecoded, decodePgm, listDirs, listFiles } from './images.js';
import { assignFaces } from './metrics.js';

export type SetName = 'glint24' | 'orl' | 'five_celebrity' | 'bbt';

export interface Sample {
  set: SetName;
  /** `set/name`; null for a face of nobody enrolled (a stranger in every protocol). */
  identity: string | null;
  /** The per-set protocol's split: references to enrol, or faces to identify. */
  role: 'enrol' | 'probe';
  /** Photo path, and the face's index for multi-face photos. */
  key: string;
  path: string;
  /** Five points in original pixels; null for pre-aligned glint crops. */
  points: FivePoints | null;
  /** Identity vectors per engine variant name. */
  vectors: Map<string, FaceVectors>;
}

const IMAGE_EXTS = ['.jpg', '.jpeg', '.png', '.webp'];
const ENROL_SHOTS = new Set(['1', '2', '3', '4', '5']);

const sample = (
  set: SetName,
  identity: string | null,
  role: Sample['role'],
  photo: AnalysedPhoto | { path: string },
  face: Face | null,
  index = 0,
): Sample => ({
  set,
  identity,
  role,
  key: `${photo.path}#${index}`,
  path: photo.path,
  points: face ? face.points : null,
  vectors: new Map(face ? [['main', { embedding: face.embedding, descriptor: face.descriptor }]] : []),
});

/** ORL: shots 1-5 enrol, 6-10 probe; one face per shot. */
const orlSamples = async (analyzer: Analyzer, root: string): Promise<Sample[]> => {
  const out: Sample[] = [];
  for (const subject of await listDirs(root)) {
    for (const path of await listFiles(join(root, subject), ['.pgm'])) {
      const photo = await analyzer.analyze(path);
      const face = pickReferenceFace(photo.analysis.faces);
      if (!face) continue;
      const shot = basename(path).replace(/\.pgm$/i, '');
      out.push(sample('orl', `orl/${subject}`, ENROL_SHOTS.has(shot) ? 'enrol' : 'probe', photo, face));
    }
  }
  return out;
};

/**
 * Labels the faces of a photo known to show `people` (no positions): the one-to-one assignment
 * with the highest total first-embedder score against templates of their enrolment faces (the
 * same rule as the main benchmark); unassigned faces are strangers.
 */
const labelFaces = (
  faces: readonly Face[],
  people: readonly string[],
  refs: ReadonlyMap<string, FaceVectors[]>,
): (string | null)[] => {
  const templates = new Map(people.map((p) => [p, templateOf(refs.get(p) ?? [])]));
  const assignment = assignFaces(
    people.filter((p) => (refs.get(p)?.length ?? 0) > 0),
    (p, i) => fusedScore({ embedding: faces[i]!.embedding }, templates.get(p)!),
    faces.length,
  );
  const who: (string | null)[] = faces.map(() => null);
  for (const [p, i] of assignment) who[i] = p;
  return who;
};

/** five_celebrity: train_* enrol (one face each); every face of val_* photos is a probe. */
const fiveCelebritySamples = async (analyzer: Analyzer, root: string): Promise<Sample[]> => {
  const out: Sample[] = [];
  const refs = new Map<string, FaceVectors[]>();
  const val: { person: string; photo: AnalysedPhoto }[] = [];
  for (const person of await listDirs(root)) {
    const id = `five_celebrity/${person}`;
    refs.set(id, []);
    for (const path of await listFiles(join(root, person), IMAGE_EXTS)) {
      const photo = await analyzer.analyze(path);
      if (basename(path).startsWith('train_')) {
        const face = pickReferenceFace(photo.analysis.faces);
        if (!face) continue;
        out.push(sample('five_celebrity', id, 'enrol', photo, face));
        refs.get(id)!.push(face);
      } else if (basename(path).startsWith('val_')) val.push({ person: id, photo });
    }
  }
  for (const { person, photo } of val) {
    const labels = labelFaces(photo.analysis.faces, [person], refs);
    photo.analysis.faces.forEach((f, i) => {
      out.push(sample('five_celebrity', labels[i]!, 'probe', photo, f, i));
    });
  }
  return out;
};

/** bbt: portraits (padded when the tight crop defeats the detector) enrol; scene faces are probes. */
const bbtSamples = async (analyzer: Analyzer, root: string): Promise<Sample[]> => {
  const out: Sample[] = [];
  const refs = new Map<string, FaceVectors[]>();
  for (const person of await listDirs(join(root, 'people'))) {
    const id = `bbt/${person}`;
    refs.set(id, []);
    for (const path of await listFiles(join(root, 'people', person), IMAGE_EXTS)) {
      let photo = await analyzer.analyze(path);
      if (photo.analysis.faces.length === 0) photo = await analyzer.analyze(path, 'pad0.5');
      const face = pickReferenceFace(photo.analysis.faces);
      if (!face) continue;
      out.push(sample('bbt', id, 'enrol', photo, face));
      refs.get(id)!.push(face);
    }
  }
  const csv = await readFile(join(root, 'scenes.csv'), 'utf8');
  const listed = new Map<string, string[]>();
  for (const line of csv.split(/\r?\n/).slice(1)) {
    const [image, people] = line.split(',', 2);
    if (!image?.trim()) continue;
    listed.set(
      image.trim(),
      (people ?? '')
        .split(';')
        .map((s) => `bbt/${s.trim().toLowerCase()}`)
        .filter((s) => s !== 'bbt/'),
    );
  }
  for (const path of await listFiles(join(root, 'scenes'), IMAGE_EXTS)) {
    const people = listed.get(basename(path));
    if (!people) continue;
    const photo = await analyzer.analyze(path);
    const labels = labelFaces(photo.analysis.faces, people, refs);
    photo.analysis.faces.forEach((f, i) => {
      out.push(sample('bbt', labels[i]!, 'probe', photo, f, i));
    });
  }
  return out;
};

/** glint24: pre-aligned crops; every image is both a reference and a probe (pairs protocol). */
const glintSamples = async (root: string): Promise<Sample[]> => {
  const out: Sample[] = [];
  for (const id of await listDirs(root)) {
    for (const path of await listFiles(join(root, id), ['.png', '.jpg', '.jpeg'])) {
      out.push(sample('glint24', `glint24/${id}`, 'probe', { path }, null));
    }
  }
  return out;
};

export const collectSamples = async (
  analyzer: Analyzer,
  sets: ReadonlyMap<SetName, string>,
): Promise<Sample[]> => {
  const out: Sample[] = [];
  const orl = sets.get('orl');
  const five = sets.get('five_celebrity');
  const bbt = sets.get('bbt');
  const glint = sets.get('glint24');
  if (glint) out.push(...(await glintSamples(glint)));
  if (orl) out.push(...(await orlSamples(analyzer, orl)));
  if (five) out.push(...(await fiveCelebritySamples(analyzer, five)));
  if (bbt) out.push(...(await bbtSamples(analyzer, bbt)));
  return out;
};

const decodeForEngine = async (engine: FaceEngine, path: string): Promise<DecodedImage> => {
  const bytes = new Uint8Array(await readFile(path));
  try {
    return await decodeImage(bytes, {
      maxSide: engine.config.decode.analysisMaxSide,
      maxPixels: engine.config.decode.maxPixels,
    });
  } catch (error) {
    if (!(error instanceof ImageError && error.code === ImageErrorCode.Unsupported)) throw error;
    return asDecoded(decodePgm(bytes), 'pgm');
  }
};

/**
 * Computes every sample's vectors with `engine` under `variant`: photo faces at their known
 * points (embedAt), glint crops as aligned faces (describeAligned). Returns engine milliseconds
 * and the number of faces.
 */
export const embedSamples = async (
  engine: FaceEngine,
  variant: string,
  samples: readonly Sample[],
): Promise<{ ms: number; faces: number }> => {
  const byPath = new Map<string, Sample[]>();
  for (const s of samples) byPath.set(s.path, [...(byPath.get(s.path) ?? []), s]);
  let ms = 0;
  for (const [path, group] of byPath) {
    if (group[0]!.points === null) {
      const bytes = new Uint8Array(await readFile(path));
      const t0 = performance.now();
      const v = await engine.describeAligned(bytes);
      ms += performance.now() - t0;
      for (const s of group) s.vectors.set(variant, v);
      continue;
    }
    const decoded = await decodeForEngine(engine, path);
    const t0 = performance.now();
    const vectors = await engine.embedAt(
      decoded,
      group.map((s) => s.points!),
    );
    ms += performance.now() - t0;
    group.forEach((s, i) => {
      s.vectors.set(variant, vectors[i]!);
    });
  }
  return { ms, faces: samples.length };
};
