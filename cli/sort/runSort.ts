import type { LinkKind } from '../../core/fs/placeLink.js';
import { decodeImage, encodeJpeg } from '../../core/image/decode.js';
import type { Library } from '../../core/library/Library.js';
import { NEAR_MISS_MARGIN } from '../../core/match/defaults.js';
import type { Layout } from '../../core/report/copyPlan.js';
import { errorLine, skippedLine } from '../../core/report/lines.js';
import { PhotoStatus, type ResultLine, type RunSummary } from '../../core/report/resultLine.js';
import type { PhotoAnalyzer } from '../../core/runtime/PhotoAnalyzer.js';
import type { TeacherCascade } from '../../core/teacher/TeacherCascade.js';
import type { TeacherSource } from '../../core/teacher/types.js';
import type { ExifToolSession } from '../../core/xmp/ExifToolSession.js';
import { engineNamespace } from '../engineOptions.js';
import type { LoadedPeople } from '../people/loadPeople.js';
import { LibraryStop } from '../photos/LibraryStop.js';
import type { ProgressSink } from '../progress.js';
import { newRunId } from '../report/ReportFolder.js';
import { RunReport, type Thumbnail } from '../report/RunReport.js';
import { prepareSortFolders, type SortFolders } from './sortFolders.js';
import { sortPhoto } from './sortPhoto.js';
import { type WalkEntry, walkPhotos } from './walkPhotos.js';

export interface SortOptions {
  input: string;
  output: string;
  library: Library;
  people: LoadedPeople;
  layout: Layout;
  dryRun: boolean;
  link?: LinkKind;
  /** Re-analyse every photo (--no-cache) instead of reusing the library's analyses. */
  reuse?: boolean;
  /** Report folder; defaults to OUT/.mespotter. */
  reportDir?: string;
  lanes: number;
  progress: ProgressSink;
  /** Gray-zone teacher cascade and each person's reference for it; absent: all decisions local. */
  teacher?: { cascade: TeacherCascade; sourceFor: (person: string) => TeacherSource | undefined };
  /** Aborted (Ctrl-C): take no new photo, finish those in flight, write the report. */
  signal?: AbortSignal;
  /** The command line, recorded in the lock so a refused second run can name this one. */
  command?: string;
  /** --compare-tags: the exiftool session that reads each photo's face tags. */
  tagSession?: ExifToolSession;
}

export interface SortResult {
  summary: RunSummary;
  /** The report folder holding index.html and runs/. */
  reportDir: string;
  /** This run's own folder: results.jsonl, summary.json, report.html. */
  runDir: string;
}

const THUMB_SIDE = 360;

const pathFields = (e: WalkEntry): { path: string; rawPath?: string } => ({
  path: e.rel,
  ...(e.rawRel ? { rawPath: e.rawRel.toString('base64') } : {}),
});

/**
 * The main job: every photo under `input` is analysed (or taken from the library), decided
 * against everyone enrolled, copied for each searched person found (OUT/<path> or
 * OUT/<person>/<path>), and written to the report with its status. One bad file never stops the
 * run; Ctrl-C stops it cleanly. `prepared`: folders from prepareSortFolders (the caller releases
 * them); without, they are prepared and released here.
 */
export { prepareSortFolders, type SortFolders };

export const runSort = async (
  engine: PhotoAnalyzer,
  o: SortOptions,
  prepared?: SortFolders,
): Promise<SortResult> => {
  const folders = prepared ?? (await prepareSortFolders(o));
  const { input, output, reportDir, folder } = folders;
  try {
    const runKey = newRunId();
    const runDir = await folder.createRunDir(runKey);
    const people = o.people;
    const report = await RunReport.open(runDir, {
      runId: runKey,
      people: people.searched.map((name) => ({
        name,
        threshold: people.thresholds.get(name)!.threshold,
        thresholdSource: people.thresholds.get(name)!.source,
      })),
      modelSetId: engine.modelSetId,
      input,
      output,
      dryRun: o.dryRun,
      nearMissMargin: NEAR_MISS_MARGIN,
    });
    const runId = o.library.startRun(runKey, o.command ?? 'mespotter sort');
    const ctx = {
      engine,
      library: o.library,
      ns: engineNamespace(engine),
      reuse: o.reuse ?? true,
      maxFileBytes: engine.config.decode.maxFileBytes,
      people,
      output,
      layout: o.layout,
      dryRun: o.dryRun,
      ...(o.link ? { link: o.link } : {}),
      runId,
      ...(o.teacher ? { teacher: o.teacher } : {}),
      ...(o.tagSession ? { tagSession: o.tagSession } : {}),
    };
    const exclude = [output, reportDir];

    // Count first so progress can show an ETA; listing is cheap next to analysis.
    let total = 0;
    for await (const _ of walkPhotos(input, exclude)) total++;
    o.progress.start(total);

    let done = 0;
    let matched = 0;
    const finishOne = async (line: ResultLine, thumbnail?: Thumbnail): Promise<void> => {
      await report.add(line, thumbnail);
      done++;
      if (line.status === PhotoStatus.Matched) matched++;
      o.progress.update(done, matched);
    };

    // Two photos per lane: one being analysed, one being read, hashed or copied on this thread.
    const inFlight = new Set<Promise<void>>();
    const slots = Math.max(1, o.lanes * 2);
    const stop = new LibraryStop();
    for await (const entry of walkPhotos(input, exclude)) {
      if (o.signal?.aborted || stop.stopped) break;
      const at = pathFields(entry);
      if (entry.kind === 'skipped') {
        await finishOne(skippedLine(at, entry.reason));
        continue;
      }
      if (entry.kind === 'error') {
        await finishOne({
          ...errorLine(at, new Error(entry.reason)),
          code: entry.code,
          reason: entry.reason,
        });
        continue;
      }
      const task = (async () => {
        const sorted = await sortPhoto(
          ctx,
          {
            path: entry.path,
            root: input,
            rel: entry.rel,
            ...(entry.rawRel ? { rawRel: entry.rawRel } : {}),
          },
          at,
        ).catch((error: unknown) => {
          if (!stop.caught(error)) throw error;
          return undefined;
        });
        if (!sorted) return;
        const { line, bytes } = sorted;
        const thumbnail =
          bytes && report.wantsThumbnail(line) ? await makeThumbnail(bytes, engine) : undefined;
        await finishOne(line, thumbnail);
      })();
      const tracked = task.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      // Bounded: millions of files must not become millions of pending promises.
      if (inFlight.size >= slots) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    o.progress.stop();
    stop.rethrow();
    const interrupted = Boolean(o.signal?.aborted) && done < total;
    const summary = await report.close({ expected: total, interrupted });
    o.library.finishRun(runId, summary);
    await folder.writeIndex();
    return { summary, reportDir, runDir };
  } finally {
    if (!prepared) folders.release();
  }
};

const makeThumbnail = async (bytes: Uint8Array, engine: PhotoAnalyzer): Promise<Thumbnail | undefined> => {
  try {
    const { image } = await decodeImage(bytes, {
      maxSide: THUMB_SIDE,
      maxPixels: engine.config.decode.maxPixels,
    });
    return await encodeJpeg(image, { quality: 80 });
  } catch {
    return undefined;
  }
};
