import { mkdir, readdir } from 'node:fs/promises';
import { resolveEngineConfig } from '../../core/config.js';
import { ConfigError, MespotterError } from '../../core/errors.js';
import { decodeImage, encodeJpeg } from '../../core/image/decode.js';
import type { ResultLine, RunSummary } from '../../core/report/resultLine.js';
import { Prefix } from '../../functions/shared/keys.js';
import { readRunLines } from '../../functions/shared/resultLines.js';
import { getObjectBytes } from '../../functions/shared/s3Objects.js';
import { readSearched } from '../../functions/shared/searchedPeople.js';
import { RunReport, type Thumbnail } from '../report/RunReport.js';
import { cloudRunStatus } from './cloudRunStatus.js';

/** Thumbnail size, as in `sort`'s report. */
const THUMB_SIDE = 360;
/** Photos fetched at once for thumbnails. */
const FETCH_AHEAD = 8;

export interface CloudReport {
  dir: string;
  summary: RunSummary;
  thumbnails: number;
  /** Photos whose thumbnail could not be made (gone, unreadable): their cards show no image. */
  missingThumbnails: number;
}

const thumbnailOf = async (bucket: string, key: string): Promise<Thumbnail | undefined> => {
  const config = resolveEngineConfig();
  try {
    const { bytes } = await getObjectBytes(bucket, key, config.decode.maxFileBytes);
    const { image } = await decodeImage(bytes, { maxSide: THUMB_SIDE, maxPixels: config.decode.maxPixels });
    return await encodeJpeg(image, { quality: 80 });
  } catch (error) {
    // A photo that is gone or unreadable only loses its picture; S3 or credential trouble is an error.
    if (error instanceof MespotterError) return undefined;
    throw error;
  }
};

/**
 * A cloud run's HTML report on this machine, made by the same code as `sort`'s
 * (cli/report/RunReport.ts): report.html, results.jsonl and summary.json in `dir`, from the run's
 * result lines in the bucket. Each photo with a card (a match, a near miss) is downloaded once
 * for its thumbnail unless `thumbnails` is false; then the cards have no images.
 */
export const renderCloudReport = async (o: {
  bucket: string;
  runId: string;
  dir: string;
  thumbnails: boolean;
}): Promise<CloudReport> => {
  const status = await cloudRunStatus(o.bucket, o.runId);
  const lines = [...(await readRunLines(o.bucket, o.runId)).values()].sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
  );
  if (lines.length === 0 && !status.run && !status.summary)
    throw new ConfigError(`no run ${o.runId} in s3://${o.bucket}/${Prefix.Results}`);
  const searched = status.summary ? undefined : await readSearched(o.bucket, o.runId);
  await mkdir(o.dir, { recursive: true });
  if ((await readdir(o.dir)).length > 0)
    throw new ConfigError(`${o.dir} is not empty: give a new folder for the report`);
  const report = await RunReport.open(o.dir, {
    runId: o.runId,
    people: status.summary?.people ?? searched?.people ?? [],
    modelSetId: status.summary?.modelSetId ?? searched?.modelSetId ?? status.run?.modelSetId ?? 'unknown',
    input:
      status.summary?.input ??
      (status.run ? `s3://${o.bucket}/${status.run.manifest}` : `s3://${o.bucket}/${Prefix.Incoming}`),
    output: `s3://${o.bucket}/${Prefix.Matches}`,
    dryRun: false,
  });
  let thumbnails = 0;
  let missing = 0;
  const wanted = (l: ResultLine) => o.thumbnails && !l.path.startsWith('s3://') && report.wantsThumbnail(l);
  for (let i = 0; i < lines.length; i += FETCH_AHEAD) {
    const chunk = lines.slice(i, i + FETCH_AHEAD);
    const want = chunk.map(wanted);
    const thumbs = await Promise.all(
      chunk.map((l, k) => (want[k] ? thumbnailOf(o.bucket, l.path) : Promise.resolve(undefined))),
    );
    for (const [k, line] of chunk.entries()) {
      const thumb = thumbs[k];
      if (thumb) thumbnails++;
      else if (want[k]) missing++;
      await report.add(line, thumb);
    }
  }
  const expected = status.summary?.expected ?? status.inputs;
  const summary = await report.close(expected !== undefined ? { expected } : {});
  return { dir: o.dir, summary, thumbnails, missingThumbnails: missing };
};
