import { BatchProcessor, EventType } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import pLimit from 'p-limit';
import { settingsOrFail } from '../shared/env.js';
import { engineNamespace, getEngine } from '../shared/lazyEngine.js';
import { detectMessageSchema, parseMessage } from '../shared/messages.js';
import { createObservability, flushMetrics } from '../shared/observability.js';
import { processRecordsWithOutputs, type RecordOutputs } from '../shared/RecordOutputs.js';
import { S3FacesIndex } from '../shared/S3FacesIndex.js';
import { type DetectStageSettings, detectEnv } from './detectEnv.js';
import { detectPhoto, maxBytes } from './detectPhoto.js';
import { enrolPerson } from './enrolPerson.js';

const { logger, metrics } = createObservability('detect');
const processor = new BatchProcessor(EventType.SQS);

/**
 * Photos of a batch in flight at once: one is analysed while the next one downloads (S3 latency
 * is billed time otherwise). More would only queue on the function's one vCPU and hold more
 * decoded photos in memory.
 */
export const DETECT_IN_FLIGHT = 2;
const inFlight = pLimit(DETECT_IN_FLIGHT);

const recordHandler = async (record: SQSRecord, settings: DetectStageSettings): Promise<RecordOutputs> => {
  const m = parseMessage(detectMessageSchema, record.body, 'detect');
  const engine = await getEngine();
  if (m.kind === 'photo') return inFlight(() => detectPhoto(m, { engine, logger, metrics, settings }));
  const report = await enrolPerson(
    engine,
    new S3FacesIndex(m.bucket, engineNamespace(engine)),
    m.bucket,
    m.person,
    maxBytes(engine.config.decode.maxFileBytes, settings),
  );
  logger.info('enrolled', {
    person: m.person,
    accepted: report.accepted.length,
    rejected: report.rejected.length,
    error: report.error,
  });
  metrics.addMetric(report.error ? 'EnrolmentsFailed' : 'Enrolments', MetricUnit.Count, 1);
  return {};
};

/**
 * detect: a batch of photo keys → engine analyses (faces index first) → the verify queue in
 * SendMessageBatch calls, error lines in one object; or a person's re-enrolment.
 */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  const settings = settingsOrFail(detectEnv, (m, e) => logger.error(m, e));
  try {
    return await processRecordsWithOutputs(event, context, processor, (r) => recordHandler(r, settings));
  } finally {
    flushMetrics(metrics);
  }
};
