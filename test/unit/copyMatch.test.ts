import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyMatch } from '../../cli/sort/copyMatch.js';

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
  let source: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mespotter-copy-'));
    source = join(dir, 'in', 'photo.jpg');
    await mkdir(join(dir, 'in'));
    await writeFile(source, PHOTO);
    await utimes(source, TAKEN, TAKEN);
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('copies into a new nested folder and keeps the photo’s modification time', async () => {
    // Prepare
    const destination = join(dir, 'out', 'alice', '2019', 'photo.jpg');

    // Act
    const result = await copyMatch(source, destination, sha(PHOTO), false);

    // Assess
    expect(result).toEqual({ outcome: 'copied' });
    expect((await readFile(destination)).equals(PHOTO)).toBe(true);
    expect((await stat(destination)).mtime.getTime()).toBe(TAKEN.getTime());
  });

  it('reports already_present when the same content is there and leaves it alone', async () => {
    // Prepare
    const destination = join(dir, 'photo.jpg');
    await writeFile(destination, PHOTO);
    const before = await stat(destination);

    // Act
    const result = await copyMatch(source, destination, sha(PHOTO), false);

    // Assess
    expect(result).toEqual({ outcome: 'already_present' });
    expect((await stat(destination)).mtimeMs).toBe(before.mtimeMs);
  });

  it('reports a conflict for different content and never overwrites it', async () => {
    // Prepare
    const destination = join(dir, 'photo.jpg');
    const other = Buffer.from('someone else’s photo');
    await writeFile(destination, other);
    const old = new Date('2001-02-03T04:05:06.000Z');
    await utimes(destination, old, old);

    // Act
    const result = await copyMatch(source, destination, sha(PHOTO), false);

    // Assess
    expect(result.outcome).toBe('conflict');
    expect(result.reason).toMatch(/different file already exists/);
    expect((await readFile(destination)).equals(other)).toBe(true);
    expect((await stat(destination)).mtime.getTime()).toBe(old.getTime());
  });

  it('copies nothing and creates no folder in a dry run', async () => {
    // Prepare
    const destination = join(dir, 'out', 'alice', 'photo.jpg');

    // Act
    const result = await copyMatch(source, destination, sha(PHOTO), true);

    // Assess
    expect(result).toEqual({ outcome: 'dry_run' });
    expect(await exists(join(dir, 'out'))).toBe(false);
  });

  it('still reports already_present and conflict in a dry run', async () => {
    // Prepare
    const same = join(dir, 'same.jpg');
    const different = join(dir, 'different.jpg');
    await writeFile(same, PHOTO);
    await writeFile(different, 'other');

    // Act
    const sameResult = await copyMatch(source, same, sha(PHOTO), true);
    const differentResult = await copyMatch(source, different, sha(PHOTO), true);

    // Assess
    expect(sameResult.outcome).toBe('already_present');
    expect(differentResult.outcome).toBe('conflict');
    expect(await readFile(different, 'utf8')).toBe('other');
  });

  it('reports failed with a reason when the source cannot be read', async () => {
    // Prepare
    const destination = join(dir, 'out', 'photo.jpg');

    // Act
    const result = await copyMatch(join(dir, 'in', 'vanished.jpg'), destination, sha(PHOTO), false);

    // Assess
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(/ENOENT/);
    expect(await exists(destination)).toBe(false);
  });
});
