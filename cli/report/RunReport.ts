import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { writeFileAtomic } from '../../core/fs/writeFileAtomic.js';
import { NEAR_MISS_MARGIN } from '../../core/match/defaults.js';
import { type RunMeta, RunSummaryAccumulator } from '../../core/report/RunSummaryAccumulator.js';
import {
  type CopyOutcome,
  PhotoStatus,
  type ResultLine,
  type RunSummary,
} from '../../core/report/resultLine.js';
import { renderContactSheet } from './contactSheet.js';
import { type NearMiss, nearMisses } from './nearMisses.js';
import {
  LIST_ROW_CAP,
  type SheetList,
  type SheetLists,
  type SheetPhoto,
  type SheetRow,
  type SheetSection,
} from './sheetModel.js';
import { TopK } from './TopK.js';

/** The run's description (the people searched, with their thresholds, …) plus the report's own settings. */
export interface RunReportMeta extends Omit<RunMeta, 'startedAt'> {
  /** An unknown face whose best person scores within this under that person's threshold is a near miss. */
  nearMissMargin?: number;
  /** Most near misses kept per person (the highest scoring ones). Matches are never capped. */
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

export const defaultNearMissMargin = NEAR_MISS_MARGIN;
export const defaultMaxSheetEntries = 500;

/** A photo with at least one card; one thumbnail however many sections show it. */
interface HeldPhoto {
  photo: SheetPhoto;
  /** Cards showing it; when the last near miss card is evicted, the thumbnail is deleted. */
  refs: number;
  /** Settles once the thumbnail is on disk (or failed); deletion waits for it. */
  thumbWritten?: Promise<void>;
}

interface HeldNearMiss {
  held: HeldPhoto;
  near: NearMiss;
}

interface PersonCards {
  matches: HeldPhoto[];
  nearMisses: TopK<HeldNearMiss>;
  nearMissesSeen: number;
}

type ListKey = keyof SheetLists;

const LIST_OF: Partial<Record<PhotoStatus, ListKey>> = {
  [PhotoStatus.NoMatch]: 'noMatch',
  [PhotoStatus.NoFace]: 'noFace',
  [PhotoStatus.Error]: 'error',
  [PhotoStatus.Skipped]: 'skipped',
};

const STATUS_OF: Record<ListKey, PhotoStatus> = {
  noMatch: PhotoStatus.NoMatch,
  noFace: PhotoStatus.NoFace,
  error: PhotoStatus.Error,
  skipped: PhotoStatus.Skipped,
};

const byPath = (a: { path: string }, b: { path: string }): number =>
  a.path < b.path ? -1 : a.path > b.path ? 1 : 0;

/** The row a file gets in its list: just what that status needs, so 4 × LIST_ROW_CAP rows stay small. */
const rowOf = (line: ResultLine): SheetRow => {
  switch (line.status) {
    case PhotoStatus.Error:
    case PhotoStatus.Skipped:
      return { path: line.path, ...(line.code ? { code: line.code } : {}), reason: line.reason ?? '' };
    case PhotoStatus.NoMatch: {
      const known = [...new Set(line.faces.map((f) => f.person).filter((p): p is string => p !== null))];
      let nearest: SheetRow['nearest'];
      for (const f of line.faces) {
        if (f.person !== null || f.best === undefined || f.score === undefined) continue;
        if (!nearest || f.score > nearest.score) nearest = { person: f.best, score: f.score };
      }
      return {
        path: line.path,
        faces: line.faces.length,
        ...(known.length > 0 ? { known } : {}),
        ...(nearest ? { nearest } : {}),
      };
    }
    default:
      return { path: line.path };
  }
};

/**
 * Owns one run's report folder: results.jsonl as lines arrive, then summary.json and report.html
 * at close. Counting goes through the accumulator the cloud uses too; the page gets a section per
 * person searched (every match, the closest near misses) and capped lists of the other files.
 */
export class RunReport {
  readonly dir: string;
  readonly meta: Readonly<RunReportMeta>;

  private readonly stream: WriteStream;
  private readonly startedAt = new Date();
  private readonly nearMissMargin: number;
  private readonly accumulator = new RunSummaryAccumulator();
  private readonly thresholds: ReadonlyMap<string, number>;
  private readonly cards = new Map<string, PersonCards>();
  private readonly lists: Record<ListKey, SheetRow[]> = { noMatch: [], noFace: [], error: [], skipped: [] };

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
    const cap = Math.max(0, Math.floor(meta.maxSheetEntries ?? defaultMaxSheetEntries));
    this.thresholds = new Map(meta.people.map((p) => [p.name, p.threshold]));
    for (const p of meta.people) {
      if (!this.cards.has(p.name))
        this.cards.set(p.name, { matches: [], nearMisses: new TopK(cap), nearMissesSeen: 0 });
    }
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

  /** True when `add` would keep a thumbnail for this line, so the caller decodes only for those. */
  wantsThumbnail(line: ResultLine): boolean {
    if (this.matchedPeople(line).length > 0) return true;
    for (const [name, near] of this.nearMissesOf(line)) {
      if (this.cards.get(name)?.nearMisses.wouldKeep(near.score)) return true;
    }
    return false;
  }

  /**
   * Appends one results line. Resolves when it is safe to write more (stream drained) and the
   * thumbnail, if kept, is on disk. Lines land in the file in the order of the calls.
   */
  async add(line: ResultLine, thumbnail?: Thumbnail): Promise<void> {
    if (this.closing) throw new Error('RunReport: add after close');
    if (this.failure) throw this.failure;

    const ok = this.stream.write(`${JSON.stringify(line)}\n`);
    this.accumulator.add(line);
    this.listRow(line);

    const held = this.hold(line);
    if (held && thumbnail) this.storeThumbnail(held, thumbnail);

    const waits: Promise<unknown>[] = [];
    if (!ok) waits.push(this.waitForDrain());
    if (held?.thumbWritten) waits.push(held.thumbWritten);
    await Promise.all(waits);
  }

  counts(): RunCounts {
    const a = this.accumulator;
    return {
      total: a.total,
      byStatus: { ...a.byStatus },
      copies: { ...a.copies },
      errorsByCode: { ...a.errorsByCode },
      cacheHits: a.cacheHits,
    };
  }

  /**
   * Ends results.jsonl and writes summary.json and report.html. `interrupted`: the run stopped
   * early, after `expected` files were found. Calling it again returns the same result.
   */
  close(end: { expected?: number; interrupted?: boolean } = {}): Promise<RunSummary> {
    this.closing ??= this.finish(end);
    return this.closing;
  }

  private async finish(end: { expected?: number; interrupted?: boolean }): Promise<RunSummary> {
    this.stream.end();
    await finished(this.stream);
    await Promise.allSettled([...this.pending]);
    if (this.failure) throw this.failure;

    const summary = this.accumulator.summary(
      { ...this.meta, startedAt: this.startedAt },
      {
        ...(end.expected !== undefined ? { expected: end.expected } : {}),
        ...(end.interrupted ? { interrupted: true } : {}),
        // maxRSS is in KiB.
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      },
    );
    await writeFileAtomic(join(this.dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    const page = renderContactSheet({
      summary,
      sections: this.sections(summary),
      lists: this.sheetLists(summary),
      nearMissMargin: this.nearMissMargin,
    });
    await writeFileAtomic(join(this.dir, 'report.html'), page);
    return summary;
  }

  /** Matches by path (arrival order depends on concurrency), near misses best first. */
  private sections(summary: RunSummary): SheetSection[] {
    return summary.people.map((person) => {
      const cards = this.cards.get(person.name);
      return {
        person,
        matches: (cards?.matches ?? []).map((h) => h.photo).sort(byPath),
        nearMisses: (cards?.nearMisses.best() ?? []).map(({ held, near }) => ({
          photo: held.photo,
          score: near.score,
          faces: near.faces,
        })),
        nearMissesSeen: cards?.nearMissesSeen ?? 0,
      };
    });
  }

  private sheetLists(summary: RunSummary): SheetLists {
    const list = (key: ListKey, order: (a: SheetRow, b: SheetRow) => number): SheetList => ({
      rows: [...this.lists[key]].sort(order),
      total: summary.counts[STATUS_OF[key]] ?? this.lists[key].length,
    });
    const byCodeThenPath = (a: SheetRow, b: SheetRow): number => {
      const ca = a.code ?? '';
      const cb = b.code ?? '';
      return ca < cb ? -1 : ca > cb ? 1 : byPath(a, b);
    };
    return {
      noMatch: list('noMatch', byPath),
      noFace: list('noFace', byPath),
      error: list('error', byCodeThenPath),
      skipped: list('skipped', byPath),
    };
  }

  /** The searched people found in the photo (each once). */
  private matchedPeople(line: ResultLine): string[] {
    if (line.status !== PhotoStatus.Matched) return [];
    return [...new Set(line.people)].filter((p) => this.cards.has(p));
  }

  private nearMissesOf(line: ResultLine): Map<string, NearMiss> {
    if (line.status !== PhotoStatus.Matched && line.status !== PhotoStatus.NoMatch) return new Map();
    return nearMisses(line.faces, this.thresholds, this.nearMissMargin);
  }

  /** The first LIST_ROW_CAP files of each list; the summary counts the rest. */
  private listRow(line: ResultLine): void {
    const key = LIST_OF[line.status];
    if (key === undefined) return;
    const rows = this.lists[key];
    if (rows.length < LIST_ROW_CAP) rows.push(rowOf(line));
  }

  /** Gives the photo its cards: every person found in it, and each person it nearly had if among the best. */
  private hold(line: ResultLine): HeldPhoto | undefined {
    const matched = this.matchedPeople(line);
    const near = this.nearMissesOf(line);
    if (matched.length === 0 && near.size === 0) return undefined;
    const held: HeldPhoto = {
      photo: {
        path: line.path,
        ...(line.width !== undefined ? { width: line.width } : {}),
        ...(line.height !== undefined ? { height: line.height } : {}),
        faces: line.faces,
        ...(line.copies ? { copies: line.copies } : {}),
      },
      refs: 0,
    };
    for (const name of matched) {
      this.cards.get(name)!.matches.push(held);
      held.refs += 1;
    }
    for (const [name, n] of near) {
      const cards = this.cards.get(name);
      if (!cards) continue;
      cards.nearMissesSeen += 1;
      // Ties keep the earlier photo.
      const { kept, evicted } = cards.nearMisses.offer({ held, near: n }, n.score);
      if (kept) held.refs += 1;
      if (evicted) this.release(evicted.held);
    }
    return held.refs > 0 ? held : undefined;
  }

  private release(held: HeldPhoto): void {
    held.refs -= 1;
    if (held.refs === 0) this.discardThumbnail(held);
  }

  private storeThumbnail(held: HeldPhoto, thumbnail: Thumbnail): void {
    const rel = `thumbs/${this.nextThumb++}.jpg`;
    held.photo.thumb = rel;
    held.photo.thumbWidth = thumbnail.width;
    held.photo.thumbHeight = thumbnail.height;
    const write = writeFileAtomic(join(this.dir, rel), thumbnail.jpeg).catch((err: unknown) => {
      // The card falls back to "no thumbnail" rather than pointing at a missing file.
      held.photo.thumb = undefined;
      throw err;
    });
    held.thumbWritten = write;
    this.track(write);
  }

  private discardThumbnail(held: HeldPhoto): void {
    const rel = held.photo.thumb;
    if (rel === undefined || held.thumbWritten === undefined) return;
    held.photo.thumb = undefined;
    // Wait for the write to settle so the unlink cannot run before it and leave the file behind.
    const removal = held.thumbWritten
      .catch(() => undefined)
      .then(() => unlink(join(this.dir, rel)))
      .catch(() => undefined);
    this.track(removal);
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

  private track(work: Promise<unknown>): void {
    // Failures surface through `add`; the tracked copy only has to settle.
    const settled = work.catch(() => undefined).finally(() => this.pending.delete(settled));
    this.pending.add(settled);
  }
}
