import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { DEFAULT_THRESHOLD } from '../../core/match/defaults.js';
import { PhotoStatus, type ResultLine, runSummarySchema } from '../../core/report/resultLine.js';
import { addTeacherUsage, type TeacherUsage } from '../../core/teacher/teacherLine.js';
import { sqsClient } from '../shared/clients.js';
import { Prefix, summaryKey } from '../shared/keys.js';
import { listObjects } from '../shared/listObjects.js';
import { getObjectText, putJson } from '../shared/s3Objects.js';

/** What ingest records when it starts a run (results/<runId>/run.json). */
export const runRecordSchema = z.object({
  runId: z.string(),
  manifest: z.string(),
  startedAt: z.string(),
  total: z.number(),
  photos: z.number(),
  route: z.enum(['lambda', 'gpu-batch']),
  jobId: z.string().optional(),
  modelSetId: z.string(),
});
export type RunRecord = z.infer<typeof runRecordSchema>;

/** RunSummary plus what only the cloud knows; all additions optional so readers of either parse both. */
export const cloudRunSummarySchema = runSummarySchema.extend({
  /** Inputs without a result line yet when the summary was written (still in flight or in a DLQ). */
  pending: z.number().optional(),
  /** Messages in the pipeline's DLQs (all runs) when the summary was written. */
  deadLettered: z.number().optional(),
  route: z.enum(['lambda', 'gpu-batch']).optional(),
});
export type CloudRunSummary = z.infer<typeof cloudRunSummarySchema>;

const listLineKeys = async (bucket: string, runId: string): Promise<string[]> => {
  const keys: string[] = [];
  for await (const o of listObjects(bucket, `${Prefix.Results}${runId}/lines/`)) if (o.Key) keys.push(o.Key);
  return keys;
};

const dlqDepth = async (urls: readonly string[]): Promise<number> => {
  let n = 0;
  for (const url of urls) {
    const out = await sqsClient().send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    n += Number(out.Attributes?.ApproximateNumberOfMessages ?? 0);
  }
  return n;
};

/** Most telling status of a photo across people: matched beats no_match, and so on. */
const RANK: Record<string, number> = {
  [PhotoStatus.Matched]: 0,
  [PhotoStatus.NoMatch]: 1,
  [PhotoStatus.NoFace]: 2,
  [PhotoStatus.Error]: 3,
  [PhotoStatus.Skipped]: 4,
};

/**
 * Writes results/<runId>/summary.json once every input has its line, or when `force` (the
 * finalizer gave up waiting): then `pending` says how many are missing. Returns whether written.
 */
export const summarizeRun = async (
  bucket: string,
  run: RunRecord,
  dlqUrls: readonly string[],
  force: boolean,
): Promise<{ written: boolean; done: number }> => {
  const keys = await listLineKeys(bucket, run.runId);
  if (keys.length < run.total && !force) return { written: false, done: keys.length };
  const counts: Record<string, number> = {};
  const copies: Record<string, number> = {};
  const errorsByCode: Record<string, number> = {};
  const persons = new Set<string>();
  let cacheHits = 0;
  let teacher: TeacherUsage | undefined;
  for (const key of keys) {
    const object = await getObjectText(bucket, key);
    if (!object) continue;
    const lines = object.text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as ResultLine);
    if (lines.length === 0) continue;
    const best = lines.reduce((a, b) => ((RANK[b.status] ?? 9) < (RANK[a.status] ?? 9) ? b : a));
    counts[best.status] = (counts[best.status] ?? 0) + 1;
    if (best.status === PhotoStatus.Error)
      errorsByCode[best.code ?? 'unknown'] = (errorsByCode[best.code ?? 'unknown'] ?? 0) + 1;
    if (lines.some((l) => l.cached)) cacheHits++;
    for (const l of lines) {
      if (l.person !== '*') persons.add(l.person);
      if (l.copy) copies[l.copy.outcome] = (copies[l.copy.outcome] ?? 0) + 1;
      teacher = addTeacherUsage(teacher, l.teacher);
    }
  }
  const finishedAt = new Date();
  const seconds = (finishedAt.getTime() - Date.parse(run.startedAt)) / 1000;
  const summary: CloudRunSummary = {
    runId: run.runId,
    person: [...persons].sort().join(',') || '*',
    threshold: DEFAULT_THRESHOLD,
    modelSetId: run.modelSetId,
    input: `s3://${bucket}/${run.manifest}`,
    output: `s3://${bucket}/${Prefix.Matches}`,
    dryRun: false,
    startedAt: run.startedAt,
    finishedAt: finishedAt.toISOString(),
    seconds,
    photosPerSecond: seconds > 0 ? keys.length / seconds : 0,
    total: run.total,
    counts,
    copies,
    errorsByCode,
    cacheHits,
    ...(teacher ? { teacher } : {}),
    pending: Math.max(0, run.total - keys.length),
    deadLettered: await dlqDepth(dlqUrls),
    route: run.route,
  };
  await putJson(bucket, summaryKey(run.runId), summary);
  return { written: true, done: keys.length };
};
