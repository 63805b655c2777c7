import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the built models live: MESPOTTER_MODELS_DIR (Lambda layer, container), else the
 * nearest `layers/models` above this module, which works from source (tests) and from dist/.
 */
export const defaultModelsDir = (): string => {
  const fromEnv = process.env['MESPOTTER_MODELS_DIR'];
  if (fromEnv) return fromEnv;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'layers', 'models');
    if (existsSync(join(candidate, 'manifest.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return join(process.cwd(), 'layers', 'models');
    dir = parent;
  }
};
