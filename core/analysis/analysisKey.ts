import { createHash } from 'node:crypto';
import type { EngineConfig } from '../config.js';

/**
 * Namespace of the faces index: analyses are reusable only for the same models and the same
 * detection/alignment settings. Runtime settings (threads, lanes) do not change results.
 */
export const analysisNamespace = (modelSetId: string, config: EngineConfig): string => {
  const relevant = JSON.stringify({ decode: config.decode, detect: config.detect, align: config.align });
  const h = createHash('sha256').update(modelSetId).update(relevant).digest('hex').slice(0, 16);
  return h;
};
