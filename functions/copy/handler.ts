import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { PhotoStatus } from '../../core/report/resultLine.js';
import { settingsOrFail } from '../shared/env.js';
import { matchKey } from '../shared/keys.js';
import { copyMessageSchema, parseMessage } from '../shared/messages.js';
import { createObservability, flushMetrics } from '../shared/observability.js';
import { writeResultLines } from '../shared/resultLines.js';
import { copyEnv } from './copyEnv.js';
import { copyToMatches } from './copyToMatches.js';

const { logger, metrics } = createObservability('copy');
const processor = new BatchProcessor(EventType.SQS);

const recordHandler = async (record: SQSRecord, multipartAbove: number): Promise<void> => {
  const m = parseMessage(copyMessageSchema, record.body, 'copy');
  for (const line of m.lines) {
    if (line.status !== PhotoStatus.Matched) continue;
    const result = await copyToMatches(m.bucket, m.key, m.etag, matchKey(line.person, m.key), multipartAbove);
    line.copy = result;
    metrics.addMetric(`Copy_${result.outcome}`, MetricUnit.Count, 1);
    if (result.reason)
      logger.warn('copy not made', { key: m.key, person: line.person, reason: result.reason });
  }
  // Written after the copies: a line that says "copied" is never ahead of the copy.
  await writeResultLines(m.bucket, m.runId, m.key, m.lines);
};

/** copy: matched photo → matches/<person>/<key> (idempotent by source ETag) → the photo's result lines. */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  const { multipartAbove } = settingsOrFail(copyEnv, (m, e) => logger.error(m, e));
  try {
    return await processPartialResponse(
      event,
      (r: SQSRecord) => recordHandler(r, multipartAbove),
      processor,
      {
        context,
      },
    );
  } finally {
    flushMetrics(metrics);
  }
};
