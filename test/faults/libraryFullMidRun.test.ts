import { statfsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fx from '../helpers/imageFixtures.js';
import { runCliProcess } from '../helpers/spawnCli.js';
import { mountTmpfs } from '../helpers/tmpfs.js';

/**
 * The library's disk fills up while `who` and `tag` run (their analyses are stored as they go): the
 * run stops at the first write the disk refuses, with one line and exit 2, like index and sort, instead
 * of a `full` line for every photo after it.
 */
let work: string;
let input: string;
const unmounts: (() => void)[] = [];
const PHOTOS = 80;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mespotter-fullrun-'));
  input = join(work, 'photos');
  await mkdir(input);
  // Five faces each, every copy its own bytes: each is analysed and stored anew.
  const jpeg = await readFile(fx.samplePath(5));
  for (let i = 0; i < PHOTOS; i++)
    await writeFile(
      join(input, `p${String(i).padStart(2, '0')}.jpg`),
      Buffer.concat([jpeg, Buffer.from([i])]),
    );
});

afterAll(async () => {
  for (const u of unmounts.reverse()) u();
  await rm(work, { recursive: true, force: true });
});

/**
 * A library with one person enrolled on a small disk, then filled so that a little more than the
 * 1 MiB mespotter wants at open is free: the open check passes, a few dozen analyses do not fit.
 */
const libraryOnFillingDisk = async (name: string): Promise<string> => {
  const disk = join(work, name);
  const mounted = await mountTmpfs(disk, { sizeBytes: 3 * 1024 * 1024 });
  if (!mounted.ok) throw new Error(`cannot mount a tmpfs here: ${mounted.reason}`);
  unmounts.push(mounted.unmount);
  const library = join(disk, 'library.db');
  const enrolled = await runCliProcess([
    'enroll',
    '--library',
    library,
    '--person',
    'Ann',
    '--face',
    '0',
    fx.samplePath(1),
  ]);
  expect(enrolled.code).toBe(0);
  const s = statfsSync(disk);
  const free = s.bfree * s.bsize;
  await writeFile(join(disk, 'filler'), Buffer.alloc(Math.max(0, free - 1.15 * 1024 * 1024)));
  return library;
};

const perPhotoFull = (stderr: string): string[] =>
  stderr.split('\n').filter((l) => /^mespotter: .*p\d\d\.jpg: /.test(l));

describe('fault: the library disk fills up during a run', () => {
  it('who stops at the first write the disk refuses: one line, exit 2, not a line per photo', async () => {
    const library = await libraryOnFillingDisk('who-disk');
    const r = await runCliProcess(['who', input, '--library', library]);
    // Before: exit 1 and `mespotter: pNN.jpg: full: …` for every photo after the disk filled.
    expect(perPhotoFull(r.stderr)).toEqual([]);
    expect(r.stderr).toMatch(/disk holding the library .*library\.db is full/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.code).toBe(2);
    const answered = r.stdout.split('\n').filter((l) => /p\d\d\.jpg: /.test(l));
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.length).toBeLessThan(PHOTOS);
  }, 120_000);

  it('tag stops the same way: one line, exit 2', async () => {
    const library = await libraryOnFillingDisk('tag-disk');
    const r = await runCliProcess(['tag', input, '--library', library, '--person', 'Ann']);
    expect(perPhotoFull(r.stderr)).toEqual([]);
    expect(r.stderr).toMatch(/disk holding the library .*library\.db is full/);
    expect(r.code).toBe(2);
  }, 120_000);
});
