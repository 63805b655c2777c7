import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { encodeAnalysis } from '../../core/analysis/analysisCodec.js';
import { analyzePhoto } from '../../core/analysis/analyzePhoto.js';
import type { FacesIndex } from '../../core/analysis/FacesIndex.js';
import { errorLine } from '../../core/report/lines.js';
import type { PhotoAnalyzer } from '../../core/runtime/PhotoAnalyzer.js';
import type { ImageAnalysis } from '../../core/types.js';
import { engineNamespace } from '../shared/lazyEngine.js';
import type { PhotoMessage, VerifyMessage } from '../shared/messages.js';
import type { RecordOutputs } from '../shared/RecordOutputs.js';
import { isPermanent } from '../shared/resultLines.js';
import { S3FacesIndex } from '../shared/S3FacesIndex.js';
import { getObjectBytes } from '../shared/s3Objects.js';
import type { DetectStageSettings } from './detectEnv.js';

export interface DetectDeps {
  engine: PhotoAnalyzer;
  logger: Logger;
  metrics: Metrics;
  /** Checked once at cold start (detectEnv, gpuBatchEnv), never per photo. */
  settings: DetectStageSettings;
}

/**
 * Analyses inline in the verify message up to this size (the usual photo's is 10-20 KB); larger
 * ones are read from the faces index. Small enough that a verify batch of 50 stays under
 * Lambda's 6 MB event limit.
 */
export const INLINE_ANALYSIS_MAX = 100_000;

export const maxBytes = (engineMax: number, settings: DetectStageSettings): number =>
  Math.min(engineMax, settings.maxPhotoBytes ?? engineMax);

/** The faces index as analyzePhoto sees it, telling whether a write went through; a lookup-less one when off. */
const trackedIndex = (index: S3FacesIndex, on: boolean): FacesIndex & { stored: boolean } => {
  const tracked = {
    stored: false,
    get: (sha256: string) => (on ? index.get(sha256) : Promise.resolve(undefined)),
    put: async (sha256: string, analysis: ImageAnalysis) => {
      if (!on) return;
      await index.put(sha256, analysis);
      tracked.stored = true;
    },
  };
  return tracked;
};

/**
 * The detect stage for one photo: read it (size-capped), analyse it (faces index first, unless
 * off) and leave the analysis for verify, inline when small; an unreadable photo leaves its error
 * line instead. What it leaves is sent or written with the rest of its batch (RecordOutputs). The
 * detect Lambda and the GPU batch container both run exactly this.
 */
export const detectPhoto = async (
  m: PhotoMessage,
  { engine, logger, metrics, settings }: DetectDeps,
): Promise<RecordOutputs> => {
  const index = new S3FacesIndex(m.bucket, engineNamespace(engine));
  const started = performance.now();
  try {
    const fetched = await getObjectBytes(
      m.bucket,
      m.key,
      maxBytes(engine.config.decode.maxFileBytes, settings),
    );
    // A lost index write only costs a later re-analysis (analyzePhoto ignores it)…
    const tracked = trackedIndex(index, settings.facesIndex);
    const { sha256, analysis, cached } = await analyzePhoto(engine, fetched.bytes, tracked);
    const encoded = encodeAnalysis(analysis);
    const inline = encoded.length <= INLINE_ANALYSIS_MAX;
    // …except for an analysis too large for the message: verify reads that one from the index.
    if (!inline && !cached && !tracked.stored) await index.put(sha256, analysis);
    const message: VerifyMessage = {
      runId: m.runId,
      bucket: m.bucket,
      key: m.key,
      etag: fetched.etag,
      sha256,
      cached,
      ms: Math.round(performance.now() - started),
      ...(inline ? { analysis: encoded } : {}),
      source: {
        size: fetched.bytes.byteLength,
        ...(fetched.contentType ? { contentType: fetched.contentType } : {}),
        metadata: fetched.metadata,
      },
    };
    metrics.addMetric(cached ? 'FacesIndexHits' : 'PhotosAnalysed', MetricUnit.Count, 1);
    metrics.addMetric('Faces', MetricUnit.Count, analysis.faces.length);
    return { messages: [{ queueUrl: settings.verifyQueueUrl, body: message }] };
  } catch (error) {
    // Only the photo's own faults (corrupt, too large, vanished…) are its outcome; anything else
    // is thrown so that SQS retries it and, if it persists, keeps it in the DLQ.
    if (!isPermanent(error)) throw error;
    logger.warn('photo not analysed', { key: m.key, code: error.code, reason: error.message });
    metrics.addMetric('PhotoErrors', MetricUnit.Count, 1);
    return { lines: [{ bucket: m.bucket, runId: m.runId, line: errorLine({ path: m.key }, error) }] };
  }
};
