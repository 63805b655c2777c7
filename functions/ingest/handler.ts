import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, S3Event, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { EnvName, numberEnv, optionalEnv, requireEnv } from '../shared/env.js';
import { AwsBatchSubmitter, type GpuBatchSubmitter } from '../shared/GpuBatchSubmitter.js';
import { dropRunId, manifestRunId, runKey, runKeysKey } from '../shared/keys.js';
import {
  type DetectMessage,
  type FinalizeMessage,
  finalizeMessageSchema,
  parseMessage,
} from '../shared/messages.js';
import { readModelSetId } from '../shared/modelSet.js';
import { createObservability, flushMetrics } from '../shared/observability.js';
import { skippedLine, writeResultLines } from '../shared/resultLines.js';
import { getObjectText, putJson, putText } from '../shared/s3Objects.js';
import { sendBatch } from '../shared/sendBatch.js';
import { expandManifest } from './expandManifest.js';
import { routeS3Event } from './routeS3Event.js';
import { type RunRecord, runRecordSchema, summarizeRun } from './summarizeRun.js';

const { logger, metrics } = createObservability('ingest');
const processor = new BatchProcessor(EventType.SQS);

/** The finalizer re-checks a run this many times before writing a summary with `pending` > 0. */
const MAX_FINALIZE_ATTEMPTS = 96;

let submitter: GpuBatchSubmitter | undefined;
/** Tests and other deployments can swap the GPU path; by default it is AWS Batch when configured. */
export const setGpuBatchSubmitter = (s: GpuBatchSubmitter | undefined): void => {
  submitter = s;
};
const gpuSubmitter = (): GpuBatchSubmitter | undefined => {
  if (submitter) return submitter;
  const queue = optionalEnv(EnvName.GpuJobQueue);
  const definition = optionalEnv(EnvName.GpuJobDefinition);
  return queue && definition ? new AwsBatchSubmitter(queue, definition) : undefined;
};

/** Linear back-off, capped at SQS's 15 min: a small run is summarised within a minute, a stuck one checked for ~20 h. */
const finalizeDelay = (attempt: number): number =>
  Math.min(900, numberEnv(EnvName.FinalizeDelaySeconds, 30) * (attempt + 1));

const startManifestRun = async (bucket: string, key: string, etag: string): Promise<void> => {
  const runId = manifestRunId(key, etag);
  const existing = await getObjectText(bucket, runKey(runId));
  if (existing) {
    // A retried delivery of the same manifest version: the run was already fanned out.
    logger.info('run already started', { runId, manifest: key });
    return;
  }
  const expanded = await expandManifest(bucket, key);
  const total = expanded.photos.length + expanded.lines.length;
  for (const line of expanded.lines) await writeResultLines(bucket, runId, line.path, [line]);
  const record: RunRecord = {
    runId,
    manifest: key,
    startedAt: new Date().toISOString(),
    total,
    photos: expanded.photos.length,
    route: 'lambda',
    modelSetId: await readModelSetId().catch(() => 'unknown'),
  };
  const gpu = gpuSubmitter();
  if (gpu && expanded.photos.length >= numberEnv(EnvName.GpuBatchMinPhotos, Number.POSITIVE_INFINITY)) {
    const keysKey = runKeysKey(runId);
    await putText(
      bucket,
      keysKey,
      `${expanded.photos.map((p) => JSON.stringify(p.key)).join('\n')}\n`,
      'application/x-ndjson',
    );
    const { jobId } = await gpu.submit({ runId, bucket, keysKey, photos: expanded.photos.length });
    record.route = 'gpu-batch';
    record.jobId = jobId;
  } else {
    const messages: DetectMessage[] = expanded.photos.map((p) => ({ kind: 'photo', runId, bucket, ...p }));
    await sendBatch(requireEnv(EnvName.DetectQueueUrl), messages);
  }
  // Written last: its presence means the fan-out completed (see the retry check above).
  await putJson(bucket, runKey(runId), record);
  const finalize: FinalizeMessage = { kind: 'finalize', runId, bucket, attempt: 0 };
  await sendBatch(requireEnv(EnvName.IngestQueueUrl), [finalize], finalizeDelay(0));
  metrics.addMetric('RunsStarted', MetricUnit.Count, 1);
  metrics.addMetric('RunInputs', MetricUnit.Count, total);
  logger.info('run started', { runId, manifest: key, total, photos: record.photos, route: record.route });
};

const finalizeRun = async (m: FinalizeMessage): Promise<void> => {
  const object = await getObjectText(m.bucket, runKey(m.runId));
  if (!object) return;
  const run = runRecordSchema.parse(JSON.parse(object.text));
  const dlqs = (optionalEnv(EnvName.DlqUrls) ?? '').split(',').filter(Boolean);
  const force = m.attempt + 1 >= MAX_FINALIZE_ATTEMPTS;
  const { written, done } = await summarizeRun(m.bucket, run, dlqs, force);
  if (written) {
    logger.info('run summarized', { runId: run.runId, done, total: run.total });
    return;
  }
  const next: FinalizeMessage = { ...m, attempt: m.attempt + 1 };
  await sendBatch(requireEnv(EnvName.IngestQueueUrl), [next], finalizeDelay(next.attempt));
};

const handleS3Event = async (event: S3Event): Promise<void> => {
  const photos: DetectMessage[] = [];
  const enrol = new Set<string>();
  for (const r of event.Records ?? []) {
    const bucket = r.s3.bucket.name;
    const route = routeS3Event(r);
    switch (route.kind) {
      case 'photo':
        photos.push({
          kind: 'photo',
          runId: dropRunId(new Date(r.eventTime)),
          bucket,
          key: route.key,
          etag: route.etag,
          size: route.size,
        });
        break;
      case 'not_photo':
        await writeResultLines(bucket, dropRunId(new Date(r.eventTime)), route.key, [
          skippedLine(route.key, 'not a photo file extension'),
        ]);
        metrics.addMetric('Skipped', MetricUnit.Count, 1);
        break;
      case 'manifest':
        await startManifestRun(bucket, route.key, route.etag);
        break;
      case 'enrol':
        if (!enrol.has(route.person)) photos.push({ kind: 'enrol', bucket, person: route.person });
        enrol.add(route.person);
        break;
      case 'ignore':
        logger.debug('ignored object', { key: route.key, why: route.why });
        break;
    }
  }
  if (photos.length > 0) await sendBatch(requireEnv(EnvName.DetectQueueUrl), photos);
  metrics.addMetric('PhotosQueued', MetricUnit.Count, photos.filter((p) => p.kind === 'photo').length);
};

const recordHandler = async (record: SQSRecord): Promise<void> => {
  const body = JSON.parse(record.body) as { Records?: unknown; Event?: string; kind?: string };
  if (body.Event === 's3:TestEvent') return;
  if (body.kind === 'finalize')
    return finalizeRun(parseMessage(finalizeMessageSchema, record.body, 'ingest'));
  return handleS3Event(body as S3Event);
};

/** ingest: S3 ObjectCreated events (via SQS) and run finalizers → detect queue, skipped lines, run records. */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  try {
    return await processPartialResponse(event, recordHandler, processor, { context });
  } finally {
    flushMetrics(metrics);
  }
};
