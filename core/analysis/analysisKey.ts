import { createHash } from 'node:crypto';
import type { EngineConfig } from '../config.js';

/**
 * Version of the analysis code. Bump it whenever a change to the engine's code (not its settings)
 * changes what `analyze` returns: a constant such as EDGE_MARGIN, the roll rotations, the quality
 * gate, a new embedder. Analyses stored under an older version are then never served again.
 */
export const ANALYSIS_VERSION = 3;

/**
 * Namespace of the faces index: analyses are reusable only for the same models, the same
 * detection/alignment settings and the same analysis code. Runtime settings (threads, lanes) do
 * not change results.
 */
export const analysisNamespace = (
  modelSetId: string,
  config: EngineConfig,
  analysisVersion: number = ANALYSIS_VERSION,
): string => {
  const relevant = JSON.stringify({
    analysisVersion,
    decode: config.decode,
    detect: config.detect,
    align: config.align,
    // Which identity models ran (fused adds descriptors) and the test-time flip change the faces.
    embed: config.embed,
  });
  return createHash('sha256').update(modelSetId).update(relevant).digest('hex').slice(0, 16);
};
