import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LockedError } from '../../core/errors.js';
import { FolderLock, LOCK_FILE } from '../../core/fs/FolderLock.js';

describe('FolderLock', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mespotter-lock-'));
  });
  afterEach(async () => {
    FolderLock.releaseAllSync();
    await rm(dir, { recursive: true, force: true });
  });

  it('holds the folder: a second acquire is refused naming the first; release frees it', async () => {
    const lock = await FolderLock.acquire(dir, 'mespotter sort a');
    await expect(FolderLock.acquire(dir, 'mespotter sort b')).rejects.toThrow(LockedError);
    await expect(FolderLock.acquire(dir, 'mespotter sort b')).rejects.toThrow(/mespotter sort a/);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    (await FolderLock.acquire(dir, 'mespotter sort b')).release();
    // No temporary is left by the attempts.
    expect(await readdir(dir)).toEqual([]);
  });

  it('releaseAllSync removes every lock this process holds (the exit path of a second Ctrl-C)', async () => {
    const other = await mkdtemp(join(tmpdir(), 'mespotter-lock-'));
    await FolderLock.acquire(dir, 'mespotter sort');
    await FolderLock.acquire(other, 'mespotter sort');
    FolderLock.releaseAllSync();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    expect(existsSync(join(other, LOCK_FILE))).toBe(false);
    await rm(other, { recursive: true, force: true });
  });

  it('releaseAllSync never removes another run’s lock', async () => {
    const foreign = `${JSON.stringify({ pid: 1, host: 'elsewhere', startedAt: 'x', command: 'other' })}\n`;
    await writeFile(join(dir, LOCK_FILE), foreign);
    FolderLock.releaseAllSync();
    expect(await readFile(join(dir, LOCK_FILE), 'utf8')).toBe(foreign);
  });
});
