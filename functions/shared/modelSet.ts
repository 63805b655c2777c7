import { analysisNamespace } from '../../core/analysis/analysisKey.js';
import { resolveEngineConfig } from '../../core/config.js';
import { defaultModelsDir } from '../../core/models/defaultModelsDir.js';
import { readManifest } from '../../core/models/manifest.js';

let modelSetId: Promise<string> | undefined;

/**
 * The model set's id from the models layer's manifest, without loading any model: ingest and
 * verify need the id (galleries, summaries, faces index namespace) but never run inference.
 */
export const readModelSetId = (): Promise<string> => {
  modelSetId ??= readManifest(defaultModelsDir()).then(
    (m) => m.modelSetId,
    (error: unknown) => {
      // Not remembered: the next invocation tries again.
      modelSetId = undefined;
      throw error;
    },
  );
  return modelSetId;
};

/** Faces index namespace of the default engine settings, which is what detect runs with. */
export const defaultNamespace = async (): Promise<string> =>
  analysisNamespace(await readModelSetId(), resolveEngineConfig());
