/**
 * One scale run in its own process, so its peak memory is its own:
 *   node dist/bench/cluster/scaleRun.js N [--exact] [--add M] [--seed S] [--params JSON]
 * Generates N synthetic 512-d faces, clusters them with the default parameters (with --exact: an
 * exact neighbour graph however large N is) and prints one JSON line. With --add M the first
 * N - M faces are already in clusters (their true identities, where an identity has at least 3 of
 * them; every other one named) and only the last M are new: the incremental path at scale.
 */
import { clusterFaces } from '../../core/cluster/clusterFaces.js';
import { bcubed, pairwiseScores } from '../../core/cluster/clusterScores.js';
import type { ClusterFace, ExistingCluster } from '../../core/cluster/clusterTypes.js';
import { benchArgs, integersIn } from '../benchArgs.js';
import { syntheticFaces } from './syntheticFaces.js';

export interface ScaleResult {
  n: number;
  /** New faces added to existing clusters (0: everything clustered from scratch). */
  added: number;
  /** Existing members whose cluster changed (must be 0). */
  moved: number;
  graph: 'exact' | 'approximate';
  identities: number;
  strangers: number;
  generateMs: number;
  clusterMs: number;
  /** Process CPU seconds spent clustering (all threads). */
  clusterCpuS: number;
  /** CPU seconds of the whole process (generation included). */
  processCpuS: number;
  rssBeforeMb: number;
  peakRssMb: number;
  clusters: number;
  unknownFraction: number;
  edges: number;
  bcubed: { precision: number; recall: number; f1: number };
  pairwiseF1: number;
}

const mb = (bytes: number): number => Math.round(bytes / 2 ** 20);

const main = (): void => {
  const usage = 'usage: scaleRun.js N [--exact] [--add K] [--seed S] [--params JSON]';
  const { values, positionals } = benchArgs(
    usage,
    {
      exact: { type: 'boolean', default: false },
      add: { type: 'string', default: '0' },
      seed: { type: 'string', default: '12' },
      params: { type: 'string' },
    },
    { positionals: true },
  );
  if (positionals.length !== 1) throw new Error(usage);
  const [n] = integersIn('N', positionals[0]!, 1, usage) as [number];
  const exact = values.exact;
  const [added] = integersIn('--add', values.add, 0, usage) as [number];
  const seed = Number(values.seed);
  const extra = values.params !== undefined ? (JSON.parse(values.params) as Record<string, number>) : {};
  const t0 = performance.now();
  const set = syntheticFaces(n, 512, seed);
  const generateMs = performance.now() - t0;
  const existing = added > 0 ? truthClusters(set.labels.slice(0, n - added), set.faces) : [];
  const rssBeforeMb = mb(process.memoryUsage().rss);
  const cpu0 = process.cpuUsage();
  const t1 = performance.now();
  const result = clusterFaces({
    faces: set.faces,
    existing,
    params: { ...extra, ...(exact ? { exactUpTo: n } : {}) },
  });
  const clusterMs = performance.now() - t1;
  const cpu = process.cpuUsage(cpu0);
  const predicted = set.faces.map((f) => result.assignments.get(f.id)!);
  let moved = 0;
  for (const c of existing) for (const m of c.members) if (result.assignments.get(m) !== c.id) moved++;
  const out: ScaleResult = {
    n,
    added,
    moved,
    graph: result.stats.graph,
    identities: set.identities,
    strangers: set.strangers,
    generateMs: Math.round(generateMs),
    clusterMs: Math.round(clusterMs),
    clusterCpuS: Math.round((cpu.user + cpu.system) / 1e4) / 100,
    processCpuS: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1e4) / 100,
    rssBeforeMb,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    clusters: result.created.length + existing.length,
    unknownFraction: result.stats.unknown / n,
    edges: result.stats.edges,
    bcubed: bcubed(set.labels, predicted),
    pairwiseF1: pairwiseScores(set.labels, predicted).f1,
  };
  console.log(JSON.stringify(out));
};

/** Existing clusters from the truth: identities with at least 3 of the given faces, every other one named. */
const truthClusters = (labels: readonly string[], faces: readonly ClusterFace[]): ExistingCluster[] => {
  const by = new Map<string, string[]>();
  labels.forEach((l, i) => {
    const m = by.get(l);
    if (m) m.push(faces[i]!.id);
    else by.set(l, [faces[i]!.id]);
  });
  return [...by.values()]
    .filter((m) => m.length >= 3)
    .map((members, i) => ({ id: i + 1, members, named: i % 2 === 0 }));
};

main();
