import { clusterFaces } from './clusterFaces.js';
import type { ClusterFace, ClusterParams, FaceId } from './clusterTypes.js';

/**
 * Stricter defaults for looking inside one cluster: siblings or a parent and child merged into
 * one person are more alike than strangers, so only groups far more alike than the clustering
 * needed stay together.
 */
export const SPLIT_PARAMS: Partial<ClusterParams> = {
  mergeSimilarity: 0.5,
  relativeMerge: 0,
  minClusterSize: 2,
  joinSimilarity: 0.5,
  joinMargin: 0.05,
};

/**
 * Suggests how to split a cluster the user says mixes people: its faces re-clustered on their
 * own with stricter parameters. Groups come largest first; `rest` holds faces that fit no group.
 * A single group means no split was found at these settings.
 */
export const proposeSplit = (
  faces: readonly ClusterFace[],
  params: Partial<ClusterParams> = {},
): { groups: FaceId[][]; rest: FaceId[] } => {
  // Inside a cluster the user already chose these faces: every face may seed.
  const plain = faces.map(({ id, embedding, quality, size }) => ({ id, embedding, quality, size }));
  const result = clusterFaces({
    faces: plain,
    params: { minSeedQuality: 0, minSeedSize: 0, ...SPLIT_PARAMS, ...params },
  });
  const groups = new Map<number, FaceId[]>();
  const rest: FaceId[] = [];
  for (const [face, c] of result.assignments) {
    if (c === null) rest.push(face);
    else groups.set(c, [...(groups.get(c) ?? []), face]);
  }
  // `created` is already largest first.
  return { groups: result.created.map((c) => groups.get(c)!), rest };
};
