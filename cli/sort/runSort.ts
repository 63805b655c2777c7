import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pLimit from 'p-limit';
import { analyzePhoto } from '../../core/analysis/analyzePhoto.js';
import type { FacesIndex } from '../../core/analysis/FacesIndex.js';
import { ImageError, ImageErrorCode, MespotterError } from '../../core/errors.js';
import { decodeImage, encodeJpeg } from '../../core/image/decode.js';
import { NEAR_MISS_MARGIN } from '../../core/match/defaults.js';
import type { Gallery } from '../../core/match/gallery.js';
import { matchPhoto } from '../../core/match/matchPhoto.js';
import { PhotoStatus, type ResultLine, type RunSummary } from '../../core/report/resultLine.js';
import type { PhotoAnalyzer } from '../../core/runtime/PhotoAnalyzer.js';
import type { ReviewedDecision, TeacherCascade } from '../../core/teacher/TeacherCascade.js';
import type { TeacherSource } from '../../core/teacher/types.js';
import type { ProgressSink } from '../progress.js';
import { RunReport, type Thumbnail } from '../report/RunReport.js';
import { copyMatch } from './copyMatch.js';
import { walkPhotos } from './walkPhotos.js';

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
}

const THUMB_SIDE = 360;

/**
 * The main job: every photo under `input` is analysed (or taken from the faces index), decided
 * against the person's gallery, copied to OUT/<relative path> when it matches, and written to
 * the report with its status. One bad file never stops the run.
 */
export const runSort = async (
  engine: PhotoAnalyzer,
  o: SortOptions,
): Promise<{ summary: RunSummary; reportDir: string }> => {
  const input = resolve(o.input);
  const output = resolve(o.output);
  const inputStat = await stat(input).catch(() => undefined);
  if (!inputStat?.isDirectory()) throw new MespotterError('input_error', `input folder not found: ${input}`);
  if (input === output)
    throw new MespotterError('input_error', 'the output folder must differ from the input folder');
  const reportDir = resolve(o.reportDir ?? join(output, '.mespotter'));
  const report = await RunReport.open(reportDir, {
    runId: randomUUID(),
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

  for await (const entry of walkPhotos(input, exclude)) {
    if (entry.kind === 'skipped') {
      await finishOne({
        ...base,
        path: entry.rel,
        status: PhotoStatus.Skipped,
        reason: entry.reason,
        code: 'skipped',
      });
      continue;
    }
    if (entry.kind === 'error') {
      await finishOne({
        ...base,
        path: entry.rel,
        status: PhotoStatus.Error,
        reason: entry.reason,
        code: entry.code,
      });
      continue;
    }
    const task = limit(async () => {
      const { line, bytes } = await processPhoto(engine, o, entry.path, entry.rel, join(output, entry.rel));
      const thumbnail = bytes && report.wantsThumbnail(line) ? await makeThumbnail(bytes, engine) : undefined;
      await finishOne(line, thumbnail);
    });
    const tracked = task.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    // Bound the queue: millions of files must not become millions of pending promises.
    if (inFlight.size >= o.lanes * 4) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  o.progress.stop();
  const summary = await report.close();
  return { summary, reportDir };
};

const processPhoto = async (
  engine: PhotoAnalyzer,
  o: SortOptions,
  path: string,
  rel: string,
  destination: string,
): Promise<{ line: ResultLine; bytes?: Uint8Array }> => {
  const started = performance.now();
  const base = { path: rel, person: o.gallery.person, threshold: o.threshold, faces: [] };
  let bytes: Uint8Array;
  try {
    bytes = await readPhoto(path, engine.config.decode.maxFileBytes);
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
      const copy = await copyMatch(path, destination, sha256, o.dryRun);
      line.copy = { ...copy, destination };
    }
    line.ms = Math.round(performance.now() - started);
    return { line, bytes };
  } catch (error) {
    return { line: { ...base, status: PhotoStatus.Error, ...errorFields(error) } };
  }
};

/** Reads a photo after checking its size, translating file-system failures into reasons. */
const readPhoto = async (path: string, maxBytes: number): Promise<Uint8Array> => {
  try {
    const s = await stat(path);
    if (s.size === 0) throw new ImageError(ImageErrorCode.Empty, 'empty file (0 bytes)');
    if (s.size > maxBytes) {
      throw new ImageError(ImageErrorCode.TooLarge, `file too large: ${s.size} bytes exceeds ${maxBytes}`);
    }
    return await readFile(path);
  } catch (error) {
    if (error instanceof ImageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ImageError(ImageErrorCode.Vanished, 'file disappeared during the run', { cause: error });
    }
    throw new ImageError(ImageErrorCode.Unreadable, `cannot read file: ${(error as Error).message}`, {
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
