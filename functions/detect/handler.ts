import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { encodeAnalysis } from '../../core/analysis/analysisCodec.js';
import { analyzePhoto } from '../../core/analysis/analyzePhoto.js';
import { EnvName, numberEnv, requireEnv } from '../shared/env.js';
import { engineNamespace, getEngine } from '../shared/lazyEngine.js';
import {
  detectMessageSchema,
  type PhotoMessage,
  parseMessage,
  type VerifyMessage,
} from '../shared/messages.js';
import { createObservability, flushMetrics } from '../shared/observability.js';
import { errorLine, isPermanent, writeResultLines } from '../shared/resultLines.js';
import { S3FacesIndex } from '../shared/S3FacesIndex.js';
import { getObjectBytes } from '../shared/s3Objects.js';
import { sendBatch } from '../shared/sendBatch.js';
import { enrolPerson } from './enrolPerson.js';

const { logger, metrics } = createObservability('detect');
// One photo at a time: each analysis already keeps the container's vCPUs busy, and ten decoded
// photos at once would multiply peak memory.
const processor = new BatchProcessor(EventType.SQS);

/** Analyses inline in the verify message up to this size; larger ones are read from the faces index. */
const INLINE_ANALYSIS_MAX = 200_000;

const maxBytes = (engineMax: number): number =>
  Math.min(engineMax, numberEnv(EnvName.MaxPhotoBytes, engineMax));

const detectPhoto = async (m: PhotoMessage): Promise<void> => {
  const engine = await getEngine();
  const index = new S3FacesIndex(m.bucket, engineNamespace(engine));
  const started = performance.now();
  try {
    const { bytes, etag } = await getObjectBytes(
      m.bucket,
      m.key,
      maxBytes(engine.config.decode.maxFileBytes),
    );
    const { sha256, analysis, cached } = await analyzePhoto(engine, bytes, index);
    const encoded = encodeAnalysis(analysis);
    if (encoded.length > INLINE_ANALYSIS_MAX) await index.put(sha256, analysis);
    const message: VerifyMessage = {
      runId: m.runId,
      bucket: m.bucket,
      key: m.key,
      etag,
      sha256,
      cached,
      ms: Math.round(performance.now() - started),
      ...(encoded.length <= INLINE_ANALYSIS_MAX ? { analysis: encoded } : {}),
    };
    await sendBatch(requireEnv(EnvName.VerifyQueueUrl), [message]);
    metrics.addMetric(cached ? 'FacesIndexHits' : 'PhotosAnalysed', MetricUnit.Count, 1);
    metrics.addMetric('Faces', MetricUnit.Count, analysis.faces.length);
  } catch (error) {
    // A photo that cannot be read or decoded is an outcome, not a failure to retry.
    if (!isPermanent(error)) throw error;
    logger.warn('photo not analysed', { key: m.key, code: error.code, reason: error.message });
    await writeResultLines(m.bucket, m.runId, m.key, [errorLine(m.key, error)]);
    metrics.addMetric('PhotoErrors', MetricUnit.Count, 1);
  }
};

const recordHandler = async (record: SQSRecord): Promise<void> => {
  const m = parseMessage(detectMessageSchema, record.body, 'detect');
  if (m.kind === 'photo') return detectPhoto(m);
  const engine = await getEngine();
  const report = await enrolPerson(
    engine,
    new S3FacesIndex(m.bucket, engineNamespace(engine)),
    m.bucket,
    m.person,
    maxBytes(engine.config.decode.maxFileBytes),
  );
  logger.info('enrolled', {
    person: m.person,
    accepted: report.accepted.length,
    rejected: report.rejected.length,
    error: report.error,
  });
  metrics.addMetric(report.error ? 'EnrolmentsFailed' : 'Enrolments', MetricUnit.Count, 1);
};

/** detect: photo key → engine analysis (faces index first) → verify queue; or a person's re-enrolment. */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  try {
    return await processPartialResponse(event, recordHandler, processor, {
      context,
      processInParallel: false,
    });
  } finally {
    flushMetrics(metrics);
  }
};
