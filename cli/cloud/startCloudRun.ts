import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ConfigError } from '../../core/errors.js';
import { ManifestFormat, manifestFormat } from '../../functions/ingest/manifestEntries.js';
import { s3Client } from '../../functions/shared/clients.js';
import { manifestRunId, Prefix } from '../../functions/shared/keys.js';
import { checkInputFile } from '../readInputFile.js';

export interface StartedRun {
  runId: string;
  manifestKey: string;
}

/** A manifest name for S3 keys: the file's stem (or "run"), safe characters only. */
const stemOf = (name: string): string =>
  basename(name)
    .replace(/\.[^.]*$/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(0, 40) || 'run';

/**
 * Starts a manifest run: writes manifests/cli/<name>-<time>.<jsonl|csv> (each call its own key,
 * so running the same manifest again, e.g. after enrolling someone, is a new run) and returns the
 * run id ingest will give it, computed from the key and the ETag S3 returns.
 */
export const startCloudRun = async (o: {
  bucket: string;
  /** A local JSON-lines or CSV manifest (docs/cloud.md, "Use"). */
  manifest?: string;
  /** Or: every photo under this prefix of the bucket. */
  prefix?: string;
  name?: string;
  now?: Date;
}): Promise<StartedRun> => {
  if ((o.manifest === undefined) === (o.prefix === undefined))
    throw new ConfigError('give --manifest FILE or --prefix PREFIX (one of them)');
  let body: string;
  let ext: string;
  if (o.manifest !== undefined) {
    const format = manifestFormat(o.manifest);
    if (format !== ManifestFormat.JsonLines && format !== ManifestFormat.Csv)
      throw new ConfigError(`${o.manifest}: a manifest is JSON lines (.jsonl, .txt) or CSV (.csv)`);
    await checkInputFile(o.manifest, 'manifest');
    body = await readFile(o.manifest, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new ConfigError(`cannot read ${o.manifest}: ${error.code ?? error.message}`);
    });
    ext = format === ManifestFormat.Csv ? 'csv' : 'jsonl';
  } else {
    const prefix = o.prefix ?? '';
    // The pipeline never takes its own outputs as input; say so before starting a run of nothing.
    if (Object.values(Prefix).some((p) => prefix.startsWith(p) && p !== Prefix.Incoming))
      throw new ConfigError(`${prefix} is one of mespotter's own prefixes, not photos to check`);
    body = `${JSON.stringify({ prefix })}\n`;
    ext = 'jsonl';
  }
  const stamp = (o.now ?? new Date())
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const name = stemOf(o.name ?? o.manifest ?? (o.prefix?.replace(/\/$/, '') || 'bucket'));
  const manifestKey = `${Prefix.Manifests}cli/${name}-${stamp}.${ext}`;
  const out = await s3Client().send(
    new PutObjectCommand({
      Bucket: o.bucket,
      Key: manifestKey,
      Body: body,
      ContentType: ext === 'csv' ? 'text/csv' : 'application/x-ndjson',
      // A second call in the same second must not replace the first one's manifest.
      IfNoneMatch: '*',
    }),
  );
  if (!out.ETag) throw new ConfigError(`S3 returned no ETag for s3://${o.bucket}/${manifestKey}`);
  return { runId: manifestRunId(manifestKey, out.ETag), manifestKey };
};
