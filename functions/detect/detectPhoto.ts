import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { encodeAnalysis } from '../../core/analysis/analysisCodec.js';
import { analyzePhoto } from '../../core/analysis/analyzePhoto.js';
import type { PhotoAnalyzer } from '../../core/runtime/PhotoAnalyzer.js';
import { engineNamespace } from '../shared/lazyEngine.js';
import type { PhotoMessage, VerifyMessage } from '../shared/messages.js';
import { errorLine, isPermanent, writeResultLines } from '../shared/resultLines.js';
import { S3FacesIndex } from '../shared/S3FacesIndex.js';
import { getObjectBytes } from '../shared/s3Objects.js';
import { sendBatch } from '../shared/sendBatch.js';
import type { DetectStageSettings } from './detectEnv.js';

export interface DetectDeps {
  engine: PhotoAnalyzer;
  logger: Logger;
  metrics: Metrics;
  /** Checked once at cold start (detectEnv, gpuBatchEnv), never per photo. */
  settings: DetectStageSettings;
}

/** Analyses inline in the verify message up to this size; larger ones are read from the faces index. */
const INLINE_ANALYSIS_MAX = 200_000;

export const maxBytes = (engineMax: number, settings: DetectStageSettings): number =>
  Math.min(engineMax, settings.maxPhotoBytes ?? engineMax);

/**
 * The detect stage for one photo: read it (size-capped), analyse it (faces index first) and hand
 * the analysis to verify; an unreadable photo gets its error line here. The detect Lambda and the
 * GPU batch container both run exactly this.
 */
export const detectPhoto = async (
  m: PhotoMessage,
  { engine, logger, metrics, settings }: DetectDeps,
): Promise<void> => {
  const index = new S3FacesIndex(m.bucket, engineNamespace(engine));
  const started = performance.now();
  try {
    const { bytes, etag } = await getObjectBytes(
      m.bucket,
      m.key,
      maxBytes(engine.config.decode.maxFileBytes, settings),
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
    await sendBatch(settings.verifyQueueUrl, [message]);
    metrics.addMetric(cached ? 'FacesIndexHits' : 'PhotosAnalysed', MetricUnit.Count, 1);
    metrics.addMetric('Faces', MetricUnit.Count, analysis.faces.length);
  } catch (error) {
    // Only the photo's own faults (corrupt, too large, vanished…) are its outcome; anything else
    // is thrown so that SQS retries it and, if it persists, keeps it in the DLQ.
    if (!isPermanent(error)) throw error;
    logger.warn('photo not analysed', { key: m.key, code: error.code, reason: error.message });
    await writeResultLines(m.bucket, m.runId, m.key, [errorLine(m.key, error)]);
    metrics.addMetric('PhotoErrors', MetricUnit.Count, 1);
  }
};
