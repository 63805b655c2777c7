/**
 * The labelled sets' embeddings on disk (.bench-data/cluster/, gitignored), so a rerun of the
 * clustering benchmark skips the engine. Keyed by the model set and the set's files (path, size,
 * modification time): new models or changed photos rebuild it. Written to a temporary name and
 * renamed into place, so a killed run leaves no half file.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { LabelledFace, LabelledSet } from './labelledSet.js';

const CACHE_VERSION = 1;

interface CacheHeader {
  version: number;
  key: string;
  name: string;
  notes: string[];
  embeddingDim: number;
  /** 0 when the set has no descriptors. */
  descriptorDim: number;
  faces: { id: string; label: string; quality: number; size: number }[];
}

export const cacheKey = async (
  modelSetId: string,
  root: string,
  files: readonly string[],
): Promise<string> => {
  const h = createHash('sha256').update(`${CACHE_VERSION}\n${modelSetId}\n`);
  for (const f of files) {
    const s = await stat(f);
    h.update(`${relative(root, f)}\t${s.size}\t${s.mtimeMs}\n`);
  }
  return h.digest('hex').slice(0, 16);
};

/** The data file carries the key in its name, so a header can only ever point at its own data. */
const paths = (dir: string, name: string, key: string): { header: string; data: string } => ({
  header: join(dir, `${name}.json`),
  data: join(dir, `${name}.${key}.f32`),
});

export const readCachedSet = async (dir: string, name: string, key: string): Promise<LabelledSet | null> => {
  const p = paths(dir, name, key);
  let header: CacheHeader;
  let bytes: Buffer;
  try {
    header = JSON.parse(await readFile(p.header, 'utf8')) as CacheHeader;
    if (header.version !== CACHE_VERSION || header.key !== key) return null;
    bytes = await readFile(p.data);
  } catch {
    return null;
  }
  const per = header.embeddingDim + header.descriptorDim;
  if (bytes.byteLength !== header.faces.length * per * 4) return null;
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const faces: LabelledFace[] = header.faces.map((f, i) => {
    const o = i * per;
    const embedding = all.slice(o, o + header.embeddingDim);
    return header.descriptorDim
      ? { ...f, embedding, descriptor: all.slice(o + header.embeddingDim, o + per) }
      : { ...f, embedding };
  });
  return { name: header.name, notes: header.notes, faces };
};

export const writeCachedSet = async (dir: string, set: LabelledSet, key: string): Promise<void> => {
  await mkdir(dir, { recursive: true });
  const embeddingDim = set.faces[0]?.embedding.length ?? 0;
  // Descriptors are kept only when every face has one, so a reader never sees a partial set.
  const descriptorDim =
    set.faces.length && set.faces.every((f) => f.descriptor) ? set.faces[0]!.descriptor!.length : 0;
  const per = embeddingDim + descriptorDim;
  const all = new Float32Array(set.faces.length * per);
  set.faces.forEach((f, i) => {
    all.set(f.embedding, i * per);
    if (descriptorDim) all.set(f.descriptor!, i * per + embeddingDim);
  });
  const header: CacheHeader = {
    version: CACHE_VERSION,
    key,
    name: set.name,
    notes: set.notes,
    embeddingDim,
    descriptorDim,
    faces: set.faces.map((f) => ({ id: f.id, label: f.label, quality: f.quality, size: f.size })),
  };
  const p = paths(dir, set.name, key);
  const suffix = `.tmp-${process.pid}`;
  // Data first: the header that names it appears only once it is complete.
  await writeFile(p.data + suffix, new Uint8Array(all.buffer));
  await rename(p.data + suffix, p.data);
  await writeFile(p.header + suffix, JSON.stringify(header));
  await rename(p.header + suffix, p.header);
};
