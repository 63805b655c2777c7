import { errorFields } from '../../core/report/lines.js';
import { type AnalysisContext, analyseFile } from '../photos/analyseFile.js';
import { LibraryStop } from '../photos/LibraryStop.js';
import type { ProgressSink } from '../progress.js';
import { walkPhotos } from '../sort/walkPhotos.js';

export interface IndexSummary {
  roots: string[];
  files: number;
  /** Photos the engine analysed in this run. */
  analysed: number;
  /** Photos the library already held (unchanged file, or the same content elsewhere). */
  reused: number;
  faces: number;
  noFace: number;
  skipped: number;
  errors: number;
  /** Paths seen before under these roots and not found now (moved or deleted). */
  missing: number;
  seconds: number;
  photosPerSecond: number;
  /** Files found under the roots when the run started. */
  expected: number;
  interrupted?: boolean;
}

export interface IndexOptions {
  lanes: number;
  progress: ProgressSink;
  signal?: AbortSignal;
  /** A file that could not be used: one line for the user; the run goes on. */
  onProblem?: (path: string, code: string, reason: string) => void;
}

/**
 * Analyses every photo under `roots` once into the library, a few photos in flight per lane. A
 * photo is committed as soon as it is analysed, so an interrupted run keeps what it did and the
 * next one skips it; a complete pass over a root also marks the paths it no longer found.
 */
export const indexFolders = async (
  ctx: AnalysisContext,
  roots: readonly string[],
  o: IndexOptions,
): Promise<IndexSummary> => {
  const started = Date.now();
  const sum: IndexSummary = {
    roots: [...roots],
    files: 0,
    analysed: 0,
    reused: 0,
    faces: 0,
    noFace: 0,
    skipped: 0,
    errors: 0,
    missing: 0,
    seconds: 0,
    photosPerSecond: 0,
    expected: 0,
  };
  for (const root of roots) for await (const _ of walkPhotos(root)) sum.expected++;
  o.progress.start(sum.expected);
  const slots = Math.max(1, o.lanes * 2);
  const inFlight = new Set<Promise<void>>();
  const problem = (path: string, code: string, reason: string): void => {
    sum.errors++;
    o.onProblem?.(path, code, reason);
  };
  const tick = (): void => o.progress.update(sum.files, sum.faces);
  const stop = new LibraryStop();
  const stopped = (): boolean => Boolean(o.signal?.aborted) || stop.stopped;
  for (const root of roots) {
    if (stopped()) break;
    const since = new Date().toISOString();
    for await (const e of walkPhotos(root)) {
      if (stopped()) break;
      if (e.kind !== 'photo') {
        sum.files++;
        if (e.kind === 'skipped') sum.skipped++;
        else problem(e.rel, e.code, e.reason);
        tick();
        continue;
      }
      const task = (async () => {
        try {
          const fa = await analyseFile(ctx, {
            path: e.path,
            root,
            rel: e.rel,
            ...(e.rawRel ? { rawRel: e.rawRel } : {}),
          });
          if (fa.cached) sum.reused++;
          else sum.analysed++;
          sum.faces += fa.analysis.faces.length;
          if (fa.analysis.faces.length === 0) sum.noFace++;
        } catch (error) {
          if (stop.caught(error)) return;
          const f = errorFields(error);
          problem(e.rel, f.code, f.reason);
        }
        sum.files++;
        tick();
      })();
      const tracked = task.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      if (inFlight.size >= slots) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    // Only a complete pass can say what is gone.
    if (!stopped()) sum.missing += ctx.library.markMissing(root, since);
  }
  await Promise.all(inFlight);
  o.progress.stop();
  stop.rethrow();
  sum.seconds = (Date.now() - started) / 1000;
  sum.photosPerSecond = sum.seconds > 0 ? sum.files / sum.seconds : 0;
  if (o.signal?.aborted && sum.files < sum.expected) sum.interrupted = true;
  return sum;
};
