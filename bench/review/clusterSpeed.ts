/**
 * The `cluster` command's cost through the library, side by side with clusterFaces alone on the
 * same faces: a temporary library of N synthetic faces (bench/cluster/syntheticFaces.ts, one face
 * per photo), then clusterLibrary (read faces and labels, cluster, write memberships and the
 * undoable action in one transaction), then 1 % new faces added and clustered incrementally.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterFaces } from '../../core/cluster/clusterFaces.js';
import { clusterLibrary } from '../../core/library/clusterLibrary.js';
import { Library } from '../../core/library/Library.js';
import type { Face, FivePoints } from '../../core/types.js';
import { syntheticFaces } from '../cluster/syntheticFaces.js';

export interface ClusterSpeedRow {
  faces: number;
  /** Writing the synthetic library (not part of the command). */
  buildSeconds: number;
  /** clusterFaces alone on the same faces. */
  aloneSeconds: number;
  /** clusterLibrary: the command's work on an unclustered library. */
  firstSeconds: number;
  clusters: number;
  /** 1 % new faces clustered into the existing clusters. */
  added: number;
  incrementalSeconds: number;
  joined: number;
}

const FRONTAL = (x: number): FivePoints =>
  [
    { x: x + 30, y: 40 },
    { x: x + 70, y: 40 },
    { x: x + 50, y: 60 },
    { x: x + 35, y: 80 },
    { x: x + 65, y: 80 },
  ] as unknown as FivePoints;

export const clusterSpeed = async (n: number): Promise<ClusterSpeedRow> => {
  const dir = await mkdtemp(join(tmpdir(), 'mespotter-cluster-speed-'));
  const added = Math.max(1, Math.round(n / 100));
  const set = syntheticFaces(n + added, 512, 42);
  const library = Library.open(join(dir, 'library.db'));
  try {
    const ns = 'bench';
    const faceOf = (i: number): Face => {
      const f = set.faces[i]!;
      return {
        box: { x1: 0, y1: 0, x2: f.size, y2: f.size },
        score: 0.99,
        points: FRONTAL(0),
        roll: 0,
        quality: f.quality,
        embedding: f.embedding,
      };
    };
    const save = (from: number, to: number): void => {
      library.transaction(() => {
        for (let i = from; i < to; i++)
          library.saveAnalysis({ sha256: i.toString(16).padStart(64, '0'), size: 1 }, ns, {
            width: 200,
            height: 200,
            rejected: 0,
            faces: [faceOf(i)],
          });
      });
    };
    let t = performance.now();
    save(0, n);
    const buildSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    clusterFaces({ faces: set.faces.slice(0, n) });
    const aloneSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    const first = clusterLibrary(library, ns, { runKey: 'first' });
    const firstSeconds = (performance.now() - t) / 1000;
    save(n, n + added);
    t = performance.now();
    const second = clusterLibrary(library, ns, { runKey: 'second' });
    const incrementalSeconds = (performance.now() - t) / 1000;
    return {
      faces: n,
      buildSeconds,
      aloneSeconds,
      firstSeconds,
      clusters: first.created.length,
      added,
      incrementalSeconds,
      joined: second.joinedExisting,
    };
  } finally {
    library.close();
    await rm(dir, { recursive: true, force: true });
  }
};
