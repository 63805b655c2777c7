import { mkdirSync, watch } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../core/fs/FolderLock.js';
import { OUTPUT_MARKER } from '../../core/fs/mespotterFolder.js';
import { TEMP_PREFIX } from '../../core/fs/tempName.js';
import { type FaultWorld, listAll, makeFaultWorld, sha256 } from '../helpers/faultWorld.js';
import * as fx from '../helpers/imageFixtures.js';
import { latestRunDir, readRunLines, readRunSummary } from '../helpers/reportRuns.js';
import { startCli } from '../helpers/spawnCli.js';

/** The photos mespotter placed in `out` (not its report, lock or temporaries). */
const copiesIn = async (out: string): Promise<string[]> =>
  (await listAll(out)).filter((f) => !f.startsWith('.mespotter'));

/** Polls until `check` holds (or fails the test after `ms`). */
const waitFor = async (check: () => Promise<boolean>, ms: number, every = 2): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await sleep(every);
  }
};

const expectCopiesMatchSources = async (world: FaultWorld, out: string): Promise<void> => {
  for (const f of await copiesIn(out))
    expect(await sha256(join(out, f))).toBe(await sha256(join(world.input, f)));
};

describe('fault: kill -9 during a copy of large matching files', () => {
  let world: FaultWorld;

  beforeAll(async () => {
    // Three ~48 MB photos of the person (the JPEG, then padding after its end marker): copies take
    // long enough for a kill to land in the middle of one.
    const photo = await readFile(fx.samplePath(1));
    world = await makeFaultWorld({
      matching: 3,
      photo: async (i) => Buffer.concat([photo, Buffer.alloc(48 * 1024 * 1024, i + 1)]),
    });
  }, 120_000);

  afterAll(async () => {
    await rm(world.work, { recursive: true, force: true });
  });

  it('leaves no partial photo under its final name, and the same command finishes with exact copies', async () => {
    const out = join(world.work, 'out');
    const first = startCli(world.sortArgs(out, '--lanes', '1'));
    // Kill at the first sign of a copy being written (before the fix: a truncated final file).
    await waitFor(
      async () =>
        (await listAll(out)).some(
          (f) => !f.startsWith('.mespotter/') && f !== LOCK_FILE && f !== OUTPUT_MARKER,
        ),
      60_000,
    );
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    await expectCopiesMatchSources(world, out);

    const second = startCli(world.sortArgs(out, '--lanes', '1'));
    const result = await second.done;

    expect(result.code).toBe(0);
    const lines = await readRunLines(await latestRunDir(join(out, '.mespotter')));
    const copies = lines.filter((l) => l.status === 'matched').map((l) => l.copies?.[0]?.outcome);
    expect(copies).toHaveLength(3);
    expect(copies.every((c) => c === 'copied' || c === 'already_present')).toBe(true);
    expect(await copiesIn(out)).toEqual(['me-000.jpg', 'me-001.jpg', 'me-002.jpg']);
    await expectCopiesMatchSources(world, out);
    // The killed run's temporary and its stale lock are gone.
    expect((await listAll(out)).filter((f) => f.includes(TEMP_PREFIX) || f === LOCK_FILE)).toEqual([]);
  }, 120_000);

  it('a second Ctrl-C while the output is still being locked leaves no lock behind', async () => {
    // The first file a run creates in OUT is its lock's temporary: both signals arrive while the
    // lock is being taken, before the command has registered anything to clean up (before the fix,
    // 10 of 10 such runs left OUT locked).
    const out = join(world.work, 'out-locking');
    mkdirSync(out);
    const run = startCli(world.sortArgs(out, '--lanes', '1'));
    let stderr = '';
    run.child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    let second: Promise<void> | undefined;
    const watcher = watch(out, (_event, name) => {
      if (!String(name).startsWith(TEMP_PREFIX) || second) return;
      watcher.close();
      run.child.kill('SIGINT');
      // The second signal as soon as the first one is handled (a fixed delay could land first).
      second = waitFor(async () => stderr.includes('stopping after the photos in flight'), 10_000).then(
        () => {
          run.child.kill('SIGINT');
        },
      );
    });
    const result = await run.done;
    watcher.close();
    await second;

    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/interrupted at once/);
    expect((await listAll(out)).filter((f) => f.endsWith(LOCK_FILE) || f.includes(TEMP_PREFIX))).toEqual([]);
  }, 120_000);

  it('a second Ctrl-C during a copy exits at once with no partial copy; the next run tidies up', async () => {
    const out = join(world.work, 'out-twice');
    const run = startCli(world.sortArgs(out, '--lanes', '1'));
    let stderr = '';
    run.child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    await waitFor(async () => (await listAll(out)).some((f) => f.includes(TEMP_PREFIX)), 60_000);
    run.child.kill('SIGINT');
    // The second signal once the first is handled, while that ~48 MB copy is still being written.
    await waitFor(async () => stderr.includes('stopping after the photos in flight'), 10_000);
    run.child.kill('SIGINT');
    const result = await run.done;

    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/interrupted at once; run the same command again to continue/);
    await expectCopiesMatchSources(world, out);
    expect(await listAll(out)).not.toContain(LOCK_FILE);
    // A temporary whose open() was still in flight at exit can survive; it is never a final name,
    // and the next run removes it.
    expect((await startCli(world.sortArgs(out, '--lanes', '1')).done).code).toBe(0);
    await expectCopiesMatchSources(world, out);
    expect(await copiesIn(out)).toHaveLength(3);
    expect((await listAll(out)).filter((f) => f.includes(TEMP_PREFIX) || f === LOCK_FILE)).toEqual([]);
  }, 120_000);
});

describe('fault: Ctrl-C, SIGTERM and a second run at the same time', () => {
  let world: FaultWorld;

  beforeAll(async () => {
    world = await makeFaultWorld({ matching: 12 });
  }, 120_000);

  afterAll(async () => {
    await rm(world.work, { recursive: true, force: true });
  });

  it('SIGINT mid-run: report and summary written, exit 130, no partial file; running again continues', async () => {
    const out = join(world.work, 'out-int');
    // --no-cache: every photo is analysed, so the run is still going when the signal lands.
    const run = startCli(world.sortArgs(out, '--lanes', '1', '--no-cache'));
    await waitFor(async () => (await copiesIn(out)).length > 0, 60_000, 20);
    run.child.kill('SIGINT');
    const result = await run.done;

    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/interrupted: (\d+) of 13 done; run the same command again to continue/);
    const summary = await readRunSummary(await latestRunDir(join(out, '.mespotter')));
    expect(summary.interrupted).toBe(true);
    expect(summary.expected).toBe(13);
    expect(summary.total).toBeLessThan(13);
    expect(
      await readFile(join(await latestRunDir(join(out, '.mespotter')), 'report.html'), 'utf8'),
    ).toContain('<html');
    await expectCopiesMatchSources(world, out);
    expect((await listAll(out)).filter((f) => f.includes(TEMP_PREFIX) || f === LOCK_FILE)).toEqual([]);

    const again = await startCli(world.sortArgs(out, '--lanes', '1')).done;
    expect(again.code).toBe(0);
    expect(await copiesIn(out)).toHaveLength(12);
    await expectCopiesMatchSources(world, out);
  }, 120_000);

  it('SIGTERM is handled the same way', async () => {
    const out = join(world.work, 'out-term');
    const run = startCli(world.sortArgs(out, '--lanes', '1', '--no-cache'));
    await waitFor(async () => (await copiesIn(out)).length > 0, 60_000, 20);
    run.child.kill('SIGTERM');
    const result = await run.done;

    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/interrupted: \d+ of 13 done/);
  }, 120_000);

  it('a second run into the same output is refused at once, naming the first; the first finishes intact', async () => {
    const out = join(world.work, 'out-two');
    // Without the faces index the first run analyses every photo: long enough to still be running.
    const first = startCli(world.sortArgs(out, '--lanes', '1', '--no-cache'));
    await waitFor(async () => (await listAll(out)).includes(LOCK_FILE), 60_000, 10);

    const second = await startCli(world.sortArgs(out)).done;

    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(
      new RegExp(`is in use by another mespotter run \\(pid ${first.child.pid} on ${hostname()}`),
    );
    const result = await first.done;
    expect(result.code).toBe(0);
    const lines = await readRunLines(await latestRunDir(join(out, '.mespotter')));
    expect(lines).toHaveLength(13);
    expect(await copiesIn(out)).toHaveLength(12);
  }, 120_000);

  it('a lock left by a run that was killed is taken over', async () => {
    const out = join(world.work, 'out-stale');
    await (await import('node:fs/promises')).mkdir(out, { recursive: true });
    const dead = { pid: 2 ** 22 + 4321, host: hostname(), startedAt: '2026-01-01T00:00:00Z', command: 'x' };
    await writeFile(join(out, LOCK_FILE), JSON.stringify(dead));

    const run = await startCli(world.sortArgs(out)).done;

    expect(run.code).toBe(0);
    expect((await listAll(out)).includes(LOCK_FILE)).toBe(false);
  }, 120_000);
});
