import { join, relative, sep } from 'node:path';
import { type FsPath, joinPath } from '../../core/fs/pathBytes.js';
import { type FaceOwner, faceOwner, labelsByFace } from '../../core/library/faceOwner.js';
import type { Library, PersonRecord } from '../../core/library/Library.js';
import type { Box } from '../../core/types.js';

/** One face as `cluster --json` prints it and `cluster --out` places it. */
export interface ClusterFaceRow {
  faceId: number;
  photoId: number;
  sha256: string;
  /** The photo's path for people (absolute; invalid UTF-8 bytes shown as U+FFFD). */
  path: string;
  /** The exact path, for reading. */
  file: FsPath;
  /** The photo's root and its path under it. */
  root: string;
  rel: string;
  rawRel: Buffer | null;
  box: Box;
  /** The person's name, the unnamed cluster's ("person-0001"), or null for unknown. */
  cluster: string | null;
  owner: FaceOwner;
}

const isInside = (child: string, parent: string): boolean => {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
};

/**
 * Every face of namespace `ns` whose photo is at a present path under `roots` (all roots when
 * none are given), with whose it is. A photo seen at several paths counts once, at its newest
 * present path; a photo at no present path is left out (it moved or was deleted).
 */
export const clusterFaceRows = (library: Library, ns: string, roots: readonly string[]): ClusterFaceRow[] => {
  const people = new Map<number, PersonRecord>(library.allPeople().map((p) => [p.id, p]));
  const labels = labelsByFace(library, ns);
  const where = new Map<number, { root: string; rel: string; rawRel: Buffer | null } | null>();
  const sha = new Map<number, string>();
  const rows: ClusterFaceRow[] = [];
  for (const f of library.facesInNamespace(ns)) {
    if (!where.has(f.photoId)) {
      const at = library
        .pathsOf(f.photoId)
        .find(
          (p) =>
            p.missingSince === null &&
            (roots.length === 0 || roots.some((r) => isInside(join(p.root, p.rel), r))),
        );
      where.set(f.photoId, at ?? null);
      if (at) sha.set(f.photoId, photoSha(library, f.photoId));
    }
    const at = where.get(f.photoId);
    if (!at) continue;
    const owner = faceOwner(labels.get(f.id) ?? []);
    rows.push({
      faceId: f.id,
      photoId: f.photoId,
      sha256: sha.get(f.photoId)!,
      path: join(at.root, at.rel),
      file: at.rawRel ? joinPath(at.root, at.rawRel) : join(at.root, at.rel),
      root: at.root,
      rel: at.rel,
      rawRel: at.rawRel,
      box: f.box,
      cluster: owner.personId !== null ? (people.get(owner.personId)?.name ?? null) : null,
      owner,
    });
  }
  return rows;
};

const photoSha = (library: Library, photoId: number): string =>
  library.db.prepare<{ sha256: string }>('SELECT sha256 FROM photos WHERE id = ?').get(photoId)!.sha256;

/** The line `cluster --json` prints for a face; these names are a contract with scripts. */
export const clusterJsonLine = (r: ClusterFaceRow): string =>
  JSON.stringify({
    path: r.path,
    box: { x1: round(r.box.x1), y1: round(r.box.y1), x2: round(r.box.x2), y2: round(r.box.y2) },
    cluster: r.cluster,
    face: r.faceId,
  });

const round = (n: number): number => Math.round(n * 10) / 10;
