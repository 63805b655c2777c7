import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { analysisNamespace } from '../core/analysis/analysisKey.js';
import { resolveEngineConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { FaceEngine, type FaceEngineOptions } from '../core/FaceEngine.js';
import { EnginePool } from '../core/runtime/EnginePool.js';
import type { PhotoAnalyzer } from '../core/runtime/PhotoAnalyzer.js';
import { strictNumber } from '../core/util/strictNumber.js';
import { defaultCacheDir, FacesCache } from './cache/FacesCache.js';

export interface EngineCliOptions {
  models?: string;
  lanes?: number;
  minFace?: number;
  cache?: string | false;
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
    .option('--cache <dir>', `faces index folder (default ${defaultCacheDir()})`)
    .option('--no-cache', 'do not read or write the faces index');

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

export const createCache = (engine: PhotoAnalyzer, o: EngineCliOptions): FacesCache | undefined =>
  o.cache === false
    ? undefined
    : new FacesCache(o.cache ?? defaultCacheDir(), analysisNamespace(engine.modelSetId, engine.config));
