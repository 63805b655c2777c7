import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { decodeAnalysis } from '../../core/analysis/analysisCodec.js';
import { DEFAULT_THRESHOLD } from '../../core/match/defaults.js';
import { matchPhoto } from '../../core/match/matchPhoto.js';
import { PhotoStatus, type ResultLine } from '../../core/report/resultLine.js';
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
import { skippedLine, writeResultLines } from '../shared/resultLines.js';
import { S3FacesIndex } from '../shared/S3FacesIndex.js';
import { sendBatch } from '../shared/sendBatch.js';
import type { TeacherHook } from '../shared/TeacherHook.js';
import { teacherHook } from '../shared/teacherCascadeHook.js';
import { GalleryCache } from './GalleryCache.js';
import { verifyEnv } from './verifyEnv.js';

type VerifySettings = ReturnType<typeof verifyEnv.parse>;

const { logger, metrics } = createObservability('verify');
const processor = new BatchProcessor(EventType.SQS);

/** The Rekognition gray-zone cascade when MESPOTTER_TEACHER_GRAY_ZONE is set; off by default. */
let teacher: TeacherHook | undefined;
/** Replaces the hook (tests). */
export const setTeacherHook = (hook: TeacherHook): void => {
  teacher = hook;
};

let cache: GalleryCache | undefined;
const galleries = async (settings: VerifySettings) => {
  cache ??= new GalleryCache(settings.bucket, await readModelSetId(), settings.galleryTtlMs);
  return { list: await cache.galleries(), problems: cache.problems };
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
): Promise<void> => {
  const m = parseMessage(verifyMessageSchema, record.body, 'verify');
  const analysis = await loadAnalysis(m);
  const { list, problems } = await galleries(settings);
  for (const p of problems) logger.warn('gallery unusable', { ...p });
  if (list.length === 0) {
    await writeResultLines(m.bucket, m.runId, m.key, [
      skippedLine(m.key, 'nobody is enrolled yet (upload photos to reference/<person>/)', 'no_gallery'),
    ]);
    return;
  }
  const lines: ResultLine[] = [];
  for (const gallery of list) {
    const threshold = gallery.threshold ?? DEFAULT_THRESHOLD;
    const decision = await hook.review({
      bucket: m.bucket,
      key: m.key,
      gallery,
      threshold,
      analysis,
      decision: matchPhoto(analysis, gallery, threshold),
    });
    lines.push({
      path: m.key,
      status: decision.status,
      person: gallery.person,
      width: analysis.width,
      height: analysis.height,
      sha256: m.sha256,
      bestScore: decision.bestScore,
      threshold,
      faces: decision.faces,
      cached: m.cached,
      ms: m.ms,
      ...(decision.teacher ? { teacher: decision.teacher } : {}),
    });
    if (decision.teacher?.failure)
      logger.warn('teacher failed; local decision kept', { key: m.key, ...decision.teacher.failure });
    metrics.addMetric(
      decision.status === PhotoStatus.Matched ? 'Matches' : 'NonMatches',
      MetricUnit.Count,
      1,
    );
  }
  if (lines.some((l) => l.status === PhotoStatus.Matched)) {
    const copy: CopyMessage = { runId: m.runId, bucket: m.bucket, key: m.key, etag: m.etag, lines };
    await sendBatch(settings.copyQueueUrl, [copy]);
  } else {
    await writeResultLines(m.bucket, m.runId, m.key, lines);
  }
};

/** verify: a photo's faces against every enrolled person → result lines, or the copy queue for matches. */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  const settings = settingsOrFail(verifyEnv, (m, e) => logger.error(m, e));
  teacher ??= teacherHook(settings.teacher);
  const hook = teacher;
  try {
    return await processPartialResponse(
      event,
      (r: SQSRecord) => recordHandler(r, settings, hook),
      processor,
      {
        context,
      },
    );
  } finally {
    flushMetrics(metrics);
  }
};
