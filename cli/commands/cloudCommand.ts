import { Command } from 'commander';
import { ConfigError, MespotterError } from '../../core/errors.js';
import type { ErasurePlan } from '../../functions/shared/erasure.js';
import { CommandExit } from '../CommandExit.js';
import { ExitCode } from '../exitCodes.js';

interface EraseCliOptions {
  bucket: string;
  yes?: boolean;
}

const size = (bytes: number): string =>
  bytes < 1024
    ? `${bytes} bytes`
    : bytes < 1024 ** 2
      ? `${(bytes / 1024).toFixed(1)} KB`
      : `${(bytes / 1024 ** 2).toFixed(1)} MB`;

/** The AWS SDK (and its credential chain) loads only when a cloud command runs: `mespotter --help` stays fast. */
const loadErasure = () => import('../../functions/shared/erasure.js');

/** An SDK failure before anything was changed (no bucket, no credentials, access denied): one line, exit 2. */
const listingFailed = (bucket: string, error: unknown, what = 'list'): Error => {
  if (error instanceof MespotterError) return error;
  const e = error as { name?: string; message?: string };
  return new ConfigError(
    `cannot ${what} s3://${bucket}: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`,
  );
};

/** Runs an action's SDK work, turning an AWS failure into the one-line ConfigError above. */
const against = async <T>(bucket: string, what: string, work: () => Promise<T>): Promise<T> =>
  work().catch((error: unknown) => {
    throw listingFailed(bucket, error, what);
  });

const bucketOption = ['--bucket <name>', 'the stack bucket (its BucketName output)'] as const;

/** Objects under faces/ grouped by namespace (model set and settings): a count, not a million lines. */
const byNamespace = (plan: ErasurePlan): Map<string, { objects: number; bytes: number }> => {
  const groups = new Map<string, { objects: number; bytes: number }>();
  for (const t of plan.targets) {
    const ns = t.key.split('/').slice(0, 2).join('/');
    const g = groups.get(ns) ?? { objects: 0, bytes: 0 };
    g.objects++;
    g.bytes += t.size;
    groups.set(ns, g);
  }
  return groups;
};

/**
 * Lists, then (with --yes) erases. Without --yes nothing changes and the exit status is 2, so a
 * script that forgot the flag does not go on as if the data were gone.
 */
const erase = async (
  o: EraseCliOptions,
  what: string,
  plan: () => Promise<ErasurePlan>,
  show: (p: ErasurePlan) => void,
): Promise<void> => {
  const { executeErasure } = await loadErasure();
  const p = await plan().catch((error: unknown) => {
    throw listingFailed(o.bucket, error);
  });
  const where = p.prefixes.map((x) => `s3://${p.bucket}/${x}`).join(', ');
  if (p.targets.length === 0) {
    console.log(`nothing stored for ${what} (looked in ${where})`);
    return;
  }
  show(p);
  const deletes = p.targets.filter((t) => t.action === 'delete');
  const bytes = deletes.reduce((n, t) => n + t.size, 0);
  if (!o.yes) {
    console.log(
      `would delete ${deletes.length} object(s) (${size(bytes)}) and rewrite ${p.targets.length - deletes.length} ` +
        `for ${what}; nothing changed: run again with --yes`,
    );
    throw new CommandExit(ExitCode.Usage);
  }
  const outcome = await executeErasure(p);
  for (const k of outcome.rewritten) console.log(`rewrote s3://${p.bucket}/${k} without ${what}`);
  if (p.person !== undefined) for (const k of outcome.deleted) console.log(`deleted s3://${p.bucket}/${k}`);
  for (const f of outcome.failed)
    console.error(`mespotter: not deleted: s3://${p.bucket}/${f.key}: ${f.reason}`);
  console.log(
    `${what}: deleted ${outcome.deleted.length} object(s), rewrote ${outcome.rewritten.length}, ` +
      `${outcome.failed.length} failed`,
  );
  if (outcome.failed.length > 0) throw new CommandExit(ExitCode.Incomplete);
};

const forgetCommand = (): Command =>
  new Command('forget')
    .description(
      "delete a person's data from the bucket: reference/NAME/ (photos, gallery.json, enrolment.json), " +
        "matches/NAME/, and NAME in the result lines in results/ (the photos' lines stay, without NAME)",
    )
    .requiredOption('--bucket <name>', 'the stack bucket')
    .requiredOption('--person <name>', 'the person, as under reference/')
    .option('--keep-results', 'leave results/ alone (it expires on its own, resultsRetentionDays)')
    .option('--yes', 'delete; without it, only list what would be deleted (exit 2)')
    .action(async (o: EraseCliOptions & { person: string; keepResults?: boolean }) => {
      const { planForget } = await loadErasure();
      await erase(
        o,
        o.person,
        () => planForget(o.bucket, o.person, { results: !o.keepResults }),
        (p) => {
          for (const t of p.targets)
            console.log(
              t.action === 'delete'
                ? `delete  s3://${p.bucket}/${t.key} (${size(t.size)})`
                : `rewrite s3://${p.bucket}/${t.key} (remove ${o.person} from its result lines)`,
            );
        },
      );
    });

const purgeFacesCommand = (): Command =>
  new Command('purge-faces')
    .description(
      'delete the faces index (faces/: the embeddings of every face analysed, bystanders included); ' +
        'photos are analysed again when next seen',
    )
    .requiredOption('--bucket <name>', 'the stack bucket')
    .option('--yes', 'delete; without it, only list what would be deleted (exit 2)')
    .action(async (o: EraseCliOptions) => {
      const { planPurgeFaces } = await loadErasure();
      await erase(
        o,
        'the faces index',
        () => planPurgeFaces(o.bucket),
        (p) => {
          for (const [ns, g] of byNamespace(p))
            console.log(`delete  s3://${p.bucket}/${ns}/: ${g.objects} object(s), ${size(g.bytes)}`);
        },
      );
    });

interface WaitOptions {
  wait?: boolean;
  timeout: string;
}

const seconds = (text: string, flag: string): number => {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new ConfigError(`${flag} must be a number of seconds > 0 (got "${text}")`);
  return n;
};

/** How often --wait looks again; tests shorten it. */
const pollMs = (): number => Number(process.env['MESPOTTER_CLOUD_POLL_MS'] ?? 5000);

const enrollCommand = (): Command =>
  new Command('enroll')
    .description(
      'enrol a person in the cloud: upload reference photos to reference/NAME/ (the pipeline builds ' +
        'gallery.json from them), or a gallery exported by `mespotter library export --galleries`',
    )
    .requiredOption(...bucketOption)
    .requiredOption('--person <name>', 'the person')
    .option(
      '--gallery <file>',
      'upload this exported gallery as reference/NAME/gallery.json instead of photos',
    )
    .option('--wait', "wait for the pipeline's enrolment report and print it")
    .option('--timeout <seconds>', 'with --wait: give up after this long', '300')
    .argument('[photos...]', 'reference photos (three or more where the person is clearly visible)')
    .action(
      async (photos: string[], o: WaitOptions & { bucket: string; person: string; gallery?: string }) => {
        const { enrollInCloud, waitForEnrolment } = await import('../cloud/enrollInCloud.js');
        const started = new Date();
        const done = await against(o.bucket, 'upload to', () =>
          enrollInCloud({
            bucket: o.bucket,
            person: o.person,
            photos,
            ...(o.gallery ? { gallery: o.gallery } : {}),
          }),
        );
        if (done.gallery) {
          console.log(
            `uploaded ${o.gallery} to s3://${o.bucket}/${done.gallery}; verify uses it within 30 s`,
          );
          return;
        }
        for (const u of done.uploaded) console.log(`uploaded ${u.file} to s3://${o.bucket}/${u.key}`);
        if (!o.wait) {
          console.log(
            `the pipeline builds s3://${o.bucket}/reference/${o.person}/gallery.json; its report: ` +
              `reference/${o.person}/enrolment.json (or run again with --wait)`,
          );
          return;
        }
        const report = await against(o.bucket, 'read', () =>
          waitForEnrolment(
            o.bucket,
            o.person,
            done.uploaded.map((u) => u.key),
            started,
            { timeoutMs: seconds(o.timeout, '--timeout') * 1000, pollMs: pollMs() },
          ),
        );
        if (!report) {
          console.error(
            `mespotter: no enrolment report for ${o.person} after ${o.timeout} s (is the stack deployed?)`,
          );
          throw new CommandExit(ExitCode.Incomplete);
        }
        console.log(`${o.person}: ${report.accepted.length} reference(s) accepted`);
        for (const r of report.rejected) console.log(`rejected ${r.source}: ${r.reason}`);
        for (const w of report.warnings) console.log(`warning: ${w}`);
        if (report.error) {
          console.error(`mespotter: ${o.person} not enrolled: ${report.error}`);
          throw new CommandExit(ExitCode.Incomplete);
        }
      },
    );

/** Prints a run's status; returns it. */
const printStatus = (s: import('../cloud/cloudRunStatus.js').CloudRunStatus): void => {
  const what =
    s.kind === 'drop'
      ? 'drop run (photos dropped into incoming/ that UTC day)'
      : s.run
        ? `manifest ${s.run.manifest}, started ${s.run.startedAt}, route ${s.run.route}`
        : 'manifest run not started yet (ingest starts it within seconds of the upload)';
  console.log(`${s.runId}: ${what}`);
  const inputs = s.inputs ?? 0;
  const share = inputs > 0 ? ` (${Math.min(100, Math.round((100 * s.lines) / inputs))} %)` : '';
  console.log(`inputs ${s.inputs ?? '?'}, result lines ${s.lines}${share}`);
  if (!s.summary) {
    console.log('summary: not written yet (once every input has its line)');
    return;
  }
  const c = s.summary.counts;
  console.log(
    `summary: ${s.summary.total} line(s): ${c['matched'] ?? 0} matched, ${c['no_match'] ?? 0} no match, ` +
      `${c['no_face'] ?? 0} no face, ${c['skipped'] ?? 0} skipped, ${c['error'] ?? 0} error(s); ` +
      `pending ${s.summary.pending ?? 0}, dead-lettered ${s.summary.deadLettered ?? 0}`,
  );
  for (const p of s.summary.people)
    console.log(`  ${p.name}: ${p.photos} photo(s) (threshold ${p.threshold})`);
};

const runCommand = (): Command =>
  new Command('run')
    .description(
      'start a manifest run over photos in the bucket (writes manifests/cli/NAME-TIME.jsonl) and print its run id',
    )
    .requiredOption(...bucketOption)
    .option('--manifest <file>', 'a JSON-lines or CSV manifest (keys, {"prefix": …}; docs/cloud.md)')
    .option('--prefix <prefix>', 'or: every photo under this prefix ("" for the whole bucket)')
    .option('--name <name>', 'name of the manifest object (default: the file or prefix)')
    .option('--wait', 'wait for the run summary and print it')
    .option('--timeout <seconds>', 'with --wait: give up after this long', '3600')
    .action(
      async (o: WaitOptions & { bucket: string; manifest?: string; prefix?: string; name?: string }) => {
        const { startCloudRun } = await import('../cloud/startCloudRun.js');
        const { cloudRunStatus } = await import('../cloud/cloudRunStatus.js');
        const started = await against(o.bucket, 'write to', () =>
          startCloudRun({
            bucket: o.bucket,
            ...(o.manifest !== undefined ? { manifest: o.manifest } : {}),
            ...(o.prefix !== undefined ? { prefix: o.prefix } : {}),
            ...(o.name !== undefined ? { name: o.name } : {}),
          }),
        );
        console.log(started.runId);
        console.error(`started run ${started.runId} (s3://${o.bucket}/${started.manifestKey})`);
        if (!o.wait) return;
        const until = Date.now() + seconds(o.timeout, '--timeout') * 1000;
        for (;;) {
          const s = await against(o.bucket, 'read', () => cloudRunStatus(o.bucket, started.runId));
          if (s.summary || Date.now() >= until) {
            printStatus(s);
            if (!s.summary) throw new CommandExit(ExitCode.Incomplete);
            const failed =
              (s.summary.counts['error'] ?? 0) + (s.summary.copies['failed'] ?? 0) + (s.summary.pending ?? 0);
            if (failed > 0) throw new CommandExit(ExitCode.Incomplete);
            return;
          }
          await new Promise((r) => setTimeout(r, pollMs()));
        }
      },
    );

const statusCommand = (): Command =>
  new Command('status')
    .description(
      "a run's progress: inputs, result lines so far, its summary once written; without RUN, the runs",
    )
    .requiredOption(...bucketOption)
    .argument('[run]', 'a run id (as `cloud run` prints it, or drop-YYYY-MM-DD)')
    .action(async (runId: string | undefined, o: { bucket: string }) => {
      const { cloudRunStatus, listCloudRuns } = await import('../cloud/cloudRunStatus.js');
      if (runId === undefined) {
        const runs = await against(o.bucket, 'list', () => listCloudRuns(o.bucket));
        if (runs.length === 0) console.log(`no runs in s3://${o.bucket}/results/`);
        for (const r of runs) console.log(r);
        return;
      }
      printStatus(await against(o.bucket, 'read', () => cloudRunStatus(o.bucket, runId)));
    });

const resultsCommand = (): Command =>
  new Command('results')
    .description("print a run's result lines, one JSON line per input (the CLI's results.jsonl format)")
    .requiredOption(...bucketOption)
    .argument('<run>', 'a run id')
    .option('--status <status>', 'only lines with this status (matched, no_match, no_face, skipped, error)')
    .action(async (runId: string, o: { bucket: string; status?: string }) => {
      const { checkRunId } = await import('../cloud/cloudRunStatus.js');
      const { readRunLines } = await import('../../functions/shared/resultLines.js');
      const lines = await against(o.bucket, 'read', () => readRunLines(o.bucket, checkRunId(runId)));
      const sorted = [...lines.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      for (const l of sorted) if (!o.status || l.status === o.status) console.log(JSON.stringify(l));
      if (lines.size === 0)
        console.error(`mespotter: no result lines for ${runId} in s3://${o.bucket}/results/`);
    });

const reportCommand = (): Command =>
  new Command('report')
    .description(
      "render a run's HTML report on this machine (report.html, results.jsonl, summary.json in DIR), " +
        'with thumbnails of the matched photos and near misses downloaded from the bucket',
    )
    .requiredOption(...bucketOption)
    .requiredOption('--out <dir>', 'a new or empty folder for the report')
    .option('--no-thumbnails', 'do not download photos: the cards have no images')
    .argument('<run>', 'a run id')
    .action(async (runId: string, o: { bucket: string; out: string; thumbnails: boolean }) => {
      const { renderCloudReport } = await import('../cloud/renderCloudReport.js');
      const r = await against(o.bucket, 'read', () =>
        renderCloudReport({ bucket: o.bucket, runId, dir: o.out, thumbnails: o.thumbnails }),
      );
      console.log(
        `wrote ${r.dir}/report.html: ${r.summary.total} line(s), ${r.thumbnails} thumbnail(s)` +
          (r.missingThumbnails > 0 ? `, ${r.missingThumbnails} photo(s) could not be downloaded` : ''),
      );
    });

/**
 * `mespotter cloud …`: the deployed pipeline from this machine over the AWS SDK (credentials,
 * region and AWS_ENDPOINT_URL as for the functions; path-style S3 with an endpoint), so nobody
 * needs the AWS CLI: enrol people, start runs, follow them, read their lines and reports, and
 * delete a person's data. docs/cloud.md.
 */
export const cloudCommand = (): Command =>
  new Command('cloud')
    .description(
      'use the serverless pipeline in AWS: enrol, run, status, results, report, forget, purge-faces',
    )
    .addCommand(enrollCommand())
    .addCommand(runCommand())
    .addCommand(statusCommand())
    .addCommand(resultsCommand())
    .addCommand(reportCommand())
    .addCommand(forgetCommand())
    .addCommand(purgeFacesCommand());
