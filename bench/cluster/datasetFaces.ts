/** Labelled faces of each requested set: from the cache when it is current, else through the engine. */
import { join } from 'node:path';
import { FaceEngine } from '../../core/FaceEngine.js';
import { defaultModelsDir } from '../../core/models/defaultModelsDir.js';
import { readManifest } from '../../core/models/manifest.js';
import { Analyzer } from '../accuracy/analyzer.js';
import { exists } from '../accuracy/images.js';
import { cacheKey, readCachedSet, writeCachedSet } from './embeddingCache.js';
import type { LabelledSet } from './labelledSet.js';
import { type ClusterSetName, loadSet, setFiles } from './loadSets.js';

export interface DatasetFaces {
  sets: LabelledSet[];
  skipped: string[];
  modelSetId: string | null;
  /** Sets read from the cache rather than embedded this run. */
  cached: string[];
  engineMs: number;
}

export const datasetFaces = async (
  datasets: string,
  names: readonly ClusterSetName[],
  cacheDir: string,
  log: (msg: string) => void,
): Promise<DatasetFaces> => {
  const out: DatasetFaces = { sets: [], skipped: [], modelSetId: null, cached: [], engineMs: 0 };
  let engine: FaceEngine | null = null;
  let analyzer: Analyzer | null = null;
  try {
    for (const name of names) {
      const root = join(datasets, name);
      if (!(await exists(root))) {
        out.skipped.push(`${name}: not found at ${root}`);
        continue;
      }
      out.modelSetId ??= (await readManifest(defaultModelsDir())).modelSetId;
      const key = await cacheKey(out.modelSetId, root, await setFiles(name, root));
      const hit = await readCachedSet(cacheDir, name, key);
      if (hit) {
        out.sets.push(hit);
        out.cached.push(name);
        continue;
      }
      // Models are loaded only when some set has to be embedded.
      if (!engine) {
        engine = await FaceEngine.create();
        analyzer = new Analyzer(engine, 2);
      }
      log(`embedding ${name} (cached afterwards in ${cacheDir})…`);
      const set = await loadSet(name, analyzer!, root);
      await writeCachedSet(cacheDir, set, key);
      out.sets.push(set);
    }
  } finally {
    out.engineMs = analyzer?.engineMs ?? 0;
    await engine?.close();
  }
  return out;
};
