/**
 * The only module that imports exiftool-vendored. One long-lived `exiftool -stay_open` process
 * (more with maxProcs) serves every read and write of a run, so a photo costs a few milliseconds
 * instead of a Perl start-up (~150 ms). Child processes are ended by close(), on normal exit, and
 * on SIGINT / SIGTERM / SIGHUP: a killed parent would otherwise leave them running forever
 * (exiftool keeps polling its argument stream).
 */
import { unlinkSync } from 'node:fs';
import { ExifTool } from 'exiftool-vendored';
import { XmpError, XmpErrorCode } from '../errors.js';
import { findPerl, type PerlLookup } from './findPerl.js';

export interface ExifToolSessionOptions {
  /** exiftool processes (default 1: tag writing is I/O-light and the machine is shared). */
  maxProcs?: number;
  /** Where to look for perl (default: /usr/bin/perl, then PATH). */
  perl?: PerlLookup;
}

export interface WriteOutcome {
  /** exiftool's warnings (a write with warnings still happened). */
  warnings: string[];
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const openSessions = new Set<ExifToolSession>();

const onSignal = (signal: NodeJS.Signals): void => {
  // A program with its own handler (a graceful stop) decides; close() or the exit hook cleans up.
  if (process.listenerCount(signal) > 1) return;
  for (const session of [...openSessions]) session.killNow();
  uninstallHooks();
  // Then do what the signal would have done without us: end the process (exit status 128+n).
  process.kill(process.pid, signal);
};

const onExit = (): void => {
  for (const session of [...openSessions]) session.killNow();
};

const installHooks = (): void => {
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on('exit', onExit);
};

const uninstallHooks = (): void => {
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  process.removeListener('exit', onExit);
};

export class ExifToolSession {
  readonly #et: ExifTool;
  readonly #temps = new Set<string>();
  readonly #locks = new Map<string, Promise<unknown>>();
  #closed = false;

  private constructor(et: ExifTool) {
    this.#et = et;
  }

  /** Starts nothing yet (the first task spawns exiftool); throws perl_missing when perl is absent. */
  static open(options: ExifToolSessionOptions = {}): ExifToolSession {
    const perl = findPerl(options.perl);
    if (!perl) {
      throw new XmpError(
        XmpErrorCode.PerlMissing,
        'perl not found (checked /usr/bin/perl and PATH): face tags are written by ExifTool, a Perl program; install perl (e.g. apt-get install perl)',
      );
    }
    const et = new ExifTool({
      maxProcs: options.maxProcs ?? 1,
      useMWG: false,
      // A retried write could apply an append twice; a failed task is reported instead.
      taskRetries: 0,
      checkPerl: false,
      // Without a working /usr/bin/perl, exiftool-vendored runs the script through `perl` on PATH.
      ignoreShebang: !perl.viaShebang,
    });
    const session = new ExifToolSession(et);
    if (openSessions.size === 0) installHooks();
    openSessions.add(session);
    return session;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** PIDs of the exiftool processes now running (for tests that check clean-up). */
  get pids(): number[] {
    return this.#et.pids;
  }

  version(): Promise<string> {
    return this.#et.version();
  }

  /** exiftool's JSON for one file with exactly these arguments (no -fast unless asked). */
  async readTags(file: string, args: readonly string[]): Promise<Record<string, unknown>> {
    this.#assertOpen();
    return (await this.#et.readRaw(file, { readArgs: [...args] })) as unknown as Record<string, unknown>;
  }

  /** Writes tags (values as exiftool-vendored encodes them) with extra exiftool arguments. */
  async writeTags(
    file: string,
    tags: Record<string, unknown>,
    args: readonly string[],
  ): Promise<WriteOutcome> {
    this.#assertOpen();
    const result = await this.#et.write(file, tags as Parameters<ExifTool['write']>[1], {
      writeArgs: [...args],
      useMWG: false,
    });
    return { warnings: result.warnings ?? [] };
  }

  /** Writes a binary tag (e.g. the raw XMP packet) to `dest`, which must not exist. */
  async extractTag(tag: string, src: string, dest: string): Promise<void> {
    this.#assertOpen();
    await this.#et.extractBinaryTag(tag, src, dest);
  }

  /** Temp files in flight are removed if the process is interrupted. */
  trackTemp(path: string): void {
    this.#temps.add(path);
  }

  untrackTemp(path: string): void {
    this.#temps.delete(path);
  }

  /** Runs fn after every earlier call with the same key has settled (one writer per file). */
  async exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.#locks.get(key) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#locks.set(key, settled);
    try {
      return await run;
    } finally {
      if (this.#locks.get(key) === settled) this.#locks.delete(key);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    openSessions.delete(this);
    if (openSessions.size === 0) uninstallHooks();
    await this.#et.end();
  }

  /** Synchronous teardown for signals and exit: kill the children, drop temp files. */
  killNow(): void {
    this.#closed = true;
    openSessions.delete(this);
    for (const pid of this.#et.pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const temp of this.#temps) {
      for (const file of [temp, `${temp}_exiftool_tmp`]) {
        try {
          unlinkSync(file);
        } catch {
          // never created, or already renamed into place
        }
      }
    }
    this.#temps.clear();
    void this.#et.end(false).catch(() => undefined);
  }

  #assertOpen(): void {
    if (this.#closed) throw new XmpError(XmpErrorCode.ExifToolFailed, 'the exiftool session is closed');
  }
}
