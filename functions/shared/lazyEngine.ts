import { analysisNamespace } from '../../core/analysis/analysisKey.js';
import { FaceEngine } from '../../core/FaceEngine.js';
import type { PhotoAnalyzer } from '../../core/runtime/PhotoAnalyzer.js';

let engine: Promise<FaceEngine> | undefined;

/**
 * One engine per container, created on first use (not at import, so a cold start that only
 * writes an error line pays nothing). Models come from MESPOTTER_MODELS_DIR (the models layer).
 * Default settings: the faces index namespace that verify computes assumes them.
 */
export const getEngine = (): Promise<FaceEngine> => {
  engine ??= FaceEngine.create().catch((error: unknown) => {
    engine = undefined;
    throw error;
  });
  return engine;
};

export const engineNamespace = (e: PhotoAnalyzer): string => analysisNamespace(e.modelSetId, e.config);
