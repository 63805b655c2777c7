import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { isPhotoName } from '../../core/photoExtensions.js';
import { errorLine, skippedLine } from '../../core/report/lines.js';
import type { ResultLine } from '../../core/report/resultLine.js';
import { s3Client } from '../shared/clients.js';
import { CloudError, CloudErrorCode } from '../shared/errors.js';
import { Prefix } from '../shared/keys.js';
import { listObjects } from '../shared/listObjects.js';
import {
  type ManifestEntry,
  ManifestFormat,
  manifestFormat,
  parseCsvLine,
  parseInventoryManifest,
  parseInventoryRow,
  parseJsonLine,
} from './manifestEntries.js';

export interface PhotoRef {
  key: string;
  etag?: string;
  size?: number;
}

export interface ExpandedRun {
  photos: PhotoRef[];
  /** Inputs that will not be analysed, each with its reason (non-images, other buckets, bad lines). */
  lines: ResultLine[];
  prefixesListed: number;
}

/**
 * Our own prefixes are never input: a prefix such as "" must not sweep in matches/ or results/,
 * and reference photos (biometric enrolment data, which copy is not allowed to read) are not
 * photos to search.
 */
const OWN_OUTPUT = [Prefix.Matches, Prefix.Results, Prefix.Faces, Prefix.Manifests, Prefix.Reference];

const openLines = async (bucket: string, key: string, gzip = false) => {
  const out = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const body = out.Body as unknown as Readable;
  return createInterface({
    input: gzip ? body.pipe(createGunzip()) : body,
    crlfDelay: Number.POSITIVE_INFINITY,
  });
};

/**
 * Expands a manifest into the run's inputs: JSON lines or CSV are read as a stream, S3 Inventory
 * manifests through their gzipped CSV files, and prefixes by listing page by page. Duplicates
 * collapse to one input.
 */
export const expandManifest = async (bucket: string, manifestKey: string): Promise<ExpandedRun> => {
  const format = manifestFormat(manifestKey);
  if (!format) throw new CloudError(CloudErrorCode.BadManifest, `unknown manifest type: ${manifestKey}`);
  const seen = new Set<string>();
  const run: ExpandedRun = { photos: [], lines: [], prefixesListed: 0 };

  const addKey = (ref: PhotoRef): void => {
    if (seen.has(ref.key)) return;
    seen.add(ref.key);
    if (OWN_OUTPUT.some((p) => ref.key.startsWith(p))) {
      run.lines.push(
        skippedLine(
          { path: ref.key },
          'key is under a mespotter prefix (reference/, matches/, results/, faces/, manifests/)',
          'own_output',
        ),
      );
    } else if (!isPhotoName(ref.key)) {
      run.lines.push(skippedLine({ path: ref.key }, 'not a photo file extension'));
    } else {
      run.photos.push(ref);
    }
  };

  const addEntry = async (entry: ManifestEntry): Promise<void> => {
    if (entry.bucket && entry.bucket !== bucket) {
      const name = 'key' in entry ? entry.key : entry.prefix;
      run.lines.push(
        skippedLine(
          { path: `s3://${entry.bucket}/${name}` },
          `only bucket ${bucket} is readable by this stack`,
          CloudErrorCode.OtherBucket,
        ),
      );
      return;
    }
    if ('key' in entry) {
      addKey({ key: entry.key });
      return;
    }
    run.prefixesListed++;
    for await (const o of listObjects(bucket, entry.prefix)) {
      if (!o.Key || o.Key.endsWith('/')) continue;
      if (OWN_OUTPUT.some((p) => o.Key!.startsWith(p))) continue;
      addKey({ key: o.Key, etag: o.ETag, size: o.Size });
    }
  };

  const readEach = async (
    lines: AsyncIterable<string>,
    parse: (line: string, n: number) => ManifestEntry | undefined,
    origin: string,
  ): Promise<void> => {
    let n = 0;
    for await (const line of lines) {
      n++;
      let entry: ManifestEntry | undefined;
      try {
        entry = parse(line, n);
      } catch (error) {
        // One bad line is reported as an input of its own; the rest of the manifest still runs.
        run.lines.push(errorLine({ path: `${origin}#L${n}` }, error));
        continue;
      }
      if (entry) await addEntry(entry);
    }
  };

  if (format === ManifestFormat.Inventory) {
    const out = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: manifestKey }));
    const manifest = parseInventoryManifest((await out.Body?.transformToString('utf8')) ?? '');
    const filesBucket = manifest.destinationBucket || bucket;
    if (filesBucket !== bucket) {
      throw new CloudError(
        CloudErrorCode.OtherBucket,
        `inventory files are in ${filesBucket}, not ${bucket}`,
      );
    }
    for (const file of manifest.files) {
      await readEach(
        await openLines(bucket, file.key, file.key.endsWith('.gz')),
        (line) => parseInventoryRow(line, manifest),
        file.key,
      );
    }
  } else {
    await readEach(
      await openLines(bucket, manifestKey),
      format === ManifestFormat.Csv ? parseCsvLine : parseJsonLine,
      manifestKey,
    );
  }
  return run;
};
