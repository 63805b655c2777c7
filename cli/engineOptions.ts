import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { analysisNamespace } from '../core/analysis/analysisKey.js';
import { resolveEngineConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { FaceEngine, type FaceEngineOptions } from '../core/FaceEngine.js';
import { analyzeIntoLibrary } from '../core/library/analyzeIntoLibrary.js';
import { resolveLibrary } from '../core/library/defaultLibraryPath.js';
import { Library } from '../core/library/Library.js';
import { defaultModelsDir } from '../core/models/defaultModelsDir.js';
import { readManifest, sha256Hex } from '../core/models/manifest.js';
import { EnginePool } from '../core/runtime/EnginePool.js';
import type { PhotoAnalyzer } from '../core/runtime/PhotoAnalyzer.js';
import type { ImageAnalysis } from '../core/types.js';
import { strictNumber } from '../core/util/strictNumber.js';

export interface EngineCliOptions {
  models?: string;
  lanes?: number;
  minFace?: number;
  library?: string;
  /** false with --no-cache: re-analyse every photo. */
  cache?: boolean;
}

export const parsePositiveInt = (v: string): number => {
  const n = strictNumber(v);
  if (n === undefined || !Number.isInteger(n) || n <= 0)
    throw new ConfigError(`expected a positive integer, got "${v}"`);
  return n;
};

/** Lanes beyond a few per core only add memory (each is an engine in a worker thread). */
export const maxLanes = (): number => 4 * availableParallelism();

export const parseLanes = (v: string): number => {
  const n = parsePositiveInt(v);
  if (n > maxLanes())
    throw new ConfigError(
      `--lanes ${n} is too many for ${availableParallelism()} CPU cores (at most ${maxLanes()}; the default is one per core)`,
    );
  return n;
};

export const parseThreshold = (v: string): number => {
  const n = strictNumber(v);
  if (n === undefined || n < -1 || n > 1) throw new ConfigError(`threshold must be in -1..1, got "${v}"`);
  return n;
};

/** Options every command that runs the engine shares. */
export const addEngineOptions = (cmd: Command): Command =>
  cmd
    .option('--models <dir>', 'model folder (default: layers/models, or $MESPOTTER_MODELS_DIR)')
    .option(
      '--lanes <n>',
      'photos analysed concurrently (default: CPU cores; at most 4 per core)',
      parseLanes,
    )
    .option(
      '--min-face <px>',
      'smallest face height to find, in original pixels (default 48)',
      parsePositiveInt,
    )
    .option(
      '--library <path>',
      'people library (default $MESPOTTER_LIBRARY, else ~/.local/share/mespotter/library.db)',
    )
    .option('--no-cache', 'analyse every photo again instead of reusing the analyses in the library');

const engineOptions = (o: EngineCliOptions): FaceEngineOptions => ({
  ...(o.models ? { modelsDir: o.models } : {}),
  config: {
    ...(o.lanes ? { runtime: { lanes: o.lanes } } : {}),
    ...(o.minFace ? { detect: { minFaceSize: o.minFace } } : {}),
  },
});

/**
 * The engine for a command: in-process for a handful of photos, a pool of worker threads (one
 * per lane) for folders, where using every core is what makes it fast.
 */
export const createEngine = async (o: EngineCliOptions, manyPhotos = false): Promise<PhotoAnalyzer> => {
  const options = engineOptions(o);
  const lanes = resolveEngineConfig(options.config).runtime.lanes;
  return manyPhotos && lanes > 1 ? EnginePool.create(lanes, options) : FaceEngine.create(options);
};

/** What identifies an engine's analyses, without loading its models. */
export type EngineIdentity = Pick<PhotoAnalyzer, 'modelSetId' | 'config'>;

/** Where analyses of this engine live in the library: its model set, settings and code version. */
export const engineNamespace = (engine: EngineIdentity): string =>
  analysisNamespace(engine.modelSetId, engine.config);

/**
 * The identity of the engine a command would run (model set from the manifest, settings from the
 * flags) for commands that read the library but never analyse a photo: no model is loaded.
 */
export const engineIdentity = async (o: EngineCliOptions): Promise<EngineIdentity> => {
  const options = engineOptions(o);
  const manifest = await readManifest(options.modelsDir ?? defaultModelsDir());
  return { modelSetId: manifest.modelSetId, config: resolveEngineConfig(options.config) };
};

/** The library a command works on (--library, $MESPOTTER_LIBRARY, the XDG default). */
export const openLibrary = (o: { library?: string }, readonly = false): Library => {
  const at = resolveLibrary(o.library);
  return Library.open(at.path, {
    readonly,
    createFolder: at.isDefault,
    onBadFace: (message) => console.warn(`warning: ${message}`),
  });
};

/**
 * Commands that only measure (compare, calibrate, teacher) keep the analyses they make out of the
 * user's library unless one is named explicitly: benchmark photos are not the user's collection.
 */
export const explicitLibrary = (o: { library?: string }): Library | undefined =>
  o.library !== undefined || process.env['MESPOTTER_LIBRARY'] ? openLibrary(o) : undefined;

/** Analyses photo bytes through the library when there is one, else with the engine alone. */
export const analysisSource =
  (engine: PhotoAnalyzer, library: Library | undefined, reuse = true) =>
  async (bytes: Uint8Array): Promise<{ sha256: string; analysis: ImageAnalysis; cached: boolean }> => {
    if (library) return analyzeIntoLibrary(engine, library, engineNamespace(engine), bytes, { reuse });
    return { sha256: sha256Hex(bytes), analysis: await engine.analyze(bytes), cached: false };
  };
