import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, realpath } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { FolderError } from '../../core/errors.js';
import { describeFsError } from '../../core/fs/describeFsError.js';
import { LOCK_FILE } from '../../core/fs/FolderLock.js';
import { REPORT_MARKER } from '../../core/fs/mespotterFolder.js';
import { isTempName } from '../../core/fs/tempName.js';
import { writeFileAtomic } from '../../core/fs/writeFileAtomic.js';
import type { RunSummary } from '../../core/report/resultLine.js';
import { parseStoredSummary } from './parseStoredSummary.js';
import { renderRunIndex } from './runIndex.js';

export const RUNS_DIR = 'runs';

/** What reports written before the marker existed hold; such a folder is adopted, its files kept. */
const LEGACY_FILES = new Set(['results.jsonl', 'summary.json', 'report.html']);
const LEGACY_THUMB = /^\d+\.jpg$/;

/** Run ids sort by time, so the index and `ls runs/` list runs in order. */
export const newRunId = (now = new Date()): string =>
  `${now.toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;

const isInside = (child: string, parent: string): boolean => {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
};

const realOrResolved = (p: string): Promise<string> => realpath(p).catch(() => resolve(p));

/**
 * The report folder of a command: every run writes a new `runs/<runId>/` under it and nothing is
 * ever deleted or overwritten there but mespotter's own index. A folder that holds files mespotter
 * did not create is refused, so `--report ~/Pictures` can never touch a photo.
 */
export class ReportFolder {
  readonly dir: string;

  private constructor(dir: string) {
    this.dir = dir;
  }

  /**
   * `input`: the folder being read; a report inside it is refused unless it is the default
   * (OUT/.mespotter with OUT inside the input, which the scan skips).
   */
  static async open(dir: string, o: { input?: string; isDefault: boolean }): Promise<ReportFolder> {
    const abs = resolve(dir);
    if (o.input && !o.isDefault && isInside(await realOrResolved(abs), await realOrResolved(o.input))) {
      throw new FolderError(
        `report folder ${abs} is inside the input folder ${o.input}; choose a folder outside it`,
      );
    }
    const s = await lstat(abs).catch(() => undefined);
    if (s && !s.isDirectory()) throw new FolderError(`report path ${abs} exists and is not a folder`);
    if (s) await checkOwnership(abs);
    try {
      await mkdir(join(abs, RUNS_DIR), { recursive: true });
      if (!(await lstat(join(abs, REPORT_MARKER)).catch(() => undefined))) {
        await writeFileAtomic(
          join(abs, REPORT_MARKER),
          `${JSON.stringify({ createdBy: 'mespotter', createdAt: new Date().toISOString() })}\n`,
        );
      }
    } catch (error) {
      throw new FolderError(`cannot use report folder ${abs}: ${describeFsError(error)}`, { cause: error });
    }
    return new ReportFolder(abs);
  }

  /** A new, empty folder for one run; `mkdir` without `recursive` fails rather than reuse one. */
  async createRunDir(runId: string): Promise<string> {
    const dir = join(this.dir, RUNS_DIR, runId);
    await mkdir(dir);
    return dir;
  }

  /** Rewrites index.html from every run's summary.json (newest first). */
  async writeIndex(): Promise<string> {
    const runs: { runId: string; summary: RunSummary }[] = [];
    for (const runId of await readdir(join(this.dir, RUNS_DIR)).catch(() => [] as string[])) {
      const text = await readFile(join(this.dir, RUNS_DIR, runId, 'summary.json'), 'utf8').catch(() => '');
      // A run still going (or killed before its summary) has none yet; it is listed once it has one.
      const summary = text ? parseStoredSummary(text) : undefined;
      if (summary) runs.push({ runId, summary });
    }
    runs.sort((a, b) => (a.runId < b.runId ? 1 : -1));
    const path = join(this.dir, 'index.html');
    await writeFileAtomic(path, renderRunIndex(runs, RUNS_DIR));
    return path;
  }
}

/** Accepts a folder that is empty, ours (marker), or an old-style report; refuses anything else. */
const checkOwnership = async (dir: string): Promise<void> => {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new FolderError(`cannot read report folder ${dir}: ${describeFsError(error)}`, { cause: error });
  }
  if (names.includes(REPORT_MARKER)) return;
  const foreign: string[] = [];
  for (const name of names) {
    if (LEGACY_FILES.has(name) || name === LOCK_FILE || isTempName(name)) continue;
    if (name === 'thumbs' || name === RUNS_DIR) {
      const inner = await readdir(join(dir, name)).catch(() => undefined);
      if (name === 'thumbs' && inner?.every((n) => LEGACY_THUMB.test(n))) continue;
      if (name === RUNS_DIR && inner?.length === 0) continue;
    }
    foreign.push(name);
  }
  if (foreign.length > 0) {
    const shown =
      foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? `, … (${foreign.length} in all)` : '');
    throw new FolderError(
      `report folder ${dir} holds files mespotter did not create (${shown}); ` +
        'choose an empty or new folder for --report',
    );
  }
};
