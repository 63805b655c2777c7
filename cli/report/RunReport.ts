import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { writeFileAtomic } from '../../core/fs/writeFileAtomic.js';
import { CopyOutcome, PhotoStatus, type ResultLine, type RunSummary } from '../../core/report/resultLine.js';
import { addTeacherUsage, type TeacherUsage } from '../../core/teacher/teacherLine.js';
import { renderContactSheet, type SheetEntry, SheetKind } from './contactSheet.js';

export interface RunReportMeta {
  runId: string;
  person: string;
  threshold: number;
  modelSetId: string;
  input: string;
  output: string;
  dryRun: boolean;
  /** A no_match photo whose best score is within this of the threshold goes to the review grid. */
  nearMissMargin?: number;
  /** Most near misses kept for the contact sheet (the highest scoring ones). Matches are never capped. */
  maxSheetEntries?: number;
}

export interface RunCounts {
  total: number;
  byStatus: Record<PhotoStatus, number>;
  copies: Record<CopyOutcome, number>;
  errorsByCode: Record<string, number>;
  cacheHits: number;
}

export interface Thumbnail {
  jpeg: Buffer;
  width: number;
  height: number;
}

export const defaultNearMissMargin = 0.08;
export const defaultMaxSheetEntries = 500;

/** Scores are shown with 2 decimals; this keeps `threshold - margin` float noise from dropping a boundary case. */
const scoreEpsilon = 1e-9;

/** Error code counted for an error line that carries none. */
const unknownErrorCode = 'unknown';

interface HeldEntry {
  entry: SheetEntry;
  /** Settles once the thumbnail is on disk (or failed); eviction waits for it before deleting the file. */
  thumbWritten?: Promise<void>;
}

function zeroed<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

/** Owns one run's report directory: results.jsonl as lines arrive, then summary.json and report.html. */
export class RunReport {
  readonly dir: string;
  readonly meta: Readonly<RunReportMeta>;

  private readonly stream: WriteStream;
  private readonly startedAt = new Date();
  private readonly nearMissMargin: number;
  private readonly maxNearMisses: number;

  private readonly byStatus = zeroed(Object.values(PhotoStatus));
  private readonly copies = zeroed(Object.values(CopyOutcome));
  private readonly errorsByCode: Record<string, number> = {};
  private total = 0;
  private cacheHits = 0;
  private teacher: TeacherUsage | undefined;

  private readonly matches: HeldEntry[] = [];
  private readonly nearMisses: HeldEntry[] = [];
  private nextThumb = 0;
  /** Thumbnail writes and deletions in flight; close waits for all of them. */
  private readonly pending = new Set<Promise<unknown>>();

  /** One shared wait per drain, so many concurrent adds do not each add a listener. */
  private drained: Promise<void> | undefined;
  private failure: Error | undefined;
  private closing: Promise<RunSummary> | undefined;

  private constructor(dir: string, meta: RunReportMeta, stream: WriteStream) {
    this.dir = dir;
    this.meta = meta;
    this.stream = stream;
    this.nearMissMargin = meta.nearMissMargin ?? defaultNearMissMargin;
    this.maxNearMisses = Math.max(0, Math.floor(meta.maxSheetEntries ?? defaultMaxSheetEntries));
    // A persistent listener: a stream error with no listener would crash the process.
    stream.on('error', (err) => {
      this.failure ??= err;
    });
  }

  /** `dir` is this run's own new folder (ReportFolder.createRunDir): nothing in it predates the run. */
  static async open(dir: string, meta: RunReportMeta): Promise<RunReport> {
    await mkdir(join(dir, 'thumbs'));
    const stream = createWriteStream(join(dir, 'results.jsonl'), { flags: 'wx', encoding: 'utf8' });
    // Surface EACCES and friends here rather than on the first add.
    await once(stream, 'open');
    return new RunReport(dir, meta, stream);
  }

  /** True when `add` would keep a thumbnail for this line, so the caller can skip making one. */
  wantsThumbnail(line: ResultLine): boolean {
    if (line.status === PhotoStatus.Matched) return true;
    if (!this.isNearMiss(line)) return false;
    if (this.nearMisses.length < this.maxNearMisses) return true;
    const lowest = this.lowestNearMiss();
    return lowest !== undefined && (line.bestScore ?? -Infinity) > (lowest.entry.bestScore ?? -Infinity);
  }

  /**
   * Appends one results line. Resolves when it is safe to write more (stream drained) and
   * the thumbnail, if kept, is on disk. Lines land in the file in the order of the calls.
   */
  async add(line: ResultLine, thumbnail?: Thumbnail): Promise<void> {
    if (this.closing) throw new Error('RunReport: add after close');
    if (this.failure) throw this.failure;

    const ok = this.stream.write(`${JSON.stringify(line)}\n`);
    this.count(line);

    const held = this.hold(line);
    if (held && thumbnail) this.storeThumbnail(held, thumbnail);

    const waits: Promise<unknown>[] = [];
    if (!ok) waits.push(this.waitForDrain());
    if (held?.thumbWritten) waits.push(held.thumbWritten);
    await Promise.all(waits);
  }

  counts(): RunCounts {
    return {
      total: this.total,
      byStatus: { ...this.byStatus },
      copies: { ...this.copies },
      errorsByCode: { ...this.errorsByCode },
      cacheHits: this.cacheHits,
    };
  }

  /**
   * Ends results.jsonl and writes summary.json and report.html. `interrupted`: the run stopped
   * early, after `expected` files were found. Calling it again returns the same result.
   */
  close(end: { interrupted?: boolean; expected?: number } = {}): Promise<RunSummary> {
    this.closing ??= this.finish(end);
    return this.closing;
  }

  private async finish(end: { interrupted?: boolean; expected?: number }): Promise<RunSummary> {
    this.stream.end();
    await finished(this.stream);
    await Promise.allSettled([...this.pending]);
    if (this.failure) throw this.failure;

    const finishedAt = new Date();
    const seconds = (finishedAt.getTime() - this.startedAt.getTime()) / 1000;
    const summary: RunSummary = {
      runId: this.meta.runId,
      person: this.meta.person,
      threshold: this.meta.threshold,
      modelSetId: this.meta.modelSetId,
      input: this.meta.input,
      output: this.meta.output,
      dryRun: this.meta.dryRun,
      startedAt: this.startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      seconds,
      photosPerSecond: seconds > 0 ? this.total / seconds : 0,
      total: this.total,
      counts: { ...this.byStatus },
      copies: { ...this.copies },
      errorsByCode: { ...this.errorsByCode },
      cacheHits: this.cacheHits,
      // maxRSS is in KiB.
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      ...(this.teacher ? { teacher: this.teacher } : {}),
      ...(end.expected !== undefined ? { expected: end.expected } : {}),
      ...(end.interrupted ? { interrupted: true } : {}),
    };
    await writeFileAtomic(join(this.dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    await writeFileAtomic(join(this.dir, 'report.html'), renderContactSheet(summary, this.sheetEntries()));
    return summary;
  }

  /** Matches by path (arrival order depends on concurrency), near misses best first. */
  private sheetEntries(): SheetEntry[] {
    const matches = this.matches
      .map((h) => h.entry)
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const nearMisses = this.nearMisses
      .map((h) => h.entry)
      .sort((a, b) => (b.bestScore ?? -Infinity) - (a.bestScore ?? -Infinity));
    return [...matches, ...nearMisses];
  }

  private waitForDrain(): Promise<void> {
    // `once` rejects if the stream errors while we wait.
    this.drained ??= once(this.stream, 'drain').then(
      () => {
        this.drained = undefined;
      },
      (err: unknown) => {
        this.drained = undefined;
        throw err;
      },
    );
    return this.drained;
  }

  private count(line: ResultLine): void {
    this.total += 1;
    this.byStatus[line.status] += 1;
    if (line.copy) this.copies[line.copy.outcome] += 1;
    if (line.status === PhotoStatus.Error) {
      const code = line.code ?? unknownErrorCode;
      this.errorsByCode[code] = (this.errorsByCode[code] ?? 0) + 1;
    }
    if (line.cached) this.cacheHits += 1;
    this.teacher = addTeacherUsage(this.teacher, line.teacher);
  }

  private isNearMiss(line: ResultLine): boolean {
    return (
      line.status === PhotoStatus.NoMatch &&
      line.bestScore !== undefined &&
      line.bestScore >= line.threshold - this.nearMissMargin - scoreEpsilon
    );
  }

  private lowestNearMiss(): HeldEntry | undefined {
    let lowest: HeldEntry | undefined;
    for (const held of this.nearMisses) {
      if (!lowest || (held.entry.bestScore ?? -Infinity) < (lowest.entry.bestScore ?? -Infinity))
        lowest = held;
    }
    return lowest;
  }

  /** Keeps the line for the contact sheet if it belongs there, evicting the weakest near miss when full. */
  private hold(line: ResultLine): HeldEntry | undefined {
    let kind: SheetKind;
    if (line.status === PhotoStatus.Matched) {
      kind = SheetKind.Match;
    } else if (this.isNearMiss(line) && this.maxNearMisses > 0) {
      kind = SheetKind.NearMiss;
      if (this.nearMisses.length >= this.maxNearMisses) {
        const lowest = this.lowestNearMiss();
        // Ties keep the earlier one.
        if (!lowest || (line.bestScore ?? -Infinity) <= (lowest.entry.bestScore ?? -Infinity))
          return undefined;
        this.nearMisses.splice(this.nearMisses.indexOf(lowest), 1);
        this.discardThumbnail(lowest);
      }
    } else {
      return undefined;
    }
    const held: HeldEntry = {
      entry: {
        kind,
        path: line.path,
        width: line.width,
        height: line.height,
        bestScore: line.bestScore,
        faces: line.faces,
        copy: line.copy?.outcome,
      },
    };
    (kind === SheetKind.Match ? this.matches : this.nearMisses).push(held);
    return held;
  }

  private storeThumbnail(held: HeldEntry, thumbnail: Thumbnail): void {
    const rel = `thumbs/${this.nextThumb++}.jpg`;
    held.entry.thumb = rel;
    held.entry.thumbWidth = thumbnail.width;
    held.entry.thumbHeight = thumbnail.height;
    const write = writeFile(join(this.dir, rel), thumbnail.jpeg).catch((err: unknown) => {
      // The card falls back to "no thumbnail" rather than pointing at a missing file.
      held.entry.thumb = undefined;
      throw err;
    });
    held.thumbWritten = write;
    this.track(write);
  }

  private discardThumbnail(held: HeldEntry): void {
    const rel = held.entry.thumb;
    if (rel === undefined || held.thumbWritten === undefined) return;
    // Wait for the write to settle so the unlink cannot run before it and leave the file behind.
    const removal = held.thumbWritten
      .catch(() => undefined)
      .then(() => unlink(join(this.dir, rel)))
      .catch(() => undefined);
    this.track(removal);
  }

  private track(work: Promise<unknown>): void {
    // Failures surface through `add`; the tracked copy only has to settle.
    const settled = work.catch(() => undefined).finally(() => this.pending.delete(settled));
    this.pending.add(settled);
  }
}
