import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import pLimit from 'p-limit';
import { removeStaleTemps } from '../../core/fs/removeStaleTemps.js';
import { LibraryStop } from '../photos/LibraryStop.js';
import { photoInputs } from '../photos/photoInputs.js';
import { type TagRunSummary, TagSummary } from './TagSummary.js';
import { type TagContext, type TaggedPhoto, TagStatus, tagPhoto } from './tagPhoto.js';

export interface RunTagOptions {
  /** Photos analysed and written concurrently (the engine's lanes; exiftool queues its own work). */
  lanes: number;
  /** Aborted (Ctrl-C): take no new photo; those in flight finish, their writes included. */
  signal?: AbortSignal;
  /** Each photo's outcome, in input order. */
  onPhoto: (photo: TaggedPhoto) => void;
}

/**
 * Removes the temporaries a killed `tag` left beside the photos it is about to tag (its own process
 * writes none yet): under each folder given, beside each file given. Only those of dead processes.
 */
const removeKilledRunsTemps = async (inputs: readonly string[]): Promise<void> => {
  for (const input of inputs) {
    const abs = resolve(input);
    const s = await stat(abs).catch(() => undefined);
    if (s?.isDirectory()) await removeStaleTemps(abs);
    else if (s) await removeStaleTemps(dirname(abs), { recursive: false });
  }
};

/**
 * `tag` over the inputs (files, folders walked): every photo analysed, decided and written as it
 * comes, a bounded number in flight, each reported in input order. One bad photo never stops it; a
 * library that fails under it (disk full, corrupt) does, with that one error.
 */
export const runTag = async (
  ctx: TagContext,
  inputs: readonly string[],
  o: RunTagOptions,
): Promise<TagRunSummary> => {
  if (!ctx.write.dryRun) await removeKilledRunsTemps(inputs);
  const summary = new TagSummary();
  const limit = pLimit(Math.max(1, o.lanes * 2));
  const pending = new Set<Promise<void>>();
  let printing = Promise.resolve();
  const finish = (photo: TaggedPhoto): void => {
    summary.add(photo);
    o.onPhoto(photo);
  };
  const stop = new LibraryStop();
  for await (const item of photoInputs(inputs)) {
    if (o.signal?.aborted || stop.stopped) break;
    const work: Promise<TaggedPhoto | undefined> =
      'file' in item
        ? limit(() => (stop.stopped ? undefined : tagPhoto(ctx, item.file, item.shown))).catch(
            (error: unknown) => {
              if (!stop.caught(error)) throw error;
              return undefined;
            },
          )
        : Promise.resolve({
            path: item.shown,
            status: TagStatus.Failed,
            faces: [],
            warnings: [],
            code: item.code,
            reason: item.reason,
          });
    printing = printing.then(async () => {
      const photo = await work;
      if (photo) finish(photo);
    });
    const tracked = printing.finally(() => pending.delete(tracked));
    pending.add(tracked);
    // Bounded: a folder of a million photos must not become a million pending promises.
    if (pending.size >= o.lanes * 4) await Promise.race(pending);
  }
  await printing;
  stop.rethrow();
  return summary.summary(Boolean(o.signal?.aborted));
};
