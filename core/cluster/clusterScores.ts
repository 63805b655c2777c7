/**
 * How well a clustering matches the truth, for benchmarks and tests. `truth[i]` is item i's real
 * identity, `predicted[i]` its cluster or null (unknown). An unknown item counts as a cluster of
 * its own: leaving a face out costs recall, never precision.
 */
export interface ClusterScores {
  precision: number;
  recall: number;
  f1: number;
}

type Label = string | number;

const f1Of = (precision: number, recall: number): number =>
  precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;

/** Cluster keys with every unknown item made its own singleton. */
const clusterKeys = (predicted: readonly (Label | null)[]): string[] =>
  predicted.map((p, i) => (p === null ? `unknown#${i}` : `c:${p}`));

const checkLengths = (truth: readonly Label[], predicted: readonly (Label | null)[]): void => {
  if (truth.length !== predicted.length) {
    throw new RangeError(`truth has ${truth.length} items, predicted ${predicted.length}`);
  }
};

const countBy = (keys: readonly string[]): Map<string, number> => {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
};

/**
 * BCubed (Bagga & Baldwin 1998; Amigó et al. 2009): per item, the share of its cluster that has its
 * identity (precision) and the share of its identity that is in its cluster (recall), averaged
 * over items. Unlike pairwise scores it does not let the largest people dominate.
 */
export const bcubed = (truth: readonly Label[], predicted: readonly (Label | null)[]): ClusterScores => {
  checkLengths(truth, predicted);
  const n = truth.length;
  if (n === 0) return { precision: 1, recall: 1, f1: 1 };
  const clusters = clusterKeys(predicted);
  const labels = truth.map(String);
  const clusterSize = countBy(clusters);
  const labelSize = countBy(labels);
  const both = countBy(clusters.map((c, i) => `${c}\u0000${labels[i]}`));
  let p = 0;
  let r = 0;
  for (let i = 0; i < n; i++) {
    const shared = both.get(`${clusters[i]}\u0000${labels[i]}`)!;
    p += shared / clusterSize.get(clusters[i]!)!;
    r += shared / labelSize.get(labels[i]!)!;
  }
  return { precision: p / n, recall: r / n, f1: f1Of(p / n, r / n) };
};

const pairs = (m: number): number => (m * (m - 1)) / 2;

/**
 * Pairwise precision and recall: over all pairs of items, those put together that are the same
 * identity, against all put together (precision) and all of the same identity (recall). With no
 * pair put together precision is 1; with no same-identity pair recall is 1.
 */
export const pairwiseScores = (
  truth: readonly Label[],
  predicted: readonly (Label | null)[],
): ClusterScores => {
  checkLengths(truth, predicted);
  const clusters = clusterKeys(predicted);
  const labels = truth.map(String);
  let together = 0;
  for (const m of countBy(clusters).values()) together += pairs(m);
  let same = 0;
  for (const m of countBy(labels).values()) same += pairs(m);
  let tp = 0;
  for (const m of countBy(clusters.map((c, i) => `${c}\u0000${labels[i]}`)).values()) tp += pairs(m);
  const precision = together > 0 ? tp / together : 1;
  const recall = same > 0 ? tp / same : 1;
  return { precision, recall, f1: f1Of(precision, recall) };
};
