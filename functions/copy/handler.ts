import { BatchProcessor, EventType } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { CopyResult } from '../../core/report/resultLine.js';
import { settingsOrFail } from '../shared/env.js';
import { copyMessageSchema, parseMessage } from '../shared/messages.js';
import { createObservability, flushMetrics } from '../shared/observability.js';
import { processRecordsWithOutputs, type RecordOutputs } from '../shared/RecordOutputs.js';
import { copyEnv } from './copyEnv.js';
import { copyToMatches } from './copyToMatches.js';

const { logger, metrics } = createObservability('copy');
const processor = new BatchProcessor(EventType.SQS);

const recordHandler = async (record: SQSRecord, multipartAbove: number): Promise<RecordOutputs> => {
  const m = parseMessage(copyMessageSchema, record.body, 'copy');
  const copies: CopyResult[] = [];
  for (const planned of m.copies) {
    const attempt = await copyToMatches(
      m.bucket,
      m.key,
      m.etag,
      planned.destination,
      multipartAbove,
      m.source,
    );
    copies.push({ people: planned.people, ...attempt });
    metrics.addMetric(`Copy_${attempt.outcome}`, MetricUnit.Count, 1);
    if (attempt.reason)
      logger.warn('copy not made', { key: m.key, people: planned.people, reason: attempt.reason });
  }
  // Written after the copies (with the batch's other lines): a line that says "copied" is never
  // ahead of the copy.
  return { lines: [{ bucket: m.bucket, runId: m.runId, line: { ...m.line, copies } }] };
};

/**
 * copy: a batch of matched photos → each planned copy, matches/<person>/<key> (idempotent by
 * source ETag) → the photos' result lines with every copy's outcome, in one object.
 */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  const { multipartAbove } = settingsOrFail(copyEnv, (m, e) => logger.error(m, e));
  try {
    return await processRecordsWithOutputs(event, context, processor, (r) =>
      recordHandler(r, multipartAbove),
    );
  } finally {
    flushMetrics(metrics);
  }
};
