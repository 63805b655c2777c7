/**
 * Serverless benchmark: the same photos through `mespotter sort` (in-process, every core) and
 * through the emulated pipeline (fauxqs + the bundled Lambda handlers, a manifest run), giving
 * the overhead ratio; every request the pipeline makes, counted as AWS bills it (RequestMeter);
 * the detect stage alone at one and two engines (the vCPUs of 1769 MB and of 3008/4096 MB); and
 * from these the bill per million photos at list prices. Adds its measurement to BENCHMARKS.md,
 * "Serverless", above the earlier ones.
 *
 *   npm run cloud:bench [-- --photos 40] [--print-only]
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { createEngine } from '../cli/engineOptions.js';
import { peopleOfGalleries } from '../cli/people/loadPeople.js';
import { runSort } from '../cli/sort/runSort.js';
import { analyzePhoto } from '../core/analysis/analyzePhoto.js';
import { FaceEngine } from '../core/FaceEngine.js';
import { decodeImage, encodeJpeg } from '../core/image/decode.js';
import { Library } from '../core/library/Library.js';
import { DEFAULT_MIN_AGREEMENT, DEFAULT_THRESHOLD } from '../core/match/defaults.js';
import { buildGallery, pickReferenceFace, type ReferenceCandidate } from '../core/match/gallery.js';
import { Layout } from '../core/report/copyPlan.js';
import { SQS_BATCH_MAX } from '../functions/shared/sendBatch.js';
import { PROJECT_ROOT } from '../infra/buildApp.js';
import { WORKER_SETTINGS } from '../infra/constructs/workerSettings.js';
import type { InvocationInfo } from '../infra/local/EventSourcePoller.js';
import { LocalCloud } from '../infra/local/LocalCloud.js';
import { type MeteredRequest, RequestClass, RequestMeter } from '../infra/local/RequestMeter.js';
import { readResultLines } from '../test/helpers/cloudObjects.js';
import { makeCloudTestPhotos } from '../test/helpers/cloudPhotos.js';

/** us-east-1 list prices (2026): Lambda arm64 per GB-second and per request; SQS standard; S3 Standard. */
const PRICE = {
  lambdaGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  sqsRequest: 0.4 / 1e6,
  s3Put: 0.005 / 1000,
  s3Get: 0.0004 / 1000,
} as const;
/** Lambda gives one vCPU at 1769 MB, in proportion to memory (up to 6 at 10240 MB). */
const MB_PER_VCPU = 1769;
const MEMORY_SIZES = [1769, 3008, 4096] as const;

const { values } = parseArgs({
  options: {
    photos: { type: 'string', default: '40' },
    // Prints the measurement without adding it to BENCHMARKS.md (trial runs).
    'print-only': { type: 'boolean', default: false },
  },
});
const photos = Number(values.photos);
const log = (m: string) => console.error(`[cloud-bench ${new Date().toISOString().slice(11, 19)}] ${m}`);
const load0 = loadavg()[0]!;

// The photos: face-api's six group photos (1920 px, 3-5 faces), each re-encoded at several
// qualities so every file has its own content hash (no faces-index hits); references are crops
// of sample1's leftmost woman (test/helpers/cloudPhotos.ts), so the sample1 copies match.
const engine0 = await FaceEngine.create();
const testPhotos = await makeCloudTestPhotos(engine0);
const dir = join(PROJECT_ROOT, '.bench-data', 'cloud', `photos-${photos}`);
await rm(dir, { recursive: true, force: true });
await mkdir(dir, { recursive: true });
const files: string[] = [];
for (let i = 0; i < photos; i++) {
  const { image } = await decodeImage(testPhotos.samples[i % 6]!, { maxSide: 1920, maxPixels: 100_000_000 });
  const file = join(dir, `s${(i % 6) + 1}-q${95 - Math.floor(i / 6)}.jpg`);
  await writeFile(file, (await encodeJpeg(image, { quality: 95 - Math.floor(i / 6) })).jpeg);
  files.push(file);
}
const refDir = join(PROJECT_ROOT, '.bench-data', 'cloud', 'refs');
await mkdir(refDir, { recursive: true });
const references: string[] = [];
for (const [i, ref] of testPhotos.references.entries()) {
  references.push(join(refDir, `ref${i}.jpg`));
  await writeFile(references.at(-1)!, ref);
}
await engine0.close();

// --- Local sort: what `mespotter sort` does, on every core.
log(`${files.length} photos; local sort`);
const engine = await createEngine({ cache: false }, true);
const candidates: ReferenceCandidate[] = [];
for (const ref of references) {
  const { sha256, analysis } = await analyzePhoto(engine, await readFile(ref));
  const face = pickReferenceFace(analysis.faces);
  if (face) candidates.push({ source: ref, sha256, face });
}
const { gallery } = buildGallery('bench', engine.modelSetId, candidates, [], {
  minAgreement: DEFAULT_MIN_AGREEMENT,
});
const out = join(tmpdir(), `mespotter-bench-${process.pid}`);
const quiet = { start: () => undefined, update: () => undefined, stop: () => undefined };
const sortStart = performance.now();
const benchLibrary = Library.open(join(out, '..', `mespotter-bench-${process.pid}.db`));
const { summary } = await runSort(engine, {
  input: dir,
  output: out,
  library: benchLibrary,
  people: peopleOfGalleries([gallery], DEFAULT_THRESHOLD),
  layout: Layout.Flat,
  dryRun: false,
  lanes: engine.config.runtime.lanes,
  progress: quiet,
});
const sortSeconds = (performance.now() - sortStart) / 1000;
benchLibrary.close();
await engine.close();
await rm(out, { recursive: true, force: true });
await rm(join(out, '..', `mespotter-bench-${process.pid}.db`), { force: true });

// --- Emulated cloud: references enrolled, photos uploaded, then one manifest run timed and metered.
log(`sort: ${sortSeconds.toFixed(1)} s; starting the emulated cloud`);
const invocations: (InvocationInfo & { end: number })[] = [];
const meter = new RequestMeter();
// One detect container per core: each is a 1769 MB function (one vCPU, one engine).
const cloud = await LocalCloud.start({
  projectRoot: PROJECT_ROOT,
  concurrency: { detect: availableParallelism() },
  onInvoke: (i) => invocations.push({ ...i, end: performance.now() }),
  meter,
  // As deployed (the harness's defaults re-check sooner, for tests): the request counts depend on them.
  environment: { GALLERY_TTL_SECONDS: '30', FINALIZE_DELAY_SECONDS: '30' },
});
const put = (key: string, body: Uint8Array | string) =>
  cloud.s3.send(new PutObjectCommand({ Bucket: cloud.bucket, Key: key, Body: body }));
for (const [i, ref] of references.entries()) await put(`reference/bench/ref${i}.jpg`, await readFile(ref));
await cloud.drain(120_000);
for (const f of files) await put(`collection/${basename(f)}`, await readFile(f));
// Warm every detect container first (sort's timing excludes its engine start-up too): a run of
// other encodings of the samples, two batches per container.
const warm = availableParallelism() * 2 * WORKER_SETTINGS.detect.batchSize;
for (let i = 0; i < warm; i++) {
  const { image } = await decodeImage(testPhotos.samples[i % 6]!, { maxSide: 1280, maxPixels: 100_000_000 });
  await put(`warmup/w${i}.jpg`, (await encodeJpeg(image, { quality: 60 + (i % 35) })).jpeg);
}
await put('manifests/warmup.jsonl', `${JSON.stringify({ prefix: 'warmup/' })}\n`);
await cloud.drain(300_000);
invocations.length = 0;
log('enrolled and uploaded; manifest run');
meter.start();
const t0 = performance.now();
await put('manifests/bench.jsonl', `${JSON.stringify({ prefix: 'collection/' })}\n`);
await cloud.drain(600_000);
const requests = meter.stop().filter((r) => r.who !== 'harness');
const pipeline = invocations.filter((i) => i.name !== 'ingest' || i.end < invocations.at(-1)!.end);
// The run ends with its last photo's last step; the summary's delayed finalizer is bookkeeping.
const t1 = Math.max(...pipeline.filter((i) => i.name !== 'ingest').map((i) => i.end));
const cloudSeconds = (t1 - t0) / 1000;
const depths = cloud.depths();
const lines = await readResultLines(cloud.s3, cloud.bucket);
const cloudMatched = lines.filter((l) => l.path.startsWith('collection/') && l.status === 'matched').length;

// --- The detect stage alone, in a child process, at one and at two engines.
const sink = await cloud.sqs.send(new CreateQueueCommand({ QueueName: 'bench-verify-sink' }));
const keys = files.map((f) => `collection/${basename(f)}`);
const run = promisify(execFile);
const detectStage = async (lanes: number) => {
  const options = { bucket: cloud.bucket, keys, warmup: 4, lanes, verifyQueueUrl: sink.QueueUrl! };
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', join(PROJECT_ROOT, 'bench', 'cloud', 'detectStage.ts'), JSON.stringify(options)],
    {
      cwd: PROJECT_ROOT,
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true' },
      maxBuffer: 1024 ** 2,
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as {
    lanes: number;
    photos: number;
    cpuMs: number;
    wallMs: number;
    coldStart: { cpuMs: number; wallMs: number };
  };
};
log('detect stage alone: 1 engine');
const stage1 = await detectStage(1);
log('detect stage alone: 2 engines');
const stage2 = await detectStage(2);
await cloud.stop();
const load1 = loadavg()[0]!;

// --- Costs.
const n = files.length;
const by = (name: string) => invocations.filter((i) => i.name === name);
const msPerPhoto = (name: string) => by(name).reduce((s, i) => s + i.ms, 0) / n;
const perPhoto = (count: number) => count / n;

// Detect's billed time at each memory size: the stage's CPU time spread over the vCPUs the size
// gives, as far as its engines can use them (one engine: one vCPU; two: up to two). Assumes a
// Graviton vCPU as fast as this core and the stage's S3/SQS waits hidden behind the next photo
// (its wall time here, shown beside it, includes other users of this shared machine).
const detectAt = (memoryMb: number) => {
  const vcpu = memoryMb / MB_PER_VCPU;
  const stage = vcpu > 1.05 ? stage2 : stage1;
  const cpuMs = stage.cpuMs / stage.photos;
  const billedMs = cpuMs / Math.min(vcpu, stage.lanes);
  return {
    memoryMb,
    vcpu,
    lanes: stage.lanes,
    cpuMs,
    wallMs: stage.wallMs / stage.photos,
    billedMs,
    usd: (billedMs / 1000) * (memoryMb / 1024) * PRICE.lambdaGbSecond * 1e6,
  };
};
const memoryTable = MEMORY_SIZES.map(detectAt);
const chosen = memoryTable.find((m) => m.memoryMb === WORKER_SETTINGS.detect.memoryMb) ?? memoryTable[0]!;

const lambdaCost = (name: keyof typeof WORKER_SETTINGS, computeUsd?: number) =>
  (computeUsd ??
    (msPerPhoto(name) / 1000) * (WORKER_SETTINGS[name].memoryMb / 1024) * PRICE.lambdaGbSecond * 1e6) +
  perPhoto(by(name).length) * PRICE.lambdaRequest * 1e6;
const lambda: Record<keyof typeof WORKER_SETTINGS, number> = {
  detect: lambdaCost('detect', chosen.usd),
  verify: lambdaCost('verify'),
  copy: lambdaCost('copy'),
  ingest: lambdaCost('ingest'),
};

const sum = (rs: readonly MeteredRequest[]) => rs.reduce((s, r) => s + r.units, 0);
// Bookkeeping paid once per run or per container, whatever the run's size: the manifest's event,
// its expansion and run record, the finalizer's checks and summary (ingest), verify's searched
// record and gallery listing. Shown apart: divided by this run's few photos it would dominate.
// ingest's SendMessageBatch calls are the detect messages (ten a call), the rest its finalizer.
const detectSends = Math.ceil(n / SQS_BATCH_MAX);
let ingestSends = 0;
const perRun = (r: MeteredRequest): boolean => {
  if (r.who === 'ingest' && r.op === 'SendMessageBatch') return ++ingestSends > detectSends;
  return (
    r.who === 'ingest' ||
    r.who === 'ingest-event-source' ||
    r.who === 's3-notifications' ||
    Boolean(r.key?.includes('/searched/')) ||
    (r.who === 'verify' && r.op === 'ListObjectsV2')
  );
};
const runRequests = requests.filter((r) => !r.empty && perRun(r));
const photoRequests = requests.filter((r) => !r.empty && !runRequests.includes(r));
const sqs = photoRequests.filter((r) => r.class === RequestClass.Sqs);
const idleReceives = requests.filter((r) => r.empty).length;
const s3Get = photoRequests.filter((r) => r.class === RequestClass.S3Get);
const s3Put = photoRequests.filter((r) => r.class === RequestClass.S3Put);
const faces = (rs: readonly MeteredRequest[]) => rs.filter((r) => r.key?.startsWith('faces/'));
const requestUsd = {
  sqs: perPhoto(sum(sqs)) * PRICE.sqsRequest * 1e6,
  s3Get: perPhoto(s3Get.length) * PRICE.s3Get * 1e6,
  s3Put: perPhoto(s3Put.length) * PRICE.s3Put * 1e6,
};
const facesUsd =
  perPhoto(faces(s3Get).length) * PRICE.s3Get * 1e6 + perPhoto(faces(s3Put).length) * PRICE.s3Put * 1e6;
const usdOf = (r: MeteredRequest): number =>
  r.class === RequestClass.Sqs
    ? r.units * PRICE.sqsRequest
    : r.class === RequestClass.S3Get
      ? PRICE.s3Get
      : r.class === RequestClass.S3Put
        ? PRICE.s3Put
        : 0;
// Ingest's compute is the manifest's expansion and the finalizer's checks: per run as well.
const ingestRunUsd =
  (by('ingest').reduce((s, i) => s + i.ms, 0) / 1000) *
    (WORKER_SETTINGS.ingest.memoryMb / 1024) *
    PRICE.lambdaGbSecond +
  by('ingest').length * PRICE.lambdaRequest;
const runUsd = runRequests.reduce((s, r) => s + usdOf(r), 0) + ingestRunUsd;
lambda.ingest = 0;
const total =
  Object.values(lambda).reduce((a, b) => a + b, 0) + Object.values(requestUsd).reduce((a, b) => a + b, 0);

// Requests per photo by who made them and what, for the breakdown table.
const breakdown = new Map<string, { count: number; units: number }>();
for (const r of photoRequests) {
  const prefix = r.key ? ` ${r.key.split('/')[0]}/` : '';
  const id = `${r.who}\t${r.op}${r.class === RequestClass.Sqs ? '' : prefix}`;
  const b = breakdown.get(id) ?? { count: 0, units: 0 };
  b.count++;
  b.units += r.units;
  breakdown.set(id, b);
}

const sortRate = n / sortSeconds;
const cloudRate = n / cloudSeconds;
const fmt = (x: number, d = 2) => x.toFixed(d);
const date = new Date().toISOString().slice(0, 10);
const rev = await promisify(execFile)('git', ['rev-parse', '--short', 'HEAD'], { cwd: PROJECT_ROOT })
  .then((r) => r.stdout.trim())
  .catch(() => 'unknown');
const w = WORKER_SETTINGS;
const report = `### ${date}: batched requests, detect at ${w.detect.memoryMb} MB

\`npm run cloud:bench -- --photos ${n}\`, ${cpus()[0]?.model ?? 'unknown CPU'} (${availableParallelism()} cores, x86_64),
Node ${process.version}, commit: working tree on top of ${rev}. Load average from others: ${fmt(load0, 1)} at the
start, ${fmt(load1, 1)} at the end (the machine is shared; wall times move with it, CPU times much less).
The same ${n} photos (face-api's sample1..6, 1920 px group photos with 3-5 faces, each re-encoded at several JPEG
qualities so every file is new to the faces index; references cropped from sample1) through \`mespotter sort\`
and through the emulated pipeline (fauxqs S3 + SQS on 127.0.0.1, the bundled handlers, each emulated Lambda
container a worker thread, ${availableParallelism()} detect containers of one engine each, warmed up by an earlier
run; one manifest run timed). Batches as deployed: detect ${w.detect.batchSize}, verify ${w.verify.batchSize}, copy ${w.copy.batchSize}, ingest ${w.ingest.batchSize} messages per invocation.

| path | seconds | photos/s |
| --- | ---: | ---: |
| local \`sort\` (${availableParallelism()} lanes, worker threads) | ${fmt(sortSeconds)} | ${fmt(sortRate)} |
| emulated pipeline (manifest → last copy/result) | ${fmt(cloudSeconds)} | ${fmt(cloudRate)} |

Pipeline vs sort (sort photos/s ÷ pipeline photos/s): **${fmt(sortRate / cloudRate)}x** (goal ≤ 1.2x: ${sortRate / cloudRate <= 1.2 ? 'met' : 'not met'}). Matched: sort
${summary.counts['matched'] ?? 0}, pipeline ${cloudMatched}; messages left after the run: ${JSON.stringify(depths)}.
Invocations: detect ${by('detect').length} (${fmt(n / Math.max(1, by('detect').length), 1)} photos each), verify ${by('verify').length}, copy ${by('copy').length}, ingest ${by('ingest').length}.
Handler time per photo in the pipeline (wall, summed over invocations ÷ photos): detect ${fmt(msPerPhoto('detect'), 0)} ms,
verify ${fmt(msPerPhoto('verify'), 1)} ms, copy ${fmt(msPerPhoto('copy'), 1)} ms, ingest ${fmt(msPerPhoto('ingest'), 1)} ms.

Detect alone (the same photos, batches of ${w.detect.batchSize}, its own process, faces index off so every photo is
analysed), priced at each memory size: billed time = CPU time ÷ the vCPUs the size gives (${MB_PER_VCPU} MB per vCPU)
as far as the engines can use them. Cold start (models loaded): ${fmt(stage1.coldStart.wallMs, 0)} ms with one engine,
${fmt(stage2.coldStart.wallMs, 0)} ms with two.

| memory | vCPU | engines | CPU ms/photo | wall ms/photo here | billed ms/photo | USD / 1M photos (compute) |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${memoryTable.map((m) => `| ${m.memoryMb} MB | ${fmt(m.vcpu)} | ${m.lanes} | ${fmt(m.cpuMs, 0)} | ${fmt(m.wallMs, 0)} | ${fmt(m.billedMs, 0)} | ${fmt(m.usd)} |`).join('\n')}

Estimated cost per million photos at list prices (us-east-1; Lambda arm64 ${PRICE.lambdaGbSecond} USD/GB-s and
0.20 USD/1M invocations; SQS 0.40 USD per 1M requests, each 64 KB of payload one request; S3 GET 0.40, PUT/COPY/LIST 5.00
USD per 1M), from the handler times and the requests counted in the run (idle polling of empty queues left out:
${idleReceives} empty receives, a fixed ~1 request/s per queue in AWS, not per photo):

| item | memory | USD / 1M photos |
| --- | ---: | ---: |
| detect (compute at ${chosen.memoryMb} MB from the stage's CPU time, invocations) | ${w.detect.memoryMb} MB | ${fmt(lambda.detect)} |
| verify | ${w.verify.memoryMb} MB | ${fmt(lambda.verify)} |
| copy (matches only) | ${w.copy.memoryMb} MB | ${fmt(lambda.copy)} |
| ingest (manifest expansion, finalizer, summary: per run, below; its detect messages are in SQS) | ${w.ingest.memoryMb} MB | – |
| SQS (${fmt(perPhoto(sum(sqs)))} billed requests/photo) | | ${fmt(requestUsd.sqs)} |
| S3 GET/HEAD (${fmt(perPhoto(s3Get.length))}/photo) | | ${fmt(requestUsd.s3Get)} |
| S3 PUT/COPY/LIST (${fmt(perPhoto(s3Put.length))}/photo) | | ${fmt(requestUsd.s3Put)} |
| **total** | | **${fmt(total)}** |
| of which the faces index (a GET and a PUT per new photo; \`-c facesIndex=false\` drops them) | | ${fmt(facesUsd)} |

Per run, whatever its size: ${runRequests.length} requests (${sum(runRequests.filter((r) => r.class === RequestClass.Sqs))} billed SQS, ${runRequests.filter((r) => r.class !== RequestClass.Sqs).length} S3) and ${by('ingest').length} ingest
invocations (manifest, finalizer checks, summary), ${fmt(runUsd * 1000, 3)} USD per thousand runs; over a run of 10,000 photos
that adds ${fmt((runUsd / 10_000) * 1e6, 3)} USD per million photos.

Goal ≤ 2.50 USD per million photos: ${total <= 2.5 ? 'met' : `not met: ${fmt(total)}`}${total - facesUsd <= 2.5 && total > 2.5 ? ` (${fmt(total - facesUsd)} without the faces index)` : ''}.

Requests per photo by caller and operation, per-run bookkeeping left out (S3 by prefix; SQS in billed requests):

| caller | operation | requests/photo | billed/photo |
| --- | --- | ---: | ---: |
${[...breakdown]
  .sort(([a], [b]) => (a < b ? -1 : 1))
  .map(([id, b]) => {
    const [who, op] = id.split('\t');
    return `| ${who} | ${op} | ${fmt(perPhoto(b.count), 3)} | ${fmt(perPhoto(b.units), 3)} |`;
  })
  .join('\n')}
`;

const MARKER = '<!-- cloud:bench adds its measurement below this line -->';
const path = join(PROJECT_ROOT, 'BENCHMARKS.md');
const existing = await readFile(path, 'utf8').catch(() => '# Benchmarks\n');
const updated = existing.includes(MARKER)
  ? existing.replace(MARKER, `${MARKER}\n\n${report}`)
  : `${existing.trimEnd()}\n\n## Serverless (\`npm run cloud:bench\`)\n\n${MARKER}\n\n${report}`;
if (!values['print-only']) await writeFile(path, updated);
console.log(report);
