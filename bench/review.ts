/**
 * Review benchmark (issue 12): does reviewing faces teach the matcher? A simulated reviewer with
 * the ground truth of ../shared/datasets confirms or rejects K gray-zone faces per person
 * (K = 0, 10, 20, 50; bench/review/simulateReview.ts), the people are rebuilt from the labels
 * (today's rule and the variants of core/decide/learnFromLabels.ts, bench/review/reviewMethods.ts),
 * and `sort`'s decision core is scored on the faces never reviewed, side by side in one run:
 * face precision and recall, false matches per 1,000 faces, and false matches at K=0's recall.
 *
 *   node dist/bench/review.js [--datasets DIR] [--ks 0,10,20,50] [--album 3000] [--json FILE]
 *
 * Faces come from bench/people's embedding cache (.bench-data/people/; the engine fills it when
 * absent). Skips cleanly (exit 0) when the datasets are absent.
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveEngineConfig } from '../core/config.js';
import { calibrateThresholds } from '../core/decide/calibrateThresholds.js';
import { PeopleMatrix } from '../core/decide/PeopleMatrix.js';
import { personModelOf } from '../core/decide/personModel.js';
import { type CohortPolicy, DEFAULT_COHORT_POLICY } from '../core/decide/thresholds.js';
import { exists } from './accuracy/images.js';
import { benchArgs, integersIn } from './benchArgs.js';
import { type BenchFace, PEOPLE_SETS, type PeopleSetName } from './people/benchFace.js';
import { enrolPeople } from './people/enrolPeople.js';
import { fixed, mdTable } from './people/markdown.js';
import { peopleFaces } from './people/peopleFaces.js';
import { closedSet, cohortOf, generatedAlbum, openSetFolds, type Scenario } from './people/scenarios.js';
import { type ClusterSpeedRow, clusterSpeed } from './review/clusterSpeed.js';
import {
  evaluateReview,
  falseAtRecall,
  falsePer1k,
  precision,
  type ReviewCounts,
  recall,
} from './review/evaluateReview.js';
import { buildPeople, REVIEW_METHODS } from './review/reviewMethods.js';
import { GRAY_ZONE, reviewFirst, reviewQueue } from './review/simulateReview.js';

interface Args {
  datasets: string;
  ks: number[];
  fars: number[];
  /** Library sizes for the cluster command's speed (synthetic faces); empty: skip. */
  clusterScale: number[];
  album: number;
  json?: string;
}

const usage =
  'usage: node dist/bench/review.js [--datasets DIR] [--ks 0,10,20,50] [--far 1e-4,1e-3] [--album N] [--cluster-scale 10000,50000|none] [--json FILE]';
const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const FOLDS: Record<PeopleSetName, number> = { bbt: 8, five_celebrity: 5, orl: 4, glint24: 4 };

/** Half the photos (by a hash of their key, so the split is fixed) are the test half. */
const isTestPhoto = (key: string): boolean => {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return ((h >>> 0) & 1) === 1;
};

const parseCommandLine = (): Args => {
  const { values } = benchArgs(usage, {
    datasets: { type: 'string', default: resolve(projectRoot, '..', 'shared', 'datasets') },
    ks: { type: 'string', default: '0,10,20,50' },
    far: { type: 'string', default: `${DEFAULT_COHORT_POLICY.far},1e-3` },
    'cluster-scale': { type: 'string', default: '10000,50000' },
    album: { type: 'string', default: '3000' },
    json: { type: 'string' },
  });
  const ks = integersIn('--ks', values.ks, 0, usage).sort((x, y) => x - y);
  if (!ks.includes(0)) throw new Error(`--ks takes integers >= 0 including 0\n${usage}`);
  const fars = values.far.split(',').map(Number);
  if (fars.some((f) => !(f > 0 && f < 0.5))) throw new Error(`--far takes rates in (0, 0.5)\n${usage}`);
  const scale = values['cluster-scale'];
  return {
    datasets: resolve(values.datasets),
    ks,
    fars,
    clusterScale: scale === 'none' ? [] : integersIn('--cluster-scale', scale, 10, usage),
    album: integersIn('--album', values.album, 0, usage)[0]!,
    ...(values.json !== undefined ? { json: values.json } : {}),
  };
};

interface Cell {
  k: number;
  reviewed: number;
  counts: ReviewCounts;
  /** False matches with every threshold moved to keep the K=0 recall of the same group. */
  atBaseRecall: { shift: number; counts: ReviewCounts } | null;
}

interface GroupRows {
  group: string;
  scenarios: number;
  people: number;
  counted: number;
  rows: { method: string; cells: Cell[] }[];
}

const add = (a: ReviewCounts, b: ReviewCounts): ReviewCounts => ({
  faces: a.faces + b.faces,
  known: a.known + b.known,
  tp: a.tp + b.tp,
  fp: a.fp + b.fp,
  fn: a.fn + b.fn,
});
const ZERO: ReviewCounts = { faces: 0, known: 0, tp: 0, fp: 0, fn: 0 };

/** One scenario: every method at every K, on the faces not reviewed at the largest K. */
const runScenario = (
  library: readonly BenchFace[],
  s: Scenario,
  modelSetId: string,
  ks: readonly number[],
  policy: CohortPolicy,
): {
  people: number;
  counted: number;
  byMethod: Map<
    string,
    {
      k: number;
      reviewed: number;
      counts: ReviewCounts;
      built: ReturnType<typeof buildPeople>;
      reviews: ReturnType<typeof reviewFirst>;
    }[]
  >;
  photos: Scenario['photos'];
  countedKeys: Set<string>;
} => {
  const enrolment = enrolPeople(s.people, modelSetId);
  const base = enrolment.galleries.map((g) => personModelOf(g, 0));
  const enrolled = new Map([...s.people].filter(([p]) => base.some((m) => m.name === p)));
  const cohort = cohortOf(library, s);
  const provisional = PeopleMatrix.build(base);
  const thresholds = calibrateThresholds(
    provisional,
    cohort.map((f) => f.vectors),
    policy,
  ).map((c) => c.threshold);
  // The reviewer works on half of the photos; `sort` is scored on the other half, the same faces
  // for every K and every method. (Scoring the faces left over in the reviewed photos would drop
  // exactly the gray-zone faces the errors are among.)
  const pool = s.photos.filter((p) => !isTestPhoto(p.key));
  const test = s.photos.filter((p) => isTestPhoto(p.key));
  const queue = reviewQueue(pool, provisional, thresholds);
  const kmax = Math.max(...ks);
  const reviewedAtMax = reviewFirst(queue, kmax);
  const countedKeys = new Set<string>();
  // The album reuses faces across photos: a face reviewed in one photo is not counted in another.
  for (const p of test) for (const f of p.faces) if (!reviewedAtMax.byFace.has(f.key)) countedKeys.add(f.key);
  const byMethod = new Map<
    string,
    {
      k: number;
      reviewed: number;
      counts: ReviewCounts;
      built: ReturnType<typeof buildPeople>;
      reviews: ReturnType<typeof reviewFirst>;
    }[]
  >();
  for (const method of REVIEW_METHODS) {
    const cells = ks.map((k) => {
      const reviews = reviewFirst(queue, k);
      const built = buildPeople(method, enrolled, base, reviews, cohort, policy);
      return {
        k,
        reviewed: reviews.reviewed,
        counts: evaluateReview(test, built, reviews, countedKeys),
        built,
        reviews,
      };
    });
    byMethod.set(method.label, cells);
  }
  return { people: base.length, counted: countedKeys.size, byMethod, photos: test, countedKeys };
};

const runGroup = (
  group: string,
  scenarios: readonly Scenario[],
  library: readonly BenchFace[],
  modelSetId: string,
  ks: readonly number[],
  policy: CohortPolicy,
): GroupRows => {
  const results = scenarios.map((s) => runScenario(library, s, modelSetId, ks, policy));
  const strangers = scenarios.some((s) => s.heldOut.size > 0);
  // The group's K=0 recall (the same for every method: no label yet) is the operating point.
  const first = REVIEW_METHODS[0]!.label;
  const base = results.map((r) => r.byMethod.get(first)![0]!.counts).reduce(add, ZERO);
  const target = recall(base);
  const rows = REVIEW_METHODS.map((m) => ({
    method: m.label,
    cells: ks.map((k, ki) => {
      let counts = ZERO;
      let reviewed = 0;
      let matched: ReviewCounts | null = ZERO;
      let shiftSum = 0;
      for (const r of results) {
        const cell = r.byMethod.get(m.label)![ki]!;
        counts = add(counts, cell.counts);
        reviewed += cell.reviewed;
      }
      // Per scenario, the strictest common shift keeping that scenario's own K=0 recall (only
      // where strangers are: in a closed set every false match is a known face's other person).
      for (const r of strangers ? results : []) {
        const cell = r.byMethod.get(m.label)![ki]!;
        const own = recall(r.byMethod.get(first)![0]!.counts);
        const at = Number.isNaN(own)
          ? null
          : falseAtRecall(r.photos, cell.built, cell.reviews, r.countedKeys, own);
        if (!at || matched === null) matched = null;
        else {
          matched = add(matched, at.counts);
          shiftSum += at.shift;
        }
      }
      return {
        k,
        reviewed,
        counts,
        atBaseRecall: strangers && matched ? { shift: shiftSum / results.length, counts: matched } : null,
      };
    }),
  }));
  void target;
  return {
    group,
    scenarios: scenarios.length,
    people: results.reduce((n, r) => n + r.people, 0),
    counted: results.reduce((n, r) => n + r.counted, 0),
    rows,
  };
};

const cellText = (c: Cell): string =>
  `${fixed(precision(c.counts))} / ${fixed(recall(c.counts))} / ${fixed(falsePer1k(c.counts), 1)}`;

const main = async (): Promise<void> => {
  const args = parseCommandLine();
  const t0 = performance.now();
  const log = (msg: string): void => {
    process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${msg}\n`);
  };
  console.log('mespotter review benchmark');
  console.log(`  date ${new Date().toISOString()}`);
  console.log(
    `  machine ${os.cpus()[0]?.model ?? 'unknown'}, ${os.cpus().length} cores, ${os.type()} ${os.release()} ${os.arch()}, node ${process.version}`,
  );
  const speed: ClusterSpeedRow[] = [];
  for (const n of args.clusterScale) {
    log(`cluster command speed: library of ${n} synthetic faces…`);
    speed.push(await clusterSpeed(n));
  }
  if (speed.length) {
    console.log(
      '\n== the cluster command through the library (synthetic 512-d faces, one per photo; clusterFaces alone side by side)',
    );
    console.log(
      mdTable(
        [
          'faces',
          'clusterFaces alone',
          'cluster command (read, cluster, write)',
          'ratio',
          'clusters',
          'then +1 % new faces',
          'faces added to existing clusters (new and earlier unknown)',
        ],
        speed.map((r) => [
          r.faces,
          `${r.aloneSeconds.toFixed(1)} s`,
          `${r.firstSeconds.toFixed(1)} s`,
          (r.firstSeconds / r.aloneSeconds).toFixed(2),
          r.clusters,
          `${r.added} faces: ${r.incrementalSeconds.toFixed(1)} s`,
          r.joined,
        ]),
      ),
    );
  }
  if (!(await exists(args.datasets))) {
    console.log(`\ndatasets not found at ${args.datasets}: the review simulation needs them; skipped`);
    return;
  }
  const embedMode = resolveEngineConfig().embed.mode;
  const loaded = await peopleFaces(
    args.datasets,
    PEOPLE_SETS,
    resolve(projectRoot, '.bench-data', 'people'),
    5,
    embedMode,
    log,
  );
  if (!loaded.modelSetId || loaded.faces.length === 0) {
    console.log(`\nno faces loaded from ${args.datasets} (${loaded.skipped.join('; ')}); nothing to measure`);
    return;
  }
  const library = loaded.faces;
  console.log(
    `  models ${loaded.modelSetId}; embed mode ${embedMode}; ${library.length} faces; cached: ${loaded.cached.join(', ') || 'none'}`,
  );
  console.log(
    `  gray zone: calibrated threshold ± ${GRAY_ZONE}; K = ${args.ks.join(', ')} faces reviewed per person`,
  );

  const groups: GroupRows[] = [];
  for (const far of args.fars) {
    const policy = { ...DEFAULT_COHORT_POLICY, far };
    const tag = far === DEFAULT_COHORT_POLICY.far ? '' : ` (far ${far.toExponential(0)})`;
    for (const set of loaded.present) {
      log(`far ${far}: ${set} closed set…`);
      groups.push(
        runGroup(`${set}${tag}`, [closedSet(library, set)], library, loaded.modelSetId, args.ks, policy),
      );
      log(`far ${far}: ${set} open-set folds…`);
      groups.push(
        runGroup(
          `${set} open${tag}`,
          openSetFolds(library, set, FOLDS[set]),
          library,
          loaded.modelSetId,
          args.ks,
          policy,
        ),
      );
    }
    if (args.album > 0) {
      log(`far ${far}: album of ${args.album} photos…`);
      groups.push(
        runGroup(
          `album${tag}`,
          [generatedAlbum(library, { photos: args.album, strangerEvery: 5, seed: 7 })],
          library,
          loaded.modelSetId,
          args.ks,
          policy,
        ),
      );
    }
  }

  const out: string[] = [];
  out.push('', '== setup');
  out.push(
    mdTable(
      [
        'group',
        'scenarios',
        'people (runs)',
        'test faces (never reviewed)',
        ...args.ks.map((k) => `reviewed at K=${k}`),
      ],
      groups.map((g) => [
        g.group,
        g.scenarios,
        g.people,
        g.counted,
        ...g.rows[0]!.cells.map((c) => c.reviewed),
      ]),
    ),
  );
  out.push(
    '',
    '== face precision / recall / false matches per 1k faces on the test half of the photos (never reviewed; the same faces for every K)',
  );
  for (const g of groups) {
    out.push('', `${g.group}:`);
    out.push(
      mdTable(
        ['method', ...args.ks.map((k) => `K=${k}`)],
        g.rows.map((r) => [r.method, ...r.cells.map(cellText)]),
      ),
    );
  }
  out.push(
    '',
    "== false matches per 1k faces at the same recall as K=0 (every threshold shifted by the strictest common amount that keeps each scenario's K=0 recall; mean shift in brackets)",
  );
  out.push(
    mdTable(
      ['group', 'method', ...args.ks.map((k) => `K=${k}`)],
      groups
        .filter((g) => g.rows.some((r) => r.cells.some((c) => c.atBaseRecall)))
        .flatMap((g) =>
          g.rows.map((r) => [
            g.group,
            r.method,
            ...r.cells.map((c) =>
              c.atBaseRecall
                ? `${fixed(falsePer1k(c.atBaseRecall.counts), 1)} (${c.atBaseRecall.shift >= 0 ? '+' : ''}${c.atBaseRecall.shift.toFixed(3)})`
                : '-',
            ),
          ]),
        ),
    ),
  );
  // Totals over the groups with strangers (where false matches happen), at the default far.
  const totals = REVIEW_METHODS.map((m) => ({
    method: m.label,
    cells: args.ks.map((_, ki) =>
      groups
        .filter((g) => g.group.endsWith('open') || g.group === 'album')
        .map((g) => g.rows.find((r) => r.method === m.label)!.cells[ki]!.counts)
        .reduce(add, ZERO),
    ),
  }));
  out.push(
    '',
    `== all open sets and the album together (far ${DEFAULT_COHORT_POLICY.far.toExponential(0)}): precision / recall / false matches per 1k`,
  );
  out.push(
    mdTable(
      ['method', ...args.ks.map((k) => `K=${k}`)],
      totals.map((t) => [
        t.method,
        ...t.cells.map((c) => `${fixed(precision(c))} / ${fixed(recall(c))} / ${fixed(falsePer1k(c), 1)}`),
      ]),
    ),
  );
  console.log(out.join('\n'));
  console.log(`\n${((performance.now() - t0) / 1000).toFixed(0)} s`);
  if (args.json) {
    await writeFile(args.json, JSON.stringify({ ks: args.ks, groups, totals }, null, 1));
    console.log(`wrote ${args.json}`);
  }
};

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
