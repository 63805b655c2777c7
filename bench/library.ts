/**
 * People-library speed benchmark (issue 9), side by side in one run:
 *
 *   npm run bench:library -- [--n 200] [--people 100] [--copies 10] [--rounds 2] [--json FILE]
 *
 * 1. index vs plain analysis: the generated 2 MP one-face photos (bench/fixtures) analysed by the
 *    same EnginePool (a) with nothing stored (read, hash, analyse: what a first `sort` costs before
 *    its copies) and (b) through `mespotter index`'s code path into a fresh library (the same plus
 *    the SQLite writes). Interleaved rounds, medians, ratio. Goal: index within 5 % of (a).
 * 2. `sort --everyone` over an indexed library: --people synthetic people (3 references each,
 *    around random identity centres) enrolled next to the real bench person, the photos linked
 *    --copies times into one collection (so it is --n x --copies files, every one already
 *    indexed), then runSort --everyone --dry-run: stat, library lookup, decision against everyone,
 *    result line, automatic labels. Goal: >= 1,000 photos/s.
 */
import { link, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pLimit from 'p-limit';
import { createEngine, engineNamespace } from '../cli/engineOptions.js';
import { indexFolders } from '../cli/index/indexFolders.js';
import { loadPeople } from '../cli/people/loadPeople.js';
import { runSort } from '../cli/sort/runSort.js';
import { Library } from '../core/library/Library.js';
import { sha256Hex } from '../core/models/manifest.js';
import { Layout } from '../core/report/copyPlan.js';
import type { PhotoAnalyzer } from '../core/runtime/PhotoAnalyzer.js';
import type { FivePoints } from '../core/types.js';
import { seededRng } from '../core/util/seededRng.js';
import { generateBenchSet } from './fixtures/generateBenchPhotos.js';
import { median } from './median.js';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '200' },
    people: { type: 'string', default: '100' },
    copies: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    json: { type: 'string' },
  },
});
const N = Number(args.n);
const PEOPLE = Number(args.people);
const COPIES = Number(args.copies);
const ROUNDS = Number(args.rounds);
const silent = { start: () => undefined, update: () => undefined, stop: () => undefined };
const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

/** Read, hash and analyse every photo, storing nothing: the work a first sort does before copying. */
const plainAnalysis = async (engine: PhotoAnalyzer, files: readonly string[]): Promise<number> => {
  const limit = pLimit(engine.config.runtime.lanes * 2);
  const started = performance.now();
  await Promise.all(
    files.map((f) =>
      limit(async () => {
        const bytes = await readFile(f);
        sha256Hex(bytes);
        await engine.analyze(bytes);
      }),
    ),
  );
  return files.length / ((performance.now() - started) / 1000);
};

const indexInto = async (engine: PhotoAnalyzer, dir: string, dbPath: string): Promise<number> => {
  const library = Library.open(dbPath);
  try {
    const s = await indexFolders(
      {
        engine,
        library,
        ns: engineNamespace(engine),
        reuse: true,
        maxFileBytes: engine.config.decode.maxFileBytes,
      },
      [dir],
      { lanes: engine.config.runtime.lanes, progress: silent },
    );
    if (s.errors > 0) throw new Error(`index had ${s.errors} errors`);
    return s.files / s.seconds;
  } finally {
    library.close();
  }
};

/** Unit vector near `centre` (cosine ~0.7 to it): a synthetic face of that identity. */
const around = (centre: Float32Array, rnd: () => number, spread: number): Float32Array => {
  const v = new Float32Array(centre.length);
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    v[i] = centre[i]! + spread * (rnd() - 0.5);
    n += v[i]! * v[i]!;
  }
  return v.map((x) => x / Math.sqrt(n));
};

const randomUnit = (dim: number, rnd: () => number): Float32Array => around(new Float32Array(dim), rnd, 1);

/** --people synthetic people, three references each, stored and enrolled like real ones. */
const enrolSynthetic = (library: Library, ns: string, people: number, withDescriptor: boolean): void => {
  const rnd = seededRng(7);
  const noPoints = [0, 1, 2, 3, 4].map(() => ({ x: 0, y: 0 })) as unknown as FivePoints;
  for (let p = 0; p < people; p++) {
    const centre = randomUnit(512, rnd);
    const dcentre = randomUnit(128, rnd);
    const refs: { faceId: number; source: string }[] = [];
    for (let r = 0; r < 3; r++) {
      const sha = sha256Hex(Buffer.from(`synthetic-${p}-${r}`));
      const { faces } = library.saveAnalysis({ sha256: sha, size: 1 }, ns, {
        width: 100,
        height: 100,
        rejected: 0,
        faces: [
          {
            box: { x1: 10, y1: 10, x2: 90, y2: 90 },
            score: 0.99,
            points: noPoints,
            roll: 0,
            quality: 0.9,
            embedding: around(centre, rnd, 0.08),
            ...(withDescriptor ? { descriptor: around(dcentre, rnd, 0.08) } : {}),
          },
        ],
      });
      refs.push({ faceId: faces[0]!.id, source: `synthetic/${p}/${r}.jpg` });
    }
    library.enrol(`person-${String(p).padStart(4, '0')}`, refs, { replace: true });
  }
};

const set = await generateBenchSet({ n2mp: N, n12mp: 0, log });
const files = (await readdir(set.dir2mp)).filter((f) => f.endsWith('.jpg')).map((f) => join(set.dir2mp, f));
const work = await mkdtemp(join(tmpdir(), 'mespotter-bench-library-'));
const engine = await createEngine({}, true);
const result: Record<string, unknown> = {
  n: files.length,
  people: PEOPLE,
  copies: COPIES,
  lanes: engine.config.runtime.lanes,
};
try {
  // 1. index vs plain analysis, interleaved.
  const plain: number[] = [];
  const indexed: number[] = [];
  await plainAnalysis(engine, files.slice(0, 8)); // warm-up: first inference allocates
  for (let r = 0; r < ROUNDS; r++) {
    plain.push(await plainAnalysis(engine, files));
    log(`round ${r + 1}: plain analysis ${plain.at(-1)!.toFixed(1)} photos/s`);
    indexed.push(await indexInto(engine, set.dir2mp, join(work, `round${r}.db`)));
    log(`round ${r + 1}: index ${indexed.at(-1)!.toFixed(1)} photos/s`);
  }
  const ratio = median(indexed) / median(plain);
  Object.assign(result, {
    plainPhotosPerSecond: median(plain),
    indexPhotosPerSecond: median(indexed),
    indexRatio: ratio,
  });

  // 2. sort --everyone with many people over an indexed library.
  const dbPath = join(work, `round${ROUNDS - 1}.db`);
  const library = Library.open(dbPath);
  const ns = engineNamespace(engine);
  const fused =
    library.analysis(sha256Hex(await readFile(files[0]!)), ns)?.analysis.faces[0]?.descriptor !== undefined;
  enrolSynthetic(library, ns, PEOPLE, fused);
  const big = join(work, 'collection');
  for (let c = 0; c < COPIES; c++) {
    await mkdir(join(big, `copy${c}`), { recursive: true });
    for (const f of files) await link(f, join(big, `copy${c}`, f.slice(set.dir2mp.length + 1)));
  }
  const pre = await indexFolders(
    { engine, library, ns, reuse: true, maxFileBytes: engine.config.decode.maxFileBytes },
    [big],
    { lanes: engine.config.runtime.lanes, progress: silent },
  );
  log(`collection: ${pre.files} files indexed (${pre.analysed} analysed, ${pre.reused} from the library)`);
  const peopleStarted = performance.now();
  const people = await loadPeople(library, engine, { person: [], everyone: true }, { searchRequired: true });
  const peopleSeconds = (performance.now() - peopleStarted) / 1000;
  const sortRuns: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const { summary } = await runSort(engine, {
      input: big,
      output: join(work, `out${r}`),
      library,
      people,
      layout: Layout.ByPerson,
      dryRun: true,
      lanes: engine.config.runtime.lanes,
      progress: silent,
    });
    sortRuns.push(summary.photosPerSecond);
    log(
      `sort --everyone (${people.matrix.size} people, ${summary.total} files): ${summary.photosPerSecond.toFixed(0)} photos/s`,
    );
  }
  library.close();
  Object.assign(result, {
    enrolled: people.matrix.size,
    collectionFiles: pre.files,
    loadPeopleSeconds: peopleSeconds,
    sortEveryonePhotosPerSecond: median(sortRuns),
  });
} finally {
  await engine.close();
  await rm(work, { recursive: true, force: true });
}

const r = result as {
  plainPhotosPerSecond: number;
  indexPhotosPerSecond: number;
  indexRatio: number;
  sortEveryonePhotosPerSecond: number;
  enrolled: number;
  collectionFiles: number;
  loadPeopleSeconds: number;
};
console.log(`| measure | value |\n|---|---|`);
console.log(
  `| plain analysis (read + hash + analyse), ${files.length} 2 MP photos | ${r.plainPhotosPerSecond.toFixed(2)} photos/s |`,
);
console.log(`| index into the library, same photos | ${r.indexPhotosPerSecond.toFixed(2)} photos/s |`);
console.log(`| index / plain | ${r.indexRatio.toFixed(3)} |`);
console.log(
  `| sort --everyone, ${r.enrolled} people, ${r.collectionFiles} indexed files, dry run | ${r.sortEveryonePhotosPerSecond.toFixed(0)} photos/s |`,
);
console.log(`| load people + calibrate thresholds | ${r.loadPeopleSeconds.toFixed(2)} s |`);
console.log(
  `${r.indexRatio >= 0.95 ? 'PASS' : 'FAIL'} index within 5 % of plain analysis (${((1 - r.indexRatio) * 100).toFixed(1)} % slower)`,
);
console.log(`${r.sortEveryonePhotosPerSecond >= 1000 ? 'PASS' : 'FAIL'} sort --everyone >= 1,000 photos/s`);
if (args.json) await writeFile(args.json, `${JSON.stringify(result, null, 2)}\n`);
