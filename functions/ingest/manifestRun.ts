import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { GpuBatchSubmitter } from '../shared/GpuBatchSubmitter.js';
import { manifestRunId, runKey, runKeysKey } from '../shared/keys.js';
import type { DetectMessage, FinalizeMessage } from '../shared/messages.js';
import { readModelSetId } from '../shared/modelSet.js';
import { writeLines } from '../shared/resultLines.js';
import { getObjectText, putJson, putText } from '../shared/s3Objects.js';
import { sendBatch } from '../shared/sendBatch.js';
import { expandManifest } from './expandManifest.js';
import { armFinalizer, isLastAttempt, rearmFinalizer } from './finalizer.js';
import type { IngestSettings } from './ingestEnv.js';
import { type RunRecord, RunRoute, runRecordSchema, summarizeRun } from './summarizeRun.js';

/** What a run step needs from the handler: its observability and, when configured, the GPU path. */
export interface RunDeps {
  logger: Logger;
  metrics: Metrics;
  settings: IngestSettings;
  gpu: GpuBatchSubmitter | undefined;
}

/** Expands a manifest into a run: result lines for what is not a photo, photos to detect (or the GPU job), a finalizer. */
export const startManifestRun = async (
  bucket: string,
  key: string,
  etag: string,
  deps: RunDeps,
): Promise<void> => {
  const { logger, metrics, settings } = deps;
  const runId = manifestRunId(key, etag);
  const existing = await getObjectText(bucket, runKey(runId));
  if (existing) {
    // A retried delivery of the same manifest version: the run was already fanned out.
    logger.info('run already started', { runId, manifest: key });
    return;
  }
  const expanded = await expandManifest(bucket, key);
  const total = expanded.photos.length + expanded.lines.length;
  await writeLines(bucket, runId, expanded.lines);
  const record: RunRecord = {
    runId,
    manifest: key,
    startedAt: new Date().toISOString(),
    total,
    photos: expanded.photos.length,
    route: RunRoute.Lambda,
    modelSetId: await readModelSetId().catch(() => 'unknown'),
  };
  const gpu = deps.gpu;
  if (gpu && expanded.photos.length >= settings.gpuBatchMinPhotos) {
    const keysKey = runKeysKey(runId);
    await putText(
      bucket,
      keysKey,
      `${expanded.photos.map((p) => JSON.stringify(p.key)).join('\n')}\n`,
      'application/x-ndjson',
    );
    const { jobId } = await gpu.submit({ runId, bucket, keysKey, photos: expanded.photos.length });
    record.route = RunRoute.GpuBatch;
    record.jobId = jobId;
  } else {
    const messages: DetectMessage[] = expanded.photos.map((p) => ({ kind: 'photo', runId, bucket, ...p }));
    await sendBatch(settings.detectQueueUrl, messages);
  }
  // Written last: its presence means the fan-out completed (see the retry check above).
  await putJson(bucket, runKey(runId), record);
  const finalize: FinalizeMessage = { kind: 'finalize', runId, bucket, attempt: 0 };
  await armFinalizer(settings, finalize);
  metrics.addMetric('RunsStarted', MetricUnit.Count, 1);
  metrics.addMetric('RunInputs', MetricUnit.Count, total);
  logger.info('run started', { runId, manifest: key, total, photos: record.photos, route: record.route });
};

/** Writes a manifest run's summary once every input has a line; otherwise checks again later. */
export const finalizeManifestRun = async (m: FinalizeMessage, deps: RunDeps): Promise<void> => {
  const { logger, settings } = deps;
  const object = await getObjectText(m.bucket, runKey(m.runId));
  if (!object) return;
  const run = runRecordSchema.parse(JSON.parse(object.text));
  const { written, done } = await summarizeRun(m.bucket, run, settings.dlqUrls, isLastAttempt(m));
  if (written) {
    logger.info('run summarized', { runId: run.runId, done, total: run.total });
    return;
  }
  await rearmFinalizer(settings, m);
};
