import { BatchProcessor, EventType } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, S3Event, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { skippedLine } from '../../core/report/lines.js';
import { settingsOrFail } from '../shared/env.js';
import { AwsBatchSubmitter, type GpuBatchSubmitter } from '../shared/GpuBatchSubmitter.js';
import { dropRunId } from '../shared/keys.js';
import { type DetectMessage, finalizeMessageSchema, parseMessage } from '../shared/messages.js';
import { createObservability, flushMetrics } from '../shared/observability.js';
import { processRecordsWithOutputs, type RecordOutputs } from '../shared/RecordOutputs.js';
import { finalizeDropRun, recordDrops } from './dropRun.js';
import { type IngestSettings, ingestEnv } from './ingestEnv.js';
import { finalizeManifestRun, type RunDeps, startManifestRun } from './manifestRun.js';
import { routeS3Event } from './routeS3Event.js';

const { logger, metrics } = createObservability('ingest');
const processor = new BatchProcessor(EventType.SQS);

let submitter: GpuBatchSubmitter | undefined;
/** Tests and other deployments can swap the GPU path; by default it is AWS Batch when configured. */
export const setGpuBatchSubmitter = (s: GpuBatchSubmitter | undefined): void => {
  submitter = s;
};
const gpuSubmitter = (settings: IngestSettings): GpuBatchSubmitter | undefined => {
  if (submitter) return submitter;
  const gpu = settings.gpuBatch;
  return gpu ? new AwsBatchSubmitter(gpu.jobQueue, gpu.jobDefinition) : undefined;
};
const runDeps = (settings: IngestSettings): RunDeps => ({
  logger,
  metrics,
  settings,
  gpu: gpuSubmitter(settings),
});

const handleS3Event = async (event: S3Event, settings: IngestSettings): Promise<RecordOutputs> => {
  const out: Required<RecordOutputs> = { lines: [], messages: [] };
  const detect = (body: DetectMessage) => out.messages.push({ queueUrl: settings.detectQueueUrl, body });
  const enrol = new Set<string>();
  for (const r of event.Records ?? []) {
    const bucket = r.s3.bucket.name;
    const route = routeS3Event(r);
    switch (route.kind) {
      case 'photo':
        detect({
          kind: 'photo',
          runId: dropRunId(new Date(r.eventTime)),
          bucket,
          key: route.key,
          etag: route.etag,
          size: route.size,
        });
        metrics.addMetric('PhotosQueued', MetricUnit.Count, 1);
        break;
      case 'not_photo':
        out.lines.push({
          bucket,
          runId: dropRunId(new Date(r.eventTime)),
          line: skippedLine({ path: route.key }, 'not a photo file extension'),
        });
        metrics.addMetric('Skipped', MetricUnit.Count, 1);
        break;
      case 'manifest':
        await startManifestRun(bucket, route.key, route.etag, runDeps(settings));
        break;
      case 'enrol':
        if (!enrol.has(route.person)) detect({ kind: 'enrol', bucket, person: route.person });
        enrol.add(route.person);
        break;
      case 'ignore':
        logger.debug('ignored object', { key: route.key, why: route.why });
        break;
    }
  }
  return out;
};

/**
 * The invocation's drops into incoming/ (photos and not), by bucket and drop run. A body that
 * does not parse is left to its record's own handler, which fails it.
 */
const dropsOf = (event: SQSEvent): Map<string, { bucket: string; runId: string; keys: Set<string> }> => {
  const runs = new Map<string, { bucket: string; runId: string; keys: Set<string> }>();
  for (const record of event.Records) {
    try {
      const body = JSON.parse(record.body) as Partial<S3Event>;
      for (const r of Array.isArray(body.Records) ? body.Records : []) {
        const route = routeS3Event(r);
        if (route.kind !== 'photo' && route.kind !== 'not_photo') continue;
        const runId = dropRunId(new Date(r.eventTime));
        const id = `${r.s3.bucket.name}\n${runId}`;
        const run = runs.get(id) ?? { bucket: r.s3.bucket.name, runId, keys: new Set<string>() };
        run.keys.add(route.key);
        runs.set(id, run);
      }
    } catch {
      // Handled (and failed) per record below.
    }
  }
  return runs;
};

const recordHandler = async (record: SQSRecord, settings: IngestSettings): Promise<RecordOutputs> => {
  const body = JSON.parse(record.body) as { Records?: unknown; Event?: string; kind?: string };
  if (body.Event === 's3:TestEvent') return {};
  if (body.kind === 'finalize') {
    const m = parseMessage(finalizeMessageSchema, record.body, 'ingest');
    if (m.anchor) await finalizeDropRun({ ...m, anchor: m.anchor }, runDeps(settings));
    else await finalizeManifestRun(m, runDeps(settings));
    return {};
  }
  return handleS3Event(body as S3Event, settings);
};

/**
 * ingest: S3 ObjectCreated events (via SQS) and run finalizers → detect queue, skipped lines, run
 * records. Drops are recorded for their run's summary first, once for the whole invocation; if
 * that fails, the whole batch is retried. The batch's detect messages and skipped lines are sent
 * and written together at the end.
 */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  const settings = settingsOrFail(ingestEnv, (m, e) => logger.error(m, e));
  try {
    for (const run of dropsOf(event).values())
      await recordDrops(run.bucket, run.runId, [...run.keys], runDeps(settings));
    return await processRecordsWithOutputs(event, context, processor, (r) => recordHandler(r, settings));
  } finally {
    flushMetrics(metrics);
  }
};
