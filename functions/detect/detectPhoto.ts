import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { encodeAnalysis } from '../../core/analysis/analysisCodec.js';
import { analyzePhoto } from '../../core/analysis/analyzePhoto.js';
import type { PhotoAnalyzer } from '../../core/runtime/PhotoAnalyzer.js';
import { EnvName, numberEnv, requireEnv } from '../shared/env.js';
import { engineNamespace } from '../shared/lazyEngine.js';
import type { PhotoMessage, VerifyMessage } from '../shared/messages.js';
import { errorLine, isPermanent, writeResultLines } from '../shared/resultLines.js';
import { S3FacesIndex } from '../shared/S3FacesIndex.js';
import { getObjectBytes } from '../shared/s3Objects.js';
import { sendBatch } from '../shared/sendBatch.js';

export interface DetectDeps {
  engine: PhotoAnalyzer;
  logger: Logger;
  metrics: Metrics;
}

/** Analyses inline in the verify message up to this size; larger ones are read from the faces index. */
const INLINE_ANALYSIS_MAX = 200_000;

export const maxBytes = (engineMax: number): number =>
  Math.min(engineMax, numberEnv(EnvName.MaxPhotoBytes, engineMax));

/**
 * The detect stage for one photo: read it (size-capped), analyse it (faces index first) and hand
 * the analysis to verify; an unreadable photo gets its error line here. The detect Lambda and the
 * GPU batch container both run exactly this.
 */
export const detectPhoto = async (
  m: PhotoMessage,
  { engine, logger, metrics }: DetectDeps,
): Promise<void> => {
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
