import { BatchProcessor, EventType } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { decodeAnalysis } from '../../core/analysis/analysisCodec.js';
import { skippedLine } from '../../core/report/lines.js';
import { PhotoStatus } from '../../core/report/resultLine.js';
import type { ImageAnalysis } from '../../core/types.js';
import { settingsOrFail } from '../shared/env.js';
import {
  type CopyMessage,
  parseMessage,
  type VerifyMessage,
  verifyMessageSchema,
} from '../shared/messages.js';
import { defaultNamespace, readModelSetId } from '../shared/modelSet.js';
import { createObservability, flushMetrics } from '../shared/observability.js';
import { processRecordsWithOutputs, type RecordOutputs } from '../shared/RecordOutputs.js';
import { S3FacesIndex } from '../shared/S3FacesIndex.js';
import { recordSearched } from '../shared/searchedPeople.js';
import type { TeacherHook } from '../shared/TeacherHook.js';
import { teacherHook } from '../shared/teacherCascadeHook.js';
import { GalleryCache } from './GalleryCache.js';
import { verifyEnv } from './verifyEnv.js';
import { verifyPhoto } from './verifyPhoto.js';

type VerifySettings = ReturnType<typeof verifyEnv.parse>;

const { logger, metrics } = createObservability('verify');
const processor = new BatchProcessor(EventType.SQS);

/** The Rekognition gray-zone cascade when MESPOTTER_TEACHER_GRAY_ZONE is set; off by default. */
let teacher: TeacherHook | undefined;
/** Replaces the hook (tests). */
export const setTeacherHook = (hook: TeacherHook): void => {
  teacher = hook;
};

let cache: Promise<GalleryCache> | undefined;
const enrolled = async (settings: VerifySettings) => {
  cache ??= readModelSetId().then(
    (id) => new GalleryCache(settings.bucket, id, settings.galleryTtlMs),
    (error: unknown) => {
      cache = undefined;
      throw error;
    },
  );
  const gallery = await cache;
  const people = await gallery.people();
  for (const p of gallery.problems) logger.warn('gallery unusable', { ...p });
  return people;
};

const loadAnalysis = async (m: VerifyMessage): Promise<ImageAnalysis> => {
  const inline = m.analysis ? decodeAnalysis(m.analysis) : undefined;
  if (inline) return inline;
  const stored = await new S3FacesIndex(m.bucket, await defaultNamespace()).get(m.sha256);
  // Detect writes the index before sending a reference; a miss is worth a retry.
  if (!stored) throw new Error(`analysis ${m.sha256} not found in the faces index`);
  return stored;
};

const recordHandler = async (
  record: SQSRecord,
  settings: VerifySettings,
  hook: TeacherHook,
): Promise<RecordOutputs> => {
  const m = parseMessage(verifyMessageSchema, record.body, 'verify');
  const analysis = await loadAnalysis(m);
  const people = await enrolled(settings);
  const at = { bucket: m.bucket, runId: m.runId };
  if (people.searched.length === 0) {
    const why = 'nobody is enrolled yet (upload photos to reference/<person>/)';
    return { lines: [{ ...at, line: skippedLine({ path: m.key }, why, 'no_gallery') }] };
  }
  // Before the line: a summary that counts the line also knows who was searched.
  await recordSearched(m.bucket, m.runId, people);
  const { line, copies } = await verifyPhoto({ message: m, analysis, people, reviewer: hook });
  for (const t of line.teacher ?? [])
    if (t.failure)
      logger.warn('teacher failed; local decision kept', { key: m.key, person: t.person, ...t.failure });
  metrics.addMetric(line.status === PhotoStatus.Matched ? 'Matches' : 'NonMatches', MetricUnit.Count, 1);
  metrics.addMetric('PeopleFound', MetricUnit.Count, line.people.length);
  if (copies.length === 0) return { lines: [{ ...at, line }] };
  const copy: CopyMessage = {
    runId: m.runId,
    bucket: m.bucket,
    key: m.key,
    etag: m.etag,
    line,
    copies,
    ...(m.source ? { source: m.source } : {}),
  };
  return { messages: [{ queueUrl: settings.copyQueueUrl, body: copy }] };
};

/**
 * verify: a photo's faces against everyone enrolled, through the decision core → its one result
 * line, or the copy queue with one planned copy per person found; the batch's lines go in one
 * object, its copy messages in SendMessageBatch calls.
 */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  const settings = settingsOrFail(verifyEnv, (m, e) => logger.error(m, e));
  teacher ??= teacherHook(settings.teacher);
  const hook = teacher;
  try {
    return await processRecordsWithOutputs(event, context, processor, (r) =>
      recordHandler(r, settings, hook),
    );
  } finally {
    flushMetrics(metrics);
  }
};
