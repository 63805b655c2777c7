import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexFolders } from '../../cli/index/indexFolders.js';
import { analysisContextOf } from '../../cli/photos/analyseFile.js';
import { resolveEngineConfig } from '../../core/config.js';
import { Library } from '../../core/library/Library.js';
import { LibraryUnusableError } from '../../core/library/LibraryUnusableError.js';
import { MIGRATIONS } from '../../core/library/migrations.js';
import { openSqlite } from '../../core/library/SqliteDatabase.js';
import type { PhotoAnalyzer } from '../../core/runtime/PhotoAnalyzer.js';
import type { Face, FivePoints } from '../../core/types.js';
import * as fx from '../helpers/imageFixtures.js';
import { randomUnitVector, seededRng } from '../helpers/random.js';
import { runCliProcess } from '../helpers/spawnCli.js';
import { corruptPages, fillLibrary } from '../helpers/syntheticLibrary.js';
import { mountTmpfs } from '../helpers/tmpfs.js';

let work: string;
let photos: string;
const unmounts: (() => void)[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mespotter-libfile-'));
  photos = join(work, 'photos');
  await mkdir(photos);
  for (const n of [1, 2]) await copyFile(fx.samplePath(n), join(photos, `p${n}.jpg`));
});

afterAll(async () => {
  for (const u of unmounts.reverse()) u();
  await rm(work, { recursive: true, force: true });
});

const sha = async (path: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

/** A command refused before doing anything: exit 2, one line on stderr matching `reason`, nothing on stdout. */
const expectRefused = (r: { code: number | null; stdout: string; stderr: string }, reason: RegExp): void => {
  expect(r.stderr).toMatch(reason);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.stdout).toBe('');
  expect(r.code).toBe(2);
};

/** A tmpfs of `sizeBytes` at `dir` (needs the right to mount, like test/faults/fullDisk.test.ts). */
const tmpfs = async (dir: string, sizeBytes: number): Promise<void> => {
  const mounted = await mountTmpfs(dir, { sizeBytes });
  if (!mounted.ok) throw new Error(`cannot mount a tmpfs here: ${mounted.reason}`);
  unmounts.push(mounted.unmount);
};

describe('fault: the library file', () => {
  it('several processes creating the same new library at once all succeed, with one schema', async () => {
    // Before: the second process to take the write lock ran migration 1 again ("table photos already exists").
    for (let round = 0; round < 5; round++) {
      const library = join(work, `race-${round}.db`);
      const runs = await Promise.all(
        Array.from({ length: 6 }, () => runCliProcess(['people', '--library', library])),
      );
      for (const r of runs) {
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
      }
      const opened = Library.open(library, { readonly: true });
      expect(opened.schemaVersion).toBe(MIGRATIONS.length);
      opened.close();
    }
  }, 120_000);

  it('a corrupt library is refused at open with what is wrong and how to recover; `library check` reports it', async () => {
    const library = join(work, 'corrupt.db');
    fillLibrary(library, 300);
    const pages = statSync(library).size / 4096;
    corruptPages(library, Math.floor(pages / 3), Math.floor(pages / 3) + 5);
    const damaged = /library file .*corrupt\.db is damaged.*library check.*backup.*library export/;

    expectRefused(await runCliProcess(['library', 'stats', '--library', library]), damaged);
    expectRefused(await runCliProcess(['people', '--library', library]), damaged);
    // Refused before the engine starts: no photo is analysed, no per-photo error.
    expectRefused(await runCliProcess(['index', photos, '--library', library, '--lanes', '1']), damaged);

    const check = await runCliProcess(['library', 'check', '--library', library]);
    expect(check.stderr).toBe('');
    expect(check.stdout).toMatch(/^problem: /m);
    expect(check.stdout).toMatch(/to recover: restore .*corrupt\.db from a backup/);
    expect(check.code).toBe(1);
  }, 60_000);

  it('`library check` on a file that is not a database at all reports it (exit 1), other commands refuse it (exit 2)', async () => {
    const library = join(work, 'garbage.db');
    await writeFile(library, Buffer.alloc(64 * 1024, 0x5a));
    const check = await runCliProcess(['library', 'check', '--library', library]);
    expect(check.stderr).toBe('');
    expect(check.stdout).toMatch(/^problem: file is not a database\b/m);
    expect(check.code).toBe(1);
    expectRefused(await runCliProcess(['library', 'stats', '--library', library]), /is damaged/);
  }, 30_000);

  it('a library on a read-only file system is refused at open, saying so (exit 2)', async () => {
    const disk = join(work, 'ro-disk');
    await tmpfs(disk, 4 * 1024 * 1024);
    const library = join(disk, 'library.db');
    fillLibrary(library, 20);
    execFileSync('mount', ['-o', 'remount,ro', disk]);

    const readOnly = /library file .*library\.db cannot be written.*read-only file system \(EROFS\)/;
    expectRefused(await runCliProcess(['index', photos, '--library', library, '--lanes', '1']), readOnly);
    expectRefused(await runCliProcess(['people', '--library', library]), readOnly);
    expectRefused(
      await runCliProcess(['library', 'stats', '--library', library]),
      /cannot be written.*folder is not writable.*-shm/,
    );
  }, 60_000);

  it('a library on a full disk is refused at open (exit 2), and the first write that fails stops with "full"', async () => {
    const disk = join(work, 'full-disk');
    await tmpfs(disk, 3 * 1024 * 1024);
    const library = join(disk, 'library.db');
    fillLibrary(library, 20);
    // The first failing write: the typed error, not SQLite's.
    const open = Library.open(library);
    let failure: unknown;
    try {
      for (let i = 0; i < 5000; i++)
        open.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(`k${i}`, 'x'.repeat(4000));
    } catch (error) {
      failure = error;
    } finally {
      open.close();
    }
    expect(failure).toBeInstanceOf(LibraryUnusableError);
    expect((failure as LibraryUnusableError).code).toBe('full');
    expect((failure as Error).message).toMatch(/disk holding the library .* is full: free some space/);

    expectRefused(
      await runCliProcess(['index', photos, '--library', library, '--lanes', '1']),
      /disk holding the library .*library\.db is full/,
    );
  }, 60_000);

  it('index stops at the first write the full disk refuses: no photo after it is analysed', async () => {
    const disk = join(work, 'filling-disk');
    await tmpfs(disk, 3 * 1024 * 1024);
    const input = join(work, 'many');
    await mkdir(input);
    const jpeg = await readFile(fx.samplePath(1));
    for (let i = 0; i < 20; i++)
      await writeFile(join(input, `p${i}.jpg`), Buffer.concat([jpeg, Buffer.from([i])]));
    // About 600 KB of faces per photo: the 3 MiB disk takes a few photos, not twenty.
    const rng = seededRng(3);
    const faces: Face[] = Array.from({ length: 220 }, (_, i) => ({
      box: { x1: i, y1: i, x2: i + 50, y2: i + 60 },
      score: 0.9,
      points: [0, 1, 2, 3, 4].map((k) => ({ x: i + k, y: i + k })) as unknown as FivePoints,
      roll: 0,
      quality: 0.8,
      embedding: randomUnitVector(rng),
      descriptor: randomUnitVector(rng, 128),
    }));
    let analysed = 0;
    const engine: PhotoAnalyzer = {
      modelSetId: 'synthetic@1',
      config: resolveEngineConfig(),
      analyze: async () => {
        analysed++;
        return { width: 1000, height: 800, rejected: 0, faces };
      },
      embedAligned: async () => new Float32Array(0),
      describeAligned: async () => {
        throw new Error('unused');
      },
      close: async () => undefined,
    };
    const library = Library.open(join(disk, 'library.db'));
    const silent = { start: () => undefined, update: () => undefined, stop: () => undefined };
    let failure: unknown;
    try {
      await indexFolders(analysisContextOf(engine, library, {}), [input], { lanes: 1, progress: silent });
    } catch (error) {
      failure = error;
    } finally {
      library.close();
    }
    // Before: every photo was analysed and failed with internal_error "database or disk is full".
    expect(failure).toBeInstanceOf(LibraryUnusableError);
    expect((failure as LibraryUnusableError).code).toBe('full');
    expect(analysed).toBeGreaterThan(0);
    expect(analysed).toBeLessThan(10);
  }, 60_000);

  it('a library another process holds locked is refused (exit 2) instead of failing photo by photo', async () => {
    const library = join(work, 'locked.db');
    fillLibrary(library, 5);
    const holder = openSqlite(library);
    holder.exec('BEGIN EXCLUSIVE');
    holder.exec("INSERT INTO meta (key, value) VALUES ('held', 'yes')");
    try {
      // Waits for the lock as long as any writer does (10 s), then says who is in the way.
      expectRefused(
        await runCliProcess(['index', photos, '--library', library, '--lanes', '1']),
        /library .*locked\.db is locked by another process/,
      );
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  }, 60_000);

  it('a library from a newer mespotter is refused and left byte for byte as it was (journal mode too)', async () => {
    const library = join(work, 'newer.db');
    const raw = openSqlite(library);
    raw.pragma('journal_mode = DELETE');
    raw.exec('CREATE TABLE future (x)');
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    const before = await sha(library);

    expect(() => Library.open(library)).toThrow(/written by a newer mespotter.*newer than this mespotter/);
    expectRefused(await runCliProcess(['people', '--library', library]), /written by a newer mespotter/);

    expect(await sha(library)).toBe(before);
    expect(existsSync(`${library}-wal`)).toBe(false);
  }, 30_000);

  it('--library must name a file: empty, a device, a folder or a missing folder is refused (exit 2) and nothing is created', async () => {
    expectRefused(await runCliProcess(['people', '--library', '']), /--library is empty/);

    const journalBefore = existsSync('/dev/null-journal');
    expectRefused(
      await runCliProcess(['people', '--library', '/dev/null']),
      /\/dev\/null is not a regular file/,
    );
    if (!journalBefore) expect(existsSync('/dev/null-journal')).toBe(false);

    expectRefused(await runCliProcess(['people', '--library', work]), /is not a regular file \(a folder\)/);

    const missing = join(work, 'no-such-folder', 'library.db');
    expectRefused(
      await runCliProcess(['people', '--library', missing]),
      /folder of the library .*no-such-folder\/library\.db does not exist: create it first/,
    );
    expect(existsSync(join(work, 'no-such-folder'))).toBe(false);
  }, 30_000);

  it('`library vacuum` reports the database file before and after, not the WAL', async () => {
    const library = join(work, 'vacuum.db');
    fillLibrary(library, 1000);
    const open = Library.open(library);
    open.db.exec('DELETE FROM photos WHERE id % 2 = 0');
    open.close();
    const before = (await stat(library)).size;

    const run = await runCliProcess(['library', 'vacuum', '--library', library]);
    expect(run.code, run.stderr).toBe(0);
    const after = (await stat(library)).size;
    expect(after).toBeLessThan(before);
    const mib = (n: number): string => (n / 1024 / 1024).toFixed(1);
    expect(run.stdout).toContain(`vacuumed: ${mib(before)} MiB → ${mib(after)} MiB`);
  }, 60_000);
});
