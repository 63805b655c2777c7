import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, S3Event, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { settingsOrFail } from '../shared/env.js';
import { AwsBatchSubmitter, type GpuBatchSubmitter } from '../shared/GpuBatchSubmitter.js';
import { dropRunId } from '../shared/keys.js';
import { type DetectMessage, finalizeMessageSchema, parseMessage } from '../shared/messages.js';
import { createObservability, flushMetrics } from '../shared/observability.js';
import { skippedLine, writeResultLines } from '../shared/resultLines.js';
import { sendBatch } from '../shared/sendBatch.js';
import { type IngestSettings, ingestEnv } from './ingestEnv.js';
import { finalizeRun, type RunDeps, startManifestRun } from './manifestRun.js';
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

const handleS3Event = async (event: S3Event, settings: IngestSettings): Promise<void> => {
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
        await startManifestRun(bucket, route.key, route.etag, runDeps(settings));
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
  if (photos.length > 0) await sendBatch(settings.detectQueueUrl, photos);
  metrics.addMetric('PhotosQueued', MetricUnit.Count, photos.filter((p) => p.kind === 'photo').length);
};

const recordHandler = async (record: SQSRecord, settings: IngestSettings): Promise<void> => {
  const body = JSON.parse(record.body) as { Records?: unknown; Event?: string; kind?: string };
  if (body.Event === 's3:TestEvent') return;
  if (body.kind === 'finalize')
    return finalizeRun(parseMessage(finalizeMessageSchema, record.body, 'ingest'), runDeps(settings));
  return handleS3Event(body as S3Event, settings);
};

/** ingest: S3 ObjectCreated events (via SQS) and run finalizers → detect queue, skipped lines, run records. */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  const settings = settingsOrFail(ingestEnv, (m, e) => logger.error(m, e));
  try {
    return await processPartialResponse(event, (r: SQSRecord) => recordHandler(r, settings), processor, {
      context,
    });
  } finally {
    flushMetrics(metrics);
  }
};
