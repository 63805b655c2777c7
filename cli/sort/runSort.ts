import { lstat, mkdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pLimit from 'p-limit';
import { analyzePhoto } from '../../core/analysis/analyzePhoto.js';
import type { FacesIndex } from '../../core/analysis/FacesIndex.js';
import { FolderError, ImageError, ImageErrorCode, MespotterError } from '../../core/errors.js';
import { describeFsError } from '../../core/fs/describeFsError.js';
import { FolderLock } from '../../core/fs/FolderLock.js';
import { type FsPath, joinPath } from '../../core/fs/pathBytes.js';
import { removeStaleTemps } from '../../core/fs/removeStaleTemps.js';
import { decodeImage, encodeJpeg } from '../../core/image/decode.js';
import { NEAR_MISS_MARGIN } from '../../core/match/defaults.js';
import type { Gallery } from '../../core/match/gallery.js';
import { matchPhoto } from '../../core/match/matchPhoto.js';
import { PhotoStatus, type ResultLine, type RunSummary } from '../../core/report/resultLine.js';
import type { PhotoAnalyzer } from '../../core/runtime/PhotoAnalyzer.js';
import type { ReviewedDecision, TeacherCascade } from '../../core/teacher/TeacherCascade.js';
import type { TeacherSource } from '../../core/teacher/types.js';
import type { ProgressSink } from '../progress.js';
import { newRunId, ReportFolder } from '../report/ReportFolder.js';
import { RunReport, type Thumbnail } from '../report/RunReport.js';
import { copyMatch } from './copyMatch.js';
import { type WalkEntry, walkPhotos } from './walkPhotos.js';

export interface SortOptions {
  input: string;
  output: string;
  gallery: Gallery;
  threshold: number;
  dryRun: boolean;
  /** Report folder; defaults to OUT/.mespotter. */
  reportDir?: string;
  index?: FacesIndex;
  lanes: number;
  progress: ProgressSink;
  /** Gray-zone teacher cascade and the reference it compares against; absent: all decisions local. */
  teacher?: { cascade: TeacherCascade; source: TeacherSource };
  /** Aborted (Ctrl-C): take no new photo, finish those in flight, write the report. */
  signal?: AbortSignal;
  /** The command line, recorded in the lock so a refused second run can name this one. */
  command?: string;
}

export interface SortResult {
  summary: RunSummary;
  /** The report folder holding index.html and runs/. */
  reportDir: string;
  /** This run's own folder: results.jsonl, summary.json, report.html. */
  runDir: string;
}

const THUMB_SIDE = 360;

/** Makes sure the output folder exists and is a folder, with one clear message when it cannot be. */
const prepareOutput = async (output: string): Promise<void> => {
  const s = await lstat(output).catch(() => undefined);
  if (s && !s.isDirectory() && !(await stat(output).catch(() => undefined))?.isDirectory()) {
    throw new FolderError(`output path ${output} exists and is not a folder`);
  }
  try {
    await mkdir(output, { recursive: true });
  } catch (error) {
    throw new FolderError(`cannot create the output folder ${output}: ${describeFsError(error)}`, {
      cause: error,
    });
  }
};

/** The folder's lock, with a folder problem (read-only, not writable) as one clear usage error. */
const lockFolder = async (dir: string, command: string): Promise<FolderLock> => {
  try {
    return await FolderLock.acquire(dir, command);
  } catch (error) {
    if (error instanceof MespotterError) throw error;
    throw new FolderError(`cannot write to ${dir}: ${describeFsError(error)}`, { cause: error });
  }
};

/** The folders of one sort run, checked and locked before any model is loaded. */
export interface SortFolders {
  input: string;
  output: string;
  reportDir: string;
  folder: ReportFolder;
  locks: readonly FolderLock[];
  release(): void;
}

/**
 * Checks the input, prepares the output and report folders and takes their locks, so a second run
 * into the same folders is refused at once and a bad folder costs no model loading.
 */
export const prepareSortFolders = async (o: {
  input: string;
  output: string;
  reportDir?: string;
  dryRun: boolean;
  command?: string;
}): Promise<SortFolders> => {
  const input = resolve(o.input);
  const output = resolve(o.output);
  const inputStat = await stat(input).catch(() => undefined);
  if (!inputStat?.isDirectory()) throw new FolderError(`input folder not found: ${input}`);
  if (input === output) throw new FolderError('the output folder must differ from the input folder');
  const defaultReport = join(output, '.mespotter');
  const reportDir = resolve(o.reportDir ?? defaultReport);
  if (!o.dryRun) await prepareOutput(output);
  const folder = await ReportFolder.open(reportDir, { input, isDefault: reportDir === defaultReport });
  const command = o.command ?? 'mespotter sort';
  const locks: FolderLock[] = [];
  const release = (): void => {
    for (const lock of locks) lock.release();
  };
  try {
    if (!o.dryRun) locks.push(await lockFolder(output, command));
    if (reportDir !== output) locks.push(await lockFolder(reportDir, command));
    // With the lock held, any temporary under OUT is a killed run's leftover.
    if (!o.dryRun) await removeStaleTemps(output);
  } catch (error) {
    release();
    throw error;
  }
  return { input, output, reportDir, folder, locks, release };
};

/**
 * The main job: every photo under `input` is analysed (or taken from the faces index), decided
 * against the person's gallery, copied to OUT/<relative path> when it matches, and written to
 * the report with its status. One bad file never stops the run; Ctrl-C stops it cleanly.
 * `folders` from prepareSortFolders (the caller releases them); without, they are prepared here.
 */
export const runSort = async (
  engine: PhotoAnalyzer,
  o: SortOptions,
  prepared?: SortFolders,
): Promise<SortResult> => {
  const folders = prepared ?? (await prepareSortFolders(o));
  const { input, output, reportDir, folder } = folders;
  try {
    const runId = newRunId();
    const runDir = await folder.createRunDir(runId);
    const report = await RunReport.open(runDir, {
      runId,
      person: o.gallery.person,
      threshold: o.threshold,
      modelSetId: engine.modelSetId,
      input,
      output,
      dryRun: o.dryRun,
      nearMissMargin: NEAR_MISS_MARGIN,
    });
    const exclude = [output, reportDir];

    // Count first so progress can show an ETA; listing is cheap next to analysis.
    let total = 0;
    for await (const _ of walkPhotos(input, exclude)) total++;
    o.progress.start(total);

    // Two photos per lane: one being analysed, one being read, hashed or copied on this thread.
    const limit = pLimit(o.lanes * 2);
    const inFlight = new Set<Promise<void>>();
    let done = 0;
    let matched = 0;
    const finishOne = async (line: ResultLine, thumbnail?: Thumbnail): Promise<void> => {
      await report.add(line, thumbnail);
      done++;
      if (line.status === PhotoStatus.Matched) matched++;
      o.progress.update(done, matched);
    };
    const base = { person: o.gallery.person, threshold: o.threshold, faces: [] };
    const pathFields = (e: WalkEntry) => ({
      path: e.rel,
      ...(e.rawRel ? { rawPath: e.rawRel.toString('base64') } : {}),
    });

    for await (const entry of walkPhotos(input, exclude)) {
      if (o.signal?.aborted) break;
      if (entry.kind === 'skipped') {
        await finishOne({
          ...base,
          ...pathFields(entry),
          status: PhotoStatus.Skipped,
          reason: entry.reason,
          code: 'skipped',
        });
        continue;
      }
      if (entry.kind === 'error') {
        await finishOne({
          ...base,
          ...pathFields(entry),
          status: PhotoStatus.Error,
          reason: entry.reason,
          code: entry.code,
        });
        continue;
      }
      const destination = joinPath(output, entry.rawRel ?? entry.rel);
      const task = limit(async () => {
        // Queued before Ctrl-C but not started: leave it for the next run.
        if (o.signal?.aborted) return;
        const { line, bytes } = await processPhoto(engine, o, entry.path, pathFields(entry), destination);
        const thumbnail =
          bytes && report.wantsThumbnail(line) ? await makeThumbnail(bytes, engine) : undefined;
        await finishOne(line, thumbnail);
      });
      const tracked = task.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      // Bound the queue: millions of files must not become millions of pending promises.
      if (inFlight.size >= o.lanes * 4) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    o.progress.stop();
    const interrupted = Boolean(o.signal?.aborted) && done < total;
    const summary = await report.close({ expected: total, interrupted });
    await folder.writeIndex();
    return { summary, reportDir, runDir };
  } finally {
    if (!prepared) folders.release();
  }
};

const processPhoto = async (
  engine: PhotoAnalyzer,
  o: SortOptions,
  path: FsPath,
  pathFields: { path: string; rawPath?: string },
  destination: FsPath,
): Promise<{ line: ResultLine; bytes?: Uint8Array }> => {
  const started = performance.now();
  const base = { ...pathFields, person: o.gallery.person, threshold: o.threshold, faces: [] };
  let bytes: Uint8Array;
  let mtime: Date;
  let atime: Date;
  try {
    ({ bytes, mtime, atime } = await readPhoto(path, engine.config.decode.maxFileBytes));
  } catch (error) {
    return { line: { ...base, status: PhotoStatus.Error, ...errorFields(error) } };
  }
  try {
    const { sha256, analysis, cached } = await analyzePhoto(engine, bytes, o.index);
    const local = matchPhoto(analysis, o.gallery, o.threshold);
    const decision: ReviewedDecision = o.teacher
      ? await o.teacher.cascade.review({
          analysis,
          decision: local,
          source: o.teacher.source,
          image: { kind: 'bytes', bytes },
        })
      : local;
    const line: ResultLine = {
      ...base,
      status: decision.status,
      width: analysis.width,
      height: analysis.height,
      sha256,
      faces: decision.faces,
      bestScore: decision.bestScore,
      cached,
      ...(decision.teacher ? { teacher: decision.teacher } : {}),
    };
    if (decision.status === PhotoStatus.Matched) {
      // The analysed bytes are what is copied, so the copy always has the line's sha256.
      line.copy = await copyMatch(bytes, destination, { sha256, mtime, atime, dryRun: o.dryRun });
    }
    line.ms = Math.round(performance.now() - started);
    return { line, bytes };
  } catch (error) {
    return { line: { ...base, status: PhotoStatus.Error, ...errorFields(error) } };
  }
};

/** Reads a photo after checking its size, translating file-system failures into reasons. */
const readPhoto = async (
  path: FsPath,
  maxBytes: number,
): Promise<{ bytes: Uint8Array; mtime: Date; atime: Date }> => {
  try {
    const s = await stat(path);
    if (s.size === 0) throw new ImageError(ImageErrorCode.Empty, 'empty file (0 bytes)');
    if (s.size > maxBytes) {
      throw new ImageError(ImageErrorCode.TooLarge, `file too large: ${s.size} bytes exceeds ${maxBytes}`);
    }
    return { bytes: await readFile(path), mtime: s.mtime, atime: s.atime };
  } catch (error) {
    if (error instanceof ImageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ImageError(ImageErrorCode.Vanished, 'file disappeared during the run', { cause: error });
    }
    throw new ImageError(ImageErrorCode.Unreadable, `cannot read file: ${describeFsError(error)}`, {
      cause: error,
    });
  }
};

const errorFields = (error: unknown): { code: string; reason: string } =>
  error instanceof MespotterError
    ? { code: error.code, reason: error.message }
    : { code: 'internal_error', reason: error instanceof Error ? error.message : String(error) };

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
