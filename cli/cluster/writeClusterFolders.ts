import { basename } from 'node:path';
import { displayPath, type FsPath, joinPath } from '../../core/fs/pathBytes.js';
import { isPathInside } from '../../core/fs/pathInside.js';
import type { LinkKind } from '../../core/fs/placeLink.js';
import { personNameProblem } from '../../core/match/personName.js';
import { CopyOutcome } from '../../core/report/resultLine.js';
import { bytesMatching } from '../photos/analyseFile.js';
import { copyMatch } from '../sort/copyMatch.js';
import type { ClusterFaceRow } from './clusterFaceRows.js';

export interface FolderCopy {
  cluster: string;
  /** The photo as the user knows it. */
  path: string;
  destination: string;
  outcome: CopyOutcome;
  reason?: string;
}

export interface ClusterFoldersResult {
  folders: number;
  copies: FolderCopy[];
  counts: Partial<Record<CopyOutcome, number>>;
}

/**
 * OUT/<cluster>/<path> for every photo with a face in a cluster (unnamed ones as person-0001,
 * named people by name): copies of the photo's bytes, or links with `link`. Nothing is ever
 * replaced (core/fs/placeFile, placeLink): an identical file already there counts as present, a
 * different one is a conflict left alone. A photo changed on disk since it was indexed is not
 * copied under the old decision. With photos from several roots, each root's name is kept as a
 * first folder so two roots' `IMG_0001.jpg` cannot collide.
 */
export const writeClusterFolders = async (
  rows: readonly ClusterFaceRow[],
  out: string,
  o: { link?: LinkKind; maxFileBytes: number; onCopy?: (c: FolderCopy) => void },
): Promise<ClusterFoldersResult> => {
  const roots = new Set(rows.map((r) => r.root));
  const planned = new Map<string, { cluster: string; row: ClusterFaceRow }>();
  for (const r of rows) {
    if (r.cluster === null) continue;
    const key = `${r.cluster}\n${r.photoId}`;
    if (!planned.has(key)) planned.set(key, { cluster: r.cluster, row: r });
  }
  const copies: FolderCopy[] = [];
  const counts: Partial<Record<CopyOutcome, number>> = {};
  const folders = new Set<string>();
  const done = (c: FolderCopy): void => {
    copies.push(c);
    counts[c.outcome] = (counts[c.outcome] ?? 0) + 1;
    o.onCopy?.(c);
  };
  for (const { cluster, row } of [...planned.values()].sort(
    (a, b) => a.cluster.localeCompare(b.cluster) || a.row.path.localeCompare(b.row.path),
  )) {
    // Names come from the library (an import, an old version): never let one leave OUT.
    const under: FsPath = row.rawRel ?? row.rel;
    const inCluster = roots.size > 1 ? joinPath(basename(row.root), under) : under;
    const destination = joinPath(joinPath(out, cluster), inCluster);
    const problem = personNameProblem(cluster, { cluster: true });
    if (problem || !isPathInside(destination, joinPath(out, cluster))) {
      done({
        cluster,
        path: row.path,
        destination: '',
        outcome: CopyOutcome.Failed,
        reason: problem
          ? `${problem}; rename the person`
          : `${displayPath(destination)} would be outside ${out}`,
      });
      continue;
    }
    folders.add(cluster);
    let bytes: Uint8Array | undefined;
    try {
      bytes = await bytesMatching(row.file, row.sha256, o.maxFileBytes);
    } catch (error) {
      done({
        cluster,
        path: row.path,
        destination: displayPath(destination),
        outcome: CopyOutcome.Failed,
        reason: (error as Error).message,
      });
      continue;
    }
    if (!bytes) {
      done({
        cluster,
        path: row.path,
        destination: displayPath(destination),
        outcome: CopyOutcome.Failed,
        reason: 'the photo changed since it was indexed; run "mespotter cluster" with its folder again',
      });
      continue;
    }
    const result = await copyMatch(bytes, destination, {
      sha256: row.sha256,
      dryRun: false,
      ...(o.link ? { link: o.link, source: row.file } : {}),
    });
    done({ cluster, path: row.path, ...result });
  }
  return { folders: folders.size, copies, counts };
};
