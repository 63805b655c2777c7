import { unlinkSync } from 'node:fs';

/**
 * Temporary files being written right now. A second Ctrl-C exits at once; this lets the exit path
 * remove them synchronously so not even a temporary is left behind.
 */
const live = new Set<string | Buffer>();

export const trackTemp = (path: string | Buffer): void => {
  live.add(path);
};

export const untrackTemp = (path: string | Buffer): void => {
  live.delete(path);
};

/** Synchronous on purpose: it runs from a signal handler right before process.exit. */
export const removeLiveTempsSync = (): void => {
  for (const path of live) {
    try {
      unlinkSync(path);
    } catch {
      // Already gone, or never created.
    }
  }
  live.clear();
};
