/**
 * `tag --in-place` rewrites the photo's bytes but not its pixels: the library must keep knowing it
 * as the same photo (its references once, every path known), and what a killed run leaves behind
 * must be cleaned up and never taken for a photo (real CLI processes, real exiftool).
 */
import { watch } from 'node:fs';
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultWorld, makeFaultWorld } from '../helpers/faultWorld.js';
import { samplePath } from '../helpers/imageFixtures.js';
import { runCliProcess, startCli } from '../helpers/spawnCli.js';

/** Above Linux's default pid_max: never a live process. */
const DEAD_PID = 2 ** 22 + 12345;

const hidden = async (dir: string): Promise<string[]> =>
  (await readdir(dir)).filter((f) => f.startsWith('.')).sort();

/** What `people`, `library stats` and `library check` say about the world's library. */
const libraryState = async (world: FaultWorld) => {
  const lib = ['--library', world.library];
  const people = await runCliProcess(['people', '--json', ...lib]);
  const stats = await runCliProcess(['library', 'stats', '--json', ...lib]);
  const check = await runCliProcess(['library', 'check', ...lib]);
  const s = JSON.parse(stats.stdout) as Record<string, unknown>;
  return {
    people: people.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>),
    stats: { photos: s['photos'], paths: s['paths'], faces: s['faces'], labels: s['labels'] },
    check: { code: check.code, output: `${check.stdout}${check.stderr}`.trim() },
  };
};

describe('fault: tag --in-place keeps the photo it rewrote', () => {
  let world: FaultWorld;

  beforeAll(async () => {
    world = await makeFaultWorld();
  }, 120_000);

  afterAll(async () => {
    await rm(world.work, { recursive: true, force: true });
  });

  it('tagging the reference photos in place leaves 3 references 3, and library check clean', async () => {
    // Before the fix: references 3 -> 6, photos 3 -> 6, and "photo … has no known path" three times.
    const refs = join(world.work, 'refs');
    const before = await libraryState(world);
    expect(before.people).toMatchObject([{ name: 'me', references: 3 }]);
    expect(before.check).toEqual({ code: 0, output: 'library ok' });

    const tag = await runCliProcess([
      'tag',
      refs,
      '--person',
      'me',
      '--in-place',
      '--library',
      world.library,
    ]);

    expect(tag.code).toBe(0);
    expect((await readdir(refs)).filter((f) => f.endsWith('_original'))).toHaveLength(3);
    expect(await libraryState(world)).toEqual(before);
    // And a re-run knows the rewritten files: nothing to write, nothing analysed again.
    const again = await runCliProcess([
      'tag',
      refs,
      '--person',
      'me',
      '--in-place',
      '--json',
      '--library',
      world.library,
    ]);
    const lines = again.stdout
      .trim()
      .split('\n')
      .slice(0, -1)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l['status'], l['cached']])).toEqual([
      ['unchanged', true],
      ['unchanged', true],
      ['unchanged', true],
    ]);
    expect(await libraryState(world)).toEqual(before);
  }, 120_000);
});

describe('fault: the temporaries of a killed tag --in-place', () => {
  let world: FaultWorld;

  beforeAll(async () => {
    world = await makeFaultWorld();
  }, 120_000);

  afterAll(async () => {
    await rm(world.work, { recursive: true, force: true });
  });

  it('are never tagged or indexed, and the next tag removes those of dead processes only', async () => {
    // Before the fix the planted temporaries were tagged as photos (and indexed), and stayed.
    const dir = join(world.work, 'planted');
    await mkdir(dir);
    await copyFile(samplePath(1), join(dir, 'a.jpg'));
    const legacy = `.a.jpg.mespotter-${DEAD_PID}-1.jpg`;
    const dead = `.mespotter-tmp-${DEAD_PID}-0123456789ab.jpg`;
    const live = `.mespotter-tmp-${process.pid}-0123456789ab.jpg`;
    for (const name of [legacy, dead, live]) await copyFile(samplePath(1), join(dir, name));

    const index = await runCliProcess(['index', dir, '--json', '--quiet', '--library', world.library]);
    expect(JSON.parse(index.stdout)).toMatchObject({ files: 4, analysed: 1, skipped: 3 });

    const tag = await runCliProcess([
      'tag',
      dir,
      '--person',
      'me',
      '--in-place',
      '--json',
      '--library',
      world.library,
    ]);

    expect(tag.code).toBe(0);
    const lines = tag.stdout
      .trim()
      .split('\n')
      .slice(0, -1)
      .map((l) => JSON.parse(l) as { path: string });
    expect(lines.map((l) => l.path)).toEqual([join(dir, 'a.jpg')]);
    // The live process's temporary may still be written: it stays.
    expect(await hidden(dir)).toEqual([live]);
  }, 120_000);

  it('a tag --in-place killed mid-write leaves a temporary that the next run removes, never tags', async () => {
    const dir = join(world.work, 'killed');
    await mkdir(dir);
    for (let i = 0; i < 6; i++) await copyFile(samplePath(1), join(dir, `p${i}.jpg`));
    const args = ['tag', dir, '--person', 'me', '--in-place', '--json', '--library', world.library];
    const run = startCli(args);
    const watcher = watch(dir, (_event, name) => {
      if (!String(name).includes('.mespotter-')) return;
      watcher.close();
      run.child.kill('SIGKILL');
    });
    const killed = await run.done;
    watcher.close();
    expect(killed.signal).toBe('SIGKILL');
    // exiftool (orphaned) may still finish its own write: give it a moment.
    await new Promise((r) => setTimeout(r, 500));
    expect((await hidden(dir)).length).toBeGreaterThan(0);

    const next = await runCliProcess(args);

    expect(next.code).toBe(0);
    const lines = next.stdout
      .trim()
      .split('\n')
      .slice(0, -1)
      .map((l) => JSON.parse(l) as { path: string });
    expect(lines.map((l) => l.path.slice(dir.length + 1))).toEqual([
      'p0.jpg',
      'p1.jpg',
      'p2.jpg',
      'p3.jpg',
      'p4.jpg',
      'p5.jpg',
    ]);
    expect(await hidden(dir)).toEqual([]);
  }, 120_000);
});

describe('fault: tag on a photo whose name is as long as a file name may be (255 bytes)', () => {
  let world: FaultWorld;
  const name = `${'x'.repeat(251)}.jpg`;

  beforeAll(async () => {
    world = await makeFaultWorld();
  }, 120_000);

  afterAll(async () => {
    await rm(world.work, { recursive: true, force: true });
  });

  const tagLong = async (dir: string, ...extra: string[]) => {
    await mkdir(dir);
    await copyFile(samplePath(1), join(dir, name));
    const run = await runCliProcess([
      'tag',
      dir,
      '--person',
      'me',
      '--json',
      '--library',
      world.library,
      ...extra,
    ]);
    const [line] = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    return { code: run.code, line: line!, files: (await readdir(dir)).sort() };
  };

  it('writes its sidecar and tags it in place without a backup; temporaries fit', async () => {
    // Before the fix both failed: the temporary's name (.<photo>.mespotter-<pid>-<n>…) was over 255 bytes.
    const sidecar = await tagLong(join(world.work, 'long-sidecar'));
    expect(sidecar.line).toMatchObject({ status: 'written' });
    expect(sidecar.files).toEqual([name, `${'x'.repeat(251)}.xmp`]);

    const inPlace = await tagLong(join(world.work, 'long-in-place'), '--in-place', '--no-backup');
    expect(inPlace.line).toMatchObject({ status: 'written' });
    expect(inPlace.files).toEqual([name]);
  }, 120_000);

  it('refuses a backup or a photo.jpg.xmp sidecar that could not be named, with one clear reason', async () => {
    const backup = await tagLong(join(world.work, 'long-backup'), '--in-place');
    expect(backup.line).toMatchObject({
      status: 'failed',
      code: 'name_too_long',
      reason: expect.stringMatching(/the backup would be named 264 bytes long.*--no-backup/),
    });
    expect(backup.files).toEqual([name]);

    const full = await tagLong(join(world.work, 'long-full'), '--sidecar-name', 'photo.jpg.xmp');
    expect(full.line).toMatchObject({
      code: 'name_too_long',
      reason: expect.stringMatching(/the sidecar would be named 259 bytes long/),
    });
    expect(full.files).toEqual([name]);
  }, 120_000);
});
