import { ClusterError } from './ClusterError.js';
import type { ClusterParams } from './clusterTypes.js';

/**
 * Defaults chosen across all development sets (glint24, orl, five_celebrity, bbt) by
 * `npm run bench:cluster`; see BENCHMARKS.md "Clustering" for the sweep.
 */
export const DEFAULT_CLUSTER_PARAMS: Readonly<ClusterParams> = {
  k: 20,
  minEdgeSimilarity: 0.2,
  mergeSimilarity: 0.5,
  relativeMerge: 0.7,
  minMergeSimilarity: 0.25,
  minClusterSize: 3,
  joinSimilarity: 0.3,
  joinMargin: 0,
  minSeedQuality: 0.5,
  minSeedSize: 40,
  exactUpTo: 2048,
  leafSize: 192,
  probes: 3,
  refineRounds: 1,
  seed: 1,
};

const check = (ok: boolean, what: string): void => {
  if (!ok) throw new ClusterError(`bad clustering parameter: ${what}`);
};

export const resolveClusterParams = (p: Partial<ClusterParams> | undefined): ClusterParams => {
  const r: ClusterParams = { ...DEFAULT_CLUSTER_PARAMS, ...p };
  const int = (x: number, min: number): boolean => Number.isInteger(x) && x >= min;
  const sim = (x: number): boolean => Number.isFinite(x) && x >= -1 && x <= 1;
  check(int(r.k, 1), `k must be an integer >= 1 (got ${r.k})`);
  check(sim(r.minEdgeSimilarity), `minEdgeSimilarity must be in [-1, 1] (got ${r.minEdgeSimilarity})`);
  check(sim(r.mergeSimilarity), `mergeSimilarity must be in [-1, 1] (got ${r.mergeSimilarity})`);
  check(sim(r.minMergeSimilarity), `minMergeSimilarity must be in [-1, 1] (got ${r.minMergeSimilarity})`);
  check(
    Number.isFinite(r.relativeMerge) && r.relativeMerge >= 0,
    `relativeMerge must be >= 0 (got ${r.relativeMerge})`,
  );
  check(sim(r.joinSimilarity), `joinSimilarity must be in [-1, 1] (got ${r.joinSimilarity})`);
  check(Number.isFinite(r.joinMargin) && r.joinMargin >= 0, `joinMargin must be >= 0 (got ${r.joinMargin})`);
  check(int(r.minClusterSize, 1), `minClusterSize must be an integer >= 1 (got ${r.minClusterSize})`);
  check(Number.isFinite(r.minSeedQuality), `minSeedQuality must be a number (got ${r.minSeedQuality})`);
  check(Number.isFinite(r.minSeedSize), `minSeedSize must be a number (got ${r.minSeedSize})`);
  check(int(r.exactUpTo, 0), `exactUpTo must be an integer >= 0 (got ${r.exactUpTo})`);
  check(int(r.leafSize, 8), `leafSize must be an integer >= 8 (got ${r.leafSize})`);
  check(int(r.probes, 1), `probes must be an integer >= 1 (got ${r.probes})`);
  check(int(r.refineRounds, 0), `refineRounds must be an integer >= 0 (got ${r.refineRounds})`);
  check(Number.isInteger(r.seed), `seed must be an integer (got ${r.seed})`);
  return r;
};
