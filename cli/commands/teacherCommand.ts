import { readFile, stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { MespotterError } from '../../core/errors.js';
import { DEFAULT_THRESHOLD } from '../../core/match/defaults.js';
import type { Gallery } from '../../core/match/gallery.js';
import type { PhotoAnalyzer } from '../../core/runtime/PhotoAnalyzer.js';
import type { AgreementStats } from '../../core/teacher/agreement.js';
import {
  type BenchmarkPhoto,
  summarizeBenchmark,
  type TeacherBenchmark,
} from '../../core/teacher/benchmark.js';
import { calibrateToTeacher, withCalibration } from '../../core/teacher/calibrate.js';
import { DEFAULT_TEACHER_THRESHOLD } from '../../core/teacher/labels.js';
import { pricingWith } from '../../core/teacher/pricing.js';
import { reservoirSample } from '../../core/teacher/sample.js';
import { DEFAULT_TEACHER_RATE } from '../../core/teacher/TeacherCascade.js';
import {
  addEngineOptions,
  analysisSource,
  createEngine,
  type EngineCliOptions,
  explicitLibrary,
  parsePositiveInt,
  parseThreshold,
} from '../engineOptions.js';
import { readGallery, writeGallery } from '../galleryStore.js';
import { createProgress } from '../progress.js';
import { walkPhotos } from '../sort/walkPhotos.js';
import { type PhotoRef, runTeacherBenchmark, type Thumb } from '../teacher/runTeacherBenchmark.js';
import {
  parseNonNegative,
  parsePositive,
  parseSimilarity,
  teacherSource,
} from '../teacher/teacherOptions.js';
import { renderTeacherReport } from '../teacher/teacherReportHtml.js';

interface TeacherCliOptions extends EngineCliOptions {
  person: string;
  gallery: string;
  sample: number;
  seed: number;
  threshold?: number;
  teacherThreshold: number;
  rate: number;
  region?: string;
  source?: string;
  price?: number;
  json?: string;
  html?: string;
  quiet?: boolean;
  logistic?: boolean;
}

const addTeacherOptions = (cmd: Command): Command =>
  addEngineOptions(
    cmd
      .argument('<photos>', 'folder of photos, or s3://bucket/prefix')
      .requiredOption('--person <name>', 'person to compare (enrolled with "mespotter enroll")')
      .requiredOption('--gallery <dir>', 'folder holding the galleries')
      .requiredOption('--sample <n>', 'photos to sample (one teacher call each)', parsePositiveInt)
      .option('--seed <n>', 'sampling seed (same seed and photos: same sample)', parsePositiveInt, 1)
      .option(
        '--threshold <t>',
        "our threshold to evaluate (default: the gallery's, else the default)",
        parseThreshold,
      )
      .option(
        '--teacher-threshold <similarity>',
        'teacher similarity (0..100) that counts as the person',
        parseSimilarity,
        DEFAULT_TEACHER_THRESHOLD,
      )
      .option('--rate <per-second>', 'teacher calls per second', parsePositive, DEFAULT_TEACHER_RATE)
      .option('--region <region>', 'AWS region for Rekognition (default: the standard chain)')
      .option(
        '--source <photo>',
        "reference photo to send instead of the gallery's best one (Rekognition uses its largest face)",
      )
      .option('--price <usd>', 'price per teacher call (default 0.001, first tier)', parseNonNegative)
      .option('--json <file>', 'write the full report as JSON')
      .option('--html <file>', 'write an HTML page with the disagreements as pictures')
      .option('--quiet', 'no progress output'),
  );

/** Compare (and calibrate) a gallery against Amazon Rekognition on a sample of photos. */
export const teacherCommand = (): Command =>
  new Command('teacher')
    .description('benchmark against Amazon Rekognition CompareFaces and calibrate the threshold to it')
    .addCommand(
      addTeacherOptions(
        new Command('compare').description(
          'agreement, precision and recall against the teacher on a sample; the agreement-maximising threshold; calls and cost',
        ),
      ).action(async (input: string, o: TeacherCliOptions) => {
        await withBenchmark(input, o, async ({ benchmark, photos }) => {
          printBenchmark(benchmark, photos);
        });
      }),
    )
    .addCommand(
      addTeacherOptions(
        new Command('calibrate').description(
          "fit the person's threshold to the teacher's labels and store it in the gallery with its provenance",
        ),
      )
        .option('--logistic', 'also fit and store a logistic map from score to probability')
        .action(async (input: string, o: TeacherCliOptions) => {
          await withBenchmark(input, o, async ({ benchmark, photos, gallery, threshold }) => {
            printBenchmark(benchmark, photos);
            const faces = photos.filter((p) => p.status === 'compared').flatMap((p) => p.faces);
            const result = calibrateToTeacher(faces, {
              teacher: benchmark.teacher,
              teacherThreshold: o.teacherThreshold,
              sampleSize: photos.length,
              input: input.startsWith('s3://') ? input : resolve(input),
              previousThreshold: threshold,
              logistic: Boolean(o.logistic),
            });
            const path = await writeGallery(o.gallery, withCalibration(gallery, result));
            const c = result.calibration;
            console.log(
              `threshold ${threshold.toFixed(4)} → ${result.threshold.toFixed(4)}: agreement ${pct(c.previousAgreement)} → ${pct(c.agreement)} ` +
                `on ${c.labelledFaces} faces the teacher labelled (${c.positives} the person, ${c.negatives} not)`,
            );
            if (c.logistic) {
              console.log(
                `logistic: p = 1 / (1 + exp(-(${c.logistic.slope.toFixed(3)} * score + ${c.logistic.intercept.toFixed(3)}))), p = 0.5 at ${c.logistic.midpoint.toFixed(4)}`,
              );
            }
            if (c.positives < 10 || c.negatives < 10)
              console.log(
                'warning: fewer than 10 labels on one side; the threshold is rough. Sample more photos.',
              );
            console.log(`gallery: ${path}`);
          });
        }),
    );

interface BenchmarkContext {
  benchmark: TeacherBenchmark;
  photos: BenchmarkPhoto[];
  gallery: Gallery;
  threshold: number;
}

const withBenchmark = async (
  input: string,
  o: TeacherCliOptions,
  then: (c: BenchmarkContext) => Promise<void>,
): Promise<void> => {
  // Loaded here so commands that never reach AWS do not load its SDK.
  const aws = await import('../../teacher/index.js');
  const engine = await createEngine(o, true);
  try {
    const gallery = await readGallery(o.gallery, o.person, engine.modelSetId);
    const threshold = o.threshold ?? gallery.threshold ?? DEFAULT_THRESHOLD;
    const teacher = new aws.RekognitionTeacher(o.region ? { region: o.region } : {});
    const source = await teacherSource(gallery, o.source);
    const refs = await samplePhotos(aws, engine, input, o);
    if (refs.length === 0) throw new MespotterError('input_error', `no photos found in ${input}`);
    const pricing = pricingWith(o.price);
    const { photos, thumbnails } = await runTeacherBenchmark({
      engine,
      analyse: analysisSource(engine, explicitLibrary(o), o.cache !== false),
      gallery,
      threshold,
      teacher,
      source,
      photos: refs,
      teacherThreshold: o.teacherThreshold,
      ratePerSecond: o.rate,
      lanes: engine.config.runtime.lanes,
      progress: createProgress(process.stderr, Boolean(o.quiet)),
      thumbnails: Boolean(o.html),
    });
    const benchmark = summarizeBenchmark(photos, {
      teacher: teacher.id,
      person: gallery.person,
      threshold,
      teacherThreshold: o.teacherThreshold,
      pricing,
    });
    await writeOutputs(o, benchmark, photos, thumbnails);
    await then({ benchmark, photos, gallery, threshold });
  } finally {
    await engine.close();
  }
};

type AwsModule = typeof import('../../teacher/index.js');

const samplePhotos = async (
  aws: AwsModule,
  engine: PhotoAnalyzer,
  input: string,
  o: TeacherCliOptions,
): Promise<PhotoRef[]> => {
  const maxBytes = engine.config.decode.maxFileBytes;
  if (aws.isS3Url(input)) {
    const location = aws.parseS3Url(input);
    const s3 = aws.createS3Client(o.region);
    const sampled = await reservoirSample(aws.listS3Photos(s3, location), o.sample, o.seed);
    return sampled.map((p) => ({
      path: `s3://${location.bucket}/${p.key}`,
      read: () => aws.getS3Bytes(s3, location.bucket, p.key, maxBytes),
      // Rekognition reads the object itself: no upload from here.
      teacherImage: () => ({
        kind: 's3',
        bucket: location.bucket,
        key: p.key,
        ...(p.size !== undefined ? { size: p.size } : {}),
      }),
    }));
  }
  const s = await stat(input).catch(() => undefined);
  if (!s?.isDirectory()) throw new MespotterError('input_error', `input folder not found: ${input}`);
  const walk = async function* () {
    for await (const e of walkPhotos(input)) if (e.kind === 'photo') yield e;
  };
  const sampled = await reservoirSample(walk(), o.sample, o.seed);
  return sampled.map((e) => ({
    path: e.rel,
    read: async () => {
      const size = (await stat(e.path)).size;
      if (size > maxBytes) throw new MespotterError('file_too_large', `${size} bytes exceeds ${maxBytes}`);
      return readFile(e.path);
    },
    teacherImage: (bytes) => ({ kind: 'bytes', bytes }),
  }));
};

const writeOutputs = async (
  o: TeacherCliOptions,
  benchmark: TeacherBenchmark,
  photos: readonly BenchmarkPhoto[],
  thumbnails: ReadonlyMap<string, Thumb>,
): Promise<void> => {
  if (o.json) await writeFile(o.json, `${JSON.stringify({ ...benchmark, photos }, null, 2)}\n`);
  if (o.html) {
    const sizes = new Map(photos.map((p) => [p.path, { width: p.width ?? 0, height: p.height ?? 0 }]));
    await writeFile(o.html, renderTeacherReport(benchmark, thumbnails, sizes));
  }
};

const pct = (x: number | null): string =>
  x === null || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(1)}%`;

const statsLine = (s: AgreementStats): string =>
  `agreement ${pct(s.agreement)}, precision ${pct(s.precision)}, recall ${pct(s.recall)} ` +
  `(TP ${s.tp}, FP ${s.fp}, FN ${s.fn}, TN ${s.tn})`;

const printBenchmark = (b: TeacherBenchmark, photos: readonly BenchmarkPhoto[]): void => {
  const p = b.photos;
  console.log(
    `photos: ${p.sampled} sampled, ${p.compared} compared, ${p.failed} teacher failures, ${p.errors} unreadable`,
  );
  console.log(
    `faces: ${b.faces.ours} ours, ${b.faces.paired} paired with the teacher's, ${b.faces.unpaired} unpaired; ` +
      `${b.faces.teacherOnly} only the teacher found (${b.faces.teacherOnlyMatches} of them the person)`,
  );
  console.log(
    `faces at threshold ${b.threshold.toFixed(4)} (teacher similarity >= ${b.teacherThreshold}): ${statsLine(b.atThreshold)}`,
  );
  console.log(`photos at threshold ${b.threshold.toFixed(4)}: ${statsLine(b.photoLevel)}`);
  if (b.best) {
    const t = Number.isFinite(b.best.threshold) ? b.best.threshold.toFixed(4) : 'none (accept nothing)';
    console.log(`agreement-maximising threshold ${t}: ${statsLine(b.best.stats)}`);
  }
  console.log(
    `teacher calls: ${b.calls} (${b.failures} failed), cost $${b.costUsd.toFixed(4)} at $${b.pricing.perCallUsd}/call`,
  );
  for (const [code, n] of Object.entries(b.failuresByCode)) {
    const example = photos.find((p) => p.status === 'failed' && p.failure?.code === code)?.failure?.message;
    console.log(`  ${code}: ${n}${example ? ` (e.g. ${example})` : ''}`);
  }
};
