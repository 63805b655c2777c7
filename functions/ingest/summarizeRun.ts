import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { DEFAULT_THRESHOLD } from '../../core/match/defaults.js';
import { RunSummaryAccumulator } from '../../core/report/RunSummaryAccumulator.js';
import { type ResultLine, runSummarySchema } from '../../core/report/resultLine.js';
import { sqsClient } from '../shared/clients.js';
import { Prefix, summaryKey } from '../shared/keys.js';
import { countLines, listLinesObjects, readRunLines } from '../shared/resultLines.js';
import { putJson } from '../shared/s3Objects.js';
import { readSearched, type SearchedPerson } from '../shared/searchedPeople.js';

export const RunRoute = { Lambda: 'lambda', GpuBatch: 'gpu-batch' } as const;
export type RunRoute = (typeof RunRoute)[keyof typeof RunRoute];
const routeSchema = z.enum([RunRoute.Lambda, RunRoute.GpuBatch]);

/** What ingest records when it starts a manifest run (results/<runId>/run.json). */
export const runRecordSchema = z.object({
  runId: z.string(),
  manifest: z.string(),
  startedAt: z.string(),
  total: z.number(),
  photos: z.number(),
  route: routeSchema,
  jobId: z.string().optional(),
  modelSetId: z.string(),
});
export type RunRecord = z.infer<typeof runRecordSchema>;

/**
 * The CLI's RunSummary (core/report/resultLine.ts) plus what only the cloud knows; the additions
 * are optional so readers of either parse both.
 */
export const cloudRunSummarySchema = runSummarySchema.extend({
  /** Inputs without a result line yet when the summary was written (still in flight or in a DLQ). */
  pending: z.number().optional(),
  /** Messages in the pipeline's DLQs (all runs) when the summary was written. */
  deadLettered: z.number().optional(),
  route: routeSchema.optional(),
});
export type CloudRunSummary = z.infer<typeof cloudRunSummarySchema>;

/** How a person found in lines but named by no searched record is listed (not expected to happen). */
export const UNKNOWN_THRESHOLD_SOURCE = 'unknown';

/** What a summary is about; the counts come from the run's lines. */
export interface SummaryTarget {
  runId: string;
  /** s3:// URL of the manifest, or of incoming/ for a drop run. */
  input: string;
  startedAt: string;
  /** The run's model set, unless a searched record names the one verify used. */
  modelSetId: string;
  route: RunRoute;
  /** Inputs of the run (RunSummary's `expected`). */
  expected: number;
  /** Inputs that have no line yet. */
  pending: number;
}

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

const byName = (a: { name: string }, b: { name: string }): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/**
 * Writes results/<runId>/summary.json from the run's lines (one per input: readRunLines) through
 * the one summary accumulator (core/report/RunSummaryAccumulator.ts): the people searched (from
 * verify's searched records, each with the photos they were found in), counts, copies, errors,
 * teacher totals; plus the cloud's pending, deadLettered and route.
 */
export const writeRunSummary = async (
  bucket: string,
  target: SummaryTarget,
  lines: Iterable<ResultLine>,
  dlqUrls: readonly string[],
): Promise<CloudRunSummary> => {
  const acc = new RunSummaryAccumulator();
  for (const line of lines) acc.add(line);
  const searched = await readSearched(bucket, target.runId);
  const people: SearchedPerson[] = [...searched.people];
  for (const name of acc.photosByPerson.keys())
    if (!people.some((p) => p.name === name))
      people.push({ name, threshold: DEFAULT_THRESHOLD, thresholdSource: UNKNOWN_THRESHOLD_SOURCE });
  people.sort(byName);
  const summary: CloudRunSummary = {
    ...acc.summary(
      {
        runId: target.runId,
        people,
        modelSetId: searched.modelSetId ?? target.modelSetId,
        input: target.input,
        output: `s3://${bucket}/${Prefix.Matches}`,
        dryRun: false,
        startedAt: new Date(target.startedAt),
      },
      { expected: target.expected },
    ),
    pending: target.pending,
    deadLettered: await dlqDepth(dlqUrls),
    route: target.route,
  };
  await putJson(bucket, summaryKey(target.runId), summary);
  return summary;
};

/**
 * A manifest run's summary, once every input has its line, or when `force` (the finalizer gave up
 * waiting): then `pending` says how many are missing. Returns whether it was written. A check
 * before the end costs one listing: the lines objects' names say how many lines they hold, and
 * the objects are read only once that reaches the run's inputs.
 */
export const summarizeRun = async (
  bucket: string,
  run: RunRecord,
  dlqUrls: readonly string[],
  force: boolean,
): Promise<{ written: boolean; done: number }> => {
  const objects = await listLinesObjects(bucket, run.runId);
  const counted = countLines(objects);
  if (counted < run.total && !force) return { written: false, done: counted };
  // Retries and repeats count twice by name: the distinct inputs decide.
  const lines = await readRunLines(bucket, run.runId, objects);
  if (lines.size < run.total && !force) return { written: false, done: lines.size };
  await writeRunSummary(
    bucket,
    {
      runId: run.runId,
      input: `s3://${bucket}/${run.manifest}`,
      startedAt: run.startedAt,
      modelSetId: run.modelSetId,
      route: run.route,
      expected: run.total,
      pending: Math.max(0, run.total - lines.size),
    },
    lines.values(),
    dlqUrls,
  );
  return { written: true, done: lines.size };
};
