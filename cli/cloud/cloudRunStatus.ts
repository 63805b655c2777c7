import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ConfigError } from '../../core/errors.js';
import { parseInputsRecordKey } from '../../functions/ingest/dropRun.js';
import {
  type CloudRunSummary,
  cloudRunSummarySchema,
  type RunRecord,
  runRecordSchema,
} from '../../functions/ingest/summarizeRun.js';
import { s3Client } from '../../functions/shared/clients.js';
import { inputsPrefix, Prefix, runKey, summaryKey } from '../../functions/shared/keys.js';
import { listObjects } from '../../functions/shared/listObjects.js';
import { countLines, listLinesObjects } from '../../functions/shared/resultLines.js';
import { getObjectText } from '../../functions/shared/s3Objects.js';

/** A run id is a folder name under results/: no slashes, nothing that climbs out. */
export const checkRunId = (runId: string): string => {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(runId) || runId.includes('..'))
    throw new ConfigError(`not a run id: "${runId}" (see mespotter cloud status for the runs)`);
  return runId;
};

export interface CloudRunStatus {
  runId: string;
  /** manifest: its run.json; drop: the day's drops into incoming/. */
  kind: 'manifest' | 'drop';
  run?: RunRecord;
  /** Inputs known so far: the manifest's, or the keys dropped (a key dropped twice counts twice). */
  inputs: number | undefined;
  /** Lines written so far, by the lines objects' names (retries count again). */
  lines: number;
  summary?: CloudRunSummary;
}

const readJson = async <T>(bucket: string, key: string, parse: (v: unknown) => T): Promise<T | undefined> => {
  const object = await getObjectText(bucket, key);
  return object ? parse(JSON.parse(object.text)) : undefined;
};

/** Where a run stands, from its bookkeeping in results/<runId>/ (listings and two small objects). */
export const cloudRunStatus = async (bucket: string, runId: string): Promise<CloudRunStatus> => {
  checkRunId(runId);
  const kind = /^drop-\d{4}-\d\d-\d\d$/.test(runId) ? 'drop' : 'manifest';
  const run =
    kind === 'manifest' ? await readJson(bucket, runKey(runId), (v) => runRecordSchema.parse(v)) : undefined;
  let inputs = run?.total;
  if (kind === 'drop') {
    inputs = 0;
    for await (const o of listObjects(bucket, inputsPrefix(runId))) {
      const r = o.Key ? parseInputsRecordKey(runId, o.Key) : undefined;
      if (r) inputs += r.count;
    }
  }
  const lines = countLines(await listLinesObjects(bucket, runId));
  const summary = await readJson(bucket, summaryKey(runId), (v) => cloudRunSummarySchema.parse(v));
  return { runId, kind, ...(run ? { run } : {}), inputs, lines, ...(summary ? { summary } : {}) };
};

/** The runs in the bucket (folders under results/), newest names last. */
export const listCloudRuns = async (bucket: string): Promise<string[]> => {
  const runs: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3Client().send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: Prefix.Results,
        Delimiter: '/',
        ContinuationToken: token,
      }),
    );
    for (const p of page.CommonPrefixes ?? [])
      if (p.Prefix) runs.push(p.Prefix.slice(Prefix.Results.length, -1));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return runs.sort();
};
