import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyMatch } from '../../cli/sort/copyMatch.js';
import { removeStaleTemps } from '../../core/fs/removeStaleTemps.js';
import { TEMP_PREFIX } from '../../core/fs/tempName.js';

const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );

const PHOTO = Buffer.from('pretend JPEG bytes \u00ff\u00d8');
const TAKEN = new Date('2019-07-14T12:34:56.000Z');

describe('Function: copyMatch', () => {
  let dir: string;
  const copy = (destination: string, dryRun = false) =>
    copyMatch(PHOTO, destination, { sha256: sha(PHOTO), mtime: TAKEN, atime: TAKEN, dryRun });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mespotter-copy-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('copies into a new nested folder, keeps the photo’s time and leaves no temporary', async () => {
    const destination = join(dir, 'out', 'alice', '2019', 'photo.jpg');

    const result = await copy(destination);

    expect(result).toEqual({ outcome: 'copied', destination });
    expect((await readFile(destination)).equals(PHOTO)).toBe(true);
    expect((await stat(destination)).mtime.getTime()).toBe(TAKEN.getTime());
    expect(await readdir(join(dir, 'out', 'alice', '2019'))).toEqual(['photo.jpg']);
  });

  it('reports already_present when the same content is there and leaves it alone', async () => {
    const destination = join(dir, 'photo.jpg');
    await writeFile(destination, PHOTO);
    const before = await stat(destination);

    const result = await copy(destination);

    expect(result.outcome).toBe('already_present');
    expect((await stat(destination)).mtimeMs).toBe(before.mtimeMs);
  });

  it('reports a conflict for different content and never overwrites it', async () => {
    const destination = join(dir, 'photo.jpg');
    const other = Buffer.from('someone else’s photo');
    await writeFile(destination, other);
    const old = new Date('2001-02-03T04:05:06.000Z');
    await utimes(destination, old, old);

    const result = await copy(destination);

    expect(result.outcome).toBe('conflict');
    expect(result.reason).toMatch(/different file already exists/);
    expect((await readFile(destination)).equals(other)).toBe(true);
    expect((await stat(destination)).mtime.getTime()).toBe(old.getTime());
  });

  it('copies nothing and creates no folder in a dry run', async () => {
    const destination = join(dir, 'out', 'alice', 'photo.jpg');

    const result = await copy(destination, true);

    expect(result.outcome).toBe('dry_run');
    expect(await exists(join(dir, 'out'))).toBe(false);
  });

  it('still reports already_present and conflict in a dry run', async () => {
    const same = join(dir, 'same.jpg');
    const different = join(dir, 'different.jpg');
    await writeFile(same, PHOTO);
    await writeFile(different, 'other');

    expect((await copy(same, true)).outcome).toBe('already_present');
    expect((await copy(different, true)).outcome).toBe('conflict');
    expect(await readFile(different, 'utf8')).toBe('other');
  });

  it('reports failed with a plain reason when the destination cannot be created', async () => {
    // A file where the destination's folder should be.
    await writeFile(join(dir, 'out'), 'not a folder');

    const result = await copy(join(dir, 'out', 'photo.jpg'));

    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(/ENOTDIR|EEXIST/);
    expect(await readFile(join(dir, 'out'), 'utf8')).toBe('not a folder');
  });

  it('removes only the temporaries of processes that are gone', async () => {
    const deadPid = 2 ** 22 + 12345; // above Linux's pid_max default range: never a live process
    await mkdir(join(dir, 'a', 'b'), { recursive: true });
    const stale = join(dir, 'a', 'b', `${TEMP_PREFIX}${deadPid}-0123456789ab`);
    const live = join(dir, 'a', `${TEMP_PREFIX}${process.ppid}-0123456789ab`);
    const lookalike = join(dir, 'a', `${TEMP_PREFIX}notours.jpg`);
    for (const p of [stale, live, lookalike]) await writeFile(p, 'x');

    expect(await removeStaleTemps(dir)).toBe(1);

    expect(await exists(stale)).toBe(false);
    expect(await exists(live)).toBe(true);
    expect(await exists(lookalike)).toBe(true);
  });
});
