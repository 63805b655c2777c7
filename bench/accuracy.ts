/**
 * Accuracy benchmark on the development datasets beside the project (../shared/datasets):
 * glint24 pair verification, five_celebrity / bbt / orl enrol-and-search, threshold calibration
 * and a comparison of gallery scoring strategies.
 *
 *   node dist/bench/accuracy.js [--json out.json] [--datasets DIR] [--sets glint24,five_celebrity,bbt,orl]
 *       [--no-second] [--framing]
 *
 * The "second embedder" section (bench/accuracy/secondEmbedder.ts) compares the first embedder,
 * the face-api descriptor, their fusion and the test-time flip on the same faces, and fits the
 * fusion; --framing adds the descriptor crop-framing study; --no-second skips the section.
 *
 * Prints a readable report; with --json also writes every number. Skips cleanly (exit 0) when the
 * datasets are absent.
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaceEngine } from '../core/FaceEngine.js';
import { DEFAULT_MIN_AGREEMENT, DEFAULT_THRESHOLD } from '../core/match/defaults.js';
import { Analyzer } from './accuracy/analyzer.js';
import { runBbt } from './accuracy/bbt.js';
import { calibrate } from './accuracy/calibration.js';
import type { NaturalSetResult } from './accuracy/common.js';
import { runFiveCelebrity } from './accuracy/fiveCelebrity.js';
import { type GlintResult, runGlint24 } from './accuracy/glint24.js';
import type { SetName as IdentitySetName } from './accuracy/identitySamples.js';
import { exists } from './accuracy/images.js';
import { pairsOf, photoPrecisionRecall, round, STRATEGIES, summarize } from './accuracy/metrics.js';
import { runOrl } from './accuracy/orl.js';
import { calibrationBlock, glintBlock, naturalSetBlock } from './accuracy/report.js';
import { runSecondEmbedder, type SecondEmbedderResult } from './accuracy/secondEmbedder.js';
import { benchArgs, namesIn } from './benchArgs.js';

const ALL_SETS = ['glint24', 'five_celebrity', 'bbt', 'orl'] as const;
type SetName = (typeof ALL_SETS)[number];

interface Args {
  json?: string;
  datasets: string;
  sets: SetName[];
  second: boolean;
  framing: boolean;
}

const usage =
  'usage: node dist/bench/accuracy.js [--json out.json] [--datasets DIR] [--sets a,b,...] [--no-second] [--framing]';

const parseCommandLine = (): Args => {
  // dist/bench/accuracy.js -> project root is two levels up.
  const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
  const { values } = benchArgs(usage, {
    json: { type: 'string' },
    datasets: { type: 'string', default: resolve(projectRoot, '..', 'shared', 'datasets') },
    sets: { type: 'string' },
    'no-second': { type: 'boolean', default: false },
    framing: { type: 'boolean', default: false },
  });
  return {
    ...(values.json !== undefined ? { json: values.json } : {}),
    datasets: resolve(values.datasets),
    sets: values.sets !== undefined ? namesIn(values.sets, ALL_SETS) : [...ALL_SETS],
    second: !values['no-second'],
    framing: values.framing,
  };
};

const main = async (): Promise<void> => {
  const args = parseCommandLine();
  if (!(await exists(args.datasets))) {
    console.log(`datasets not found at ${args.datasets}, skipping accuracy benchmark`);
    return;
  }
  const started = new Date();
  const t0 = performance.now();
  const engine = await FaceEngine.create();
  const analyzer = new Analyzer(engine, 2);
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  const meta = {
    date: started.toISOString(),
    machine: {
      cpu,
      cores: os.cpus().length,
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      memoryGiB: round(os.totalmem() / 2 ** 30, 1),
      node: process.version,
    },
    modelSetId: engine.modelSetId,
    datasets: args.datasets,
    defaults: { DEFAULT_THRESHOLD, DEFAULT_MIN_AGREEMENT },
    engine: {
      lanes: 2,
      intraOpThreads: engine.config.runtime.intraOpThreads,
      device: engine.config.runtime.device,
    },
  };
  console.log('mespotter accuracy benchmark');
  console.log(`  date ${meta.date}`);
  console.log(`  machine ${cpu}, ${meta.machine.cores} cores, ${meta.machine.os}, node ${meta.machine.node}`);
  console.log(`  models ${meta.modelSetId}`);
  console.log(`  datasets ${args.datasets}`);
  console.log(
    `  DEFAULT_THRESHOLD ${DEFAULT_THRESHOLD}, DEFAULT_MIN_AGREEMENT ${DEFAULT_MIN_AGREEMENT}; 2 analyses at a time`,
  );

  const skipped: string[] = [];
  const present = async (name: SetName): Promise<string | null> => {
    if (!args.sets.includes(name)) return null;
    const dir = join(args.datasets, name);
    if (await exists(dir)) return dir;
    skipped.push(`${name}: not found at ${dir}`);
    return null;
  };

  let glint: GlintResult | null = null;
  let second: SecondEmbedderResult | null = null;
  const natural: NaturalSetResult[] = [];
  const progress = (msg: string): void => {
    process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${msg}\n`);
  };
  try {
    const g = await present('glint24');
    if (g) {
      progress('glint24…');
      glint = await runGlint24(analyzer, g);
    }
    const f = await present('five_celebrity');
    if (f) {
      progress('five_celebrity…');
      natural.push(await runFiveCelebrity(analyzer, engine.modelSetId, f));
    }
    const b = await present('bbt');
    if (b) {
      progress('bbt…');
      natural.push(await runBbt(analyzer, engine.modelSetId, b));
    }
    const o = await present('orl');
    if (o) {
      progress('orl…');
      natural.push(await runOrl(analyzer, engine.modelSetId, o));
    }
    if (args.second) {
      const found = new Map<IdentitySetName, string>();
      for (const name of ALL_SETS) {
        const dir = join(args.datasets, name);
        if (args.sets.includes(name) && (await exists(dir))) found.set(name, dir);
      }
      second = await runSecondEmbedder(analyzer, found, { framing: args.framing, progress });
    }
  } finally {
    await engine.close();
  }
  progress('done analysing; computing statistics');

  const calibration = calibrate(natural, glint);
  const calibrated = calibration?.recommended.rounded;
  const thresholds = [
    { label: 'DEFAULT_THRESHOLD', value: DEFAULT_THRESHOLD },
    ...(calibrated !== undefined ? [{ label: 'calibrated threshold (pooled rule)', value: calibrated }] : []),
  ];
  const worst = calibration?.worstSet.rounded;
  if (worst !== undefined && !thresholds.some((t) => Math.abs(t.value - worst) < 1e-9)) {
    thresholds.push({ label: 'worst-set threshold', value: worst });
  }

  const out: string[] = [''];
  if (skipped.length) out.push(...skipped.map((s) => `skipped ${s}`), '');
  if (glint) out.push(glintBlock(glint), '');
  const naturalJson: Record<string, unknown> = {};
  for (const set of natural) {
    const summary = summarize(pairsOf(set.trials, 'centroid'));
    out.push(naturalSetBlock(set, summary, thresholds), '');
    naturalJson[set.name] = {
      ms: round(set.ms, 0),
      notes: set.notes,
      detection: set.detection,
      galleries: set.galleries,
      verification: Object.fromEntries(STRATEGIES.map((s) => [s, summarize(pairsOf(set.trials, s))])),
      photoLevel: Object.fromEntries(
        thresholds.map((t) => [
          t.label,
          { threshold: t.value, ...photoPrecisionRecall(set.probes, set.people, t.value) },
        ]),
      ),
      extra: set.extra,
      trials: set.trials.map((t) => ({
        person: t.person,
        probe: t.probe,
        same: t.same,
        centroid: round(t.scores.centroid),
        max: round(t.scores.max),
        top2: round(t.scores.top2),
      })),
    };
  }
  if (calibration) out.push(calibrationBlock(calibration), '');
  if (second) out.push(...second.lines, '');
  const totalMs = performance.now() - t0;
  out.push(
    `total ${(totalMs / 1000).toFixed(1)} s wall; engine ${(analyzer.engineMs / 1000).toFixed(1)} s over ${analyzer.calls} calls (summed over 2 lanes)`,
  );
  console.log(out.join('\n'));

  if (args.json) {
    const report = {
      meta: {
        ...meta,
        totalMs: round(totalMs, 0),
        engineMs: round(analyzer.engineMs, 0),
        engineCalls: analyzer.calls,
      },
      skipped,
      glint24: glint ? { ...glint, pairs: undefined, ms: round(glint.ms, 0) } : null,
      sets: naturalJson,
      calibration,
      secondEmbedder: second ? { ...second, lines: undefined } : null,
    };
    await writeFile(args.json, `${JSON.stringify(report, null, 1)}\n`);
    console.log(`wrote ${args.json}`);
  }
};

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
