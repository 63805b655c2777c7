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
const listingFailed = (bucket: string, error: unknown): Error => {
  if (error instanceof MespotterError) return error;
  const e = error as { name?: string; message?: string };
  return new ConfigError(`cannot list s3://${bucket}: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`);
};

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
  for (const k of outcome.rewritten) console.log(`rewrote s3://${p.bucket}/${k} without ${what}'s lines`);
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
        "matches/NAME/ and NAME's result lines in results/",
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
                : `rewrite s3://${p.bucket}/${t.key} (drop ${o.person}'s lines)`,
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

/**
 * `mespotter cloud …`: the bucket's personal data, over the AWS SDK (credentials, region and
 * AWS_ENDPOINT_URL as for the functions; path-style S3 with an endpoint). docs/cloud.md,
 * "Data stored and how to delete it".
 */
export const cloudCommand = (): Command =>
  new Command('cloud')
    .description("manage what the serverless pipeline keeps in its bucket (a person's data, the faces index)")
    .addCommand(forgetCommand())
    .addCommand(purgeFacesCommand());
