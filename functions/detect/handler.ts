import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { settingsOrFail } from '../shared/env.js';
import { engineNamespace, getEngine } from '../shared/lazyEngine.js';
import { detectMessageSchema, parseMessage } from '../shared/messages.js';
import { createObservability, flushMetrics } from '../shared/observability.js';
import { S3FacesIndex } from '../shared/S3FacesIndex.js';
import { type DetectStageSettings, detectEnv } from './detectEnv.js';
import { detectPhoto, maxBytes } from './detectPhoto.js';
import { enrolPerson } from './enrolPerson.js';

const { logger, metrics } = createObservability('detect');
// One photo at a time: each analysis already keeps the container's vCPUs busy, and ten decoded
// photos at once would multiply peak memory.
const processor = new BatchProcessor(EventType.SQS);

const recordHandler = async (record: SQSRecord, settings: DetectStageSettings): Promise<void> => {
  const m = parseMessage(detectMessageSchema, record.body, 'detect');
  const engine = await getEngine();
  if (m.kind === 'photo') return detectPhoto(m, { engine, logger, metrics, settings });
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
};

/** detect: photo key → engine analysis (faces index first) → verify queue; or a person's re-enrolment. */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  const settings = settingsOrFail(detectEnv, (m, e) => logger.error(m, e));
  try {
    return await processPartialResponse(event, (r: SQSRecord) => recordHandler(r, settings), processor, {
      context,
      processInParallel: false,
    });
  } finally {
    flushMetrics(metrics);
  }
};
