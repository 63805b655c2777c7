/**
 * Every face of the development sets with its identity and its split, through the real engine in
 * its default configuration, cached in .bench-data/people/ (gitignored; keyed by the model set and
 * the files, see bench/cluster/embeddingCache.ts). orl, five_celebrity and bbt are analysed like
 * the clustering benchmark does (every face the engine finds; which face of a group photo is the
 * labelled person is decided there); glint24's pre-aligned crops are given to `describeAligned`,
 * so in fused mode they get both identity vectors.
 */
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { EmbedMode } from '../../core/config.js';
import { FaceEngine } from '../../core/FaceEngine.js';
import { defaultModelsDir } from '../../core/models/defaultModelsDir.js';
import { readManifest } from '../../core/models/manifest.js';
import { seededRng } from '../../core/util/seededRng.js';
import { exists, listDirs, listFiles } from '../accuracy/images.js';
import { datasetFaces } from '../cluster/datasetFaces.js';
import { cacheKey, readCachedSet, writeCachedSet } from '../cluster/embeddingCache.js';
import type { LabelledFace, LabelledSet } from '../cluster/labelledSet.js';
import { type BenchFace, type PeopleSetName, withoutDescriptors } from './benchFace.js';

export interface PeopleFaces {
  faces: BenchFace[];
  present: PeopleSetName[];
  skipped: string[];
  /** Sets read from the cache. */
  cached: string[];
  modelSetId: string | null;
  /** The engine's configured embed mode (what a default `FaceEngine.create()` runs). */
  embedMode: string;
  notes: Record<string, string[]>;
}

const GLINT_CACHE_NAME = 'glint24-described';
const ORL_ENROL_SHOTS = new Set(['1', '2', '3', '4', '5']);

/** glint24: `k` crops per identity (seeded) enrol, the rest are searched. */
const glintEnrolment = (faces: readonly LabelledFace[], k: number): Set<string> => {
  const rng = seededRng(20261202);
  const byId = new Map<string, string[]>();
  for (const f of faces) byId.set(f.label, [...(byId.get(f.label) ?? []), f.id]);
  const out = new Set<string>();
  for (const ids of byId.values()) {
    const pool = [...ids].sort();
    for (let i = 0; i < Math.min(k, pool.length); i++) {
      const j = i + Math.floor(rng() * (pool.length - i));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
      out.add(pool[i]!);
    }
  }
  return out;
};

const roleOf = (set: PeopleSetName, id: string, glintRefs: ReadonlySet<string>): BenchFace['role'] => {
  if (set === 'bbt') return id.startsWith('people/') ? 'enrol' : 'test';
  if (set === 'five_celebrity') return id.split('/')[1]?.startsWith('train_') ? 'enrol' : 'test';
  if (set === 'orl')
    return ORL_ENROL_SHOTS.has(id.split('/')[1]?.replace(/\.pgm#\d+$/i, '') ?? '') ? 'enrol' : 'test';
  return glintRefs.has(id) ? 'enrol' : 'test';
};

const toBench = (set: LabelledSet & { name: PeopleSetName }, glintK: number): BenchFace[] => {
  const glintRefs = set.name === 'glint24' ? glintEnrolment(set.faces, glintK) : new Set<string>();
  return set.faces.map((f) => {
    const photo = f.id.replace(/#\d+$/, '');
    return {
      key: `${set.name}/${f.id}${f.id.includes('#') ? '' : '#0'}`,
      set: set.name,
      photo: `${set.name}/${photo}`,
      identity: f.label.startsWith('~') ? null : `${set.name}/${f.label}`,
      role: roleOf(set.name, f.id, glintRefs),
      vectors: f.descriptor
        ? { embedding: f.embedding, descriptor: f.descriptor }
        : { embedding: f.embedding },
      quality: f.quality,
      size: f.size,
    };
  });
};

const glintFiles = async (root: string): Promise<{ label: string; path: string }[]> => {
  const out: { label: string; path: string }[] = [];
  for (const id of await listDirs(root))
    for (const path of await listFiles(join(root, id), ['.png', '.jpg'])) out.push({ label: id, path });
  return out;
};

/** glint24 through `describeAligned` (both vectors in fused mode), cached like the other sets. */
const glintSet = async (
  root: string,
  modelSetId: string,
  embedMode: string,
  cacheDir: string,
  log: (msg: string) => void,
): Promise<{ set: LabelledSet; cached: boolean }> => {
  const items = await glintFiles(root);
  // The embed mode is part of the key: fast mode has no descriptors.
  const key = await cacheKey(
    `${modelSetId}|${embedMode}`,
    root,
    items.map((i) => i.path),
  );
  const hit = await readCachedSet(cacheDir, GLINT_CACHE_NAME, key);
  if (hit) return { set: { ...hit, name: 'glint24' }, cached: true };
  log(`embedding glint24 with describeAligned (cached afterwards in ${cacheDir})…`);
  const engine = await FaceEngine.create();
  try {
    const faces: LabelledFace[] = [];
    for (const it of items) {
      const v = await engine.describeAligned(new Uint8Array(await readFile(it.path)));
      faces.push({
        id: relative(root, it.path),
        label: it.label,
        embedding: v.embedding,
        ...(v.descriptor ? { descriptor: v.descriptor } : {}),
        quality: 1,
        size: 112,
      });
    }
    const set: LabelledSet = {
      name: GLINT_CACHE_NAME,
      faces,
      notes: ['112x112 crops already aligned: both identity vectors from describeAligned'],
    };
    await writeCachedSet(cacheDir, set, key);
    return { set: { ...set, name: 'glint24' }, cached: false };
  } finally {
    await engine.close();
  }
};

export const peopleFaces = async (
  datasets: string,
  sets: readonly PeopleSetName[],
  cacheDir: string,
  glintK: number,
  embedMode: string,
  log: (msg: string) => void,
): Promise<PeopleFaces> => {
  const out: PeopleFaces = {
    faces: [],
    present: [],
    skipped: [],
    cached: [],
    modelSetId: null,
    embedMode,
    notes: {},
  };
  const photoSets = sets.filter((s) => s !== 'glint24');
  if (photoSets.length) {
    const loaded = await datasetFaces(datasets, photoSets, cacheDir, log);
    out.skipped.push(...loaded.skipped);
    out.cached.push(...loaded.cached);
    out.modelSetId = loaded.modelSetId;
    for (const s of loaded.sets) {
      const name = s.name as PeopleSetName;
      out.present.push(name);
      out.notes[name] = s.notes;
      out.faces.push(...toBench({ ...s, name }, glintK));
    }
  }
  if (sets.includes('glint24')) {
    const root = join(datasets, 'glint24');
    if (!(await exists(root))) out.skipped.push(`glint24: not found at ${root}`);
    else {
      out.modelSetId ??= (await readManifest(defaultModelsDir())).modelSetId;
      const { set, cached } = await glintSet(root, out.modelSetId, embedMode, cacheDir, log);
      if (cached) out.cached.push('glint24');
      out.present.push('glint24');
      out.notes.glint24 = [
        ...set.notes,
        `${glintK} crops per identity enrolled (seeded pick), the rest searched`,
      ];
      out.faces.push(...toBench({ ...set, name: 'glint24' }, glintK));
    }
  }
  // The photo sets' cache is keyed by the model set only: in fast mode drop any cached descriptors.
  if (embedMode === EmbedMode.Fast) out.faces = withoutDescriptors(out.faces);
  return out;
};
