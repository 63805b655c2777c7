import { FolderLock } from '../core/fs/FolderLock.js';
import { removeLiveTempsSync } from '../core/fs/liveTempFiles.js';
import { ExitCode } from './exitCodes.js';

export interface Interrupt {
  /** Aborted on the first Ctrl-C or SIGTERM: stop taking new work, finish what is in flight. */
  readonly signal: AbortSignal;
  /** Runs at a second signal, synchronously, right before the process exits (release locks). */
  onHardExit(cleanup: () => void): void;
  dispose(): void;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Graceful first, immediate second: the first signal asks the run to stop after the photos in
 * flight and write its report; a second one exits at once, removing temporaries so not even a
 * partial temporary is left (destinations never hold partial files: see placeFile).
 */
export const installInterrupt = (stderr: NodeJS.WritableStream = process.stderr): Interrupt => {
  const controller = new AbortController();
  const cleanups: (() => void)[] = [];
  const onSignal = (): void => {
    if (!controller.signal.aborted) {
      stderr.write('\nstopping after the photos in flight (press Ctrl-C again to quit at once)…\n');
      controller.abort();
      return;
    }
    removeLiveTempsSync();
    // Every folder lock, including one still being taken when the signal came.
    FolderLock.releaseAllSync();
    for (const c of cleanups) {
      try {
        c();
      } catch {
        // Exiting anyway.
      }
    }
    stderr.write('interrupted at once; run the same command again to continue\n');
    process.exit(ExitCode.Interrupted);
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  return {
    signal: controller.signal,
    onHardExit: (cleanup) => {
      cleanups.push(cleanup);
    },
    dispose: () => {
      // After a first signal the process is on its way out (closing the engine, writing the last
      // lines): keep listening so a second Ctrl-C still exits at once instead of killing it mid-write.
      if (controller.signal.aborted) return;
      for (const s of SIGNALS) process.off(s, onSignal);
    },
  };
};
