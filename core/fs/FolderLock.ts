import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { LockedError } from '../errors.js';
import { isProcessAlive } from './isProcessAlive.js';
import { trackTemp, untrackTemp } from './liveTempFiles.js';
import { tempPathFor } from './tempName.js';

export const LOCK_FILE = '.mespotter.lock';

const lockSchema = z.object({
  pid: z.number().int(),
  host: z.string(),
  startedAt: z.string(),
  command: z.string(),
});
export type LockOwner = z.infer<typeof lockSchema>;

const describeOwner = (o: LockOwner): string =>
  `pid ${o.pid} on ${o.host}, started ${o.startedAt}: ${o.command}`;

/**
 * An exclusive claim on a folder for one run, so two runs never write the same copies and reports
 * at once. The lock file is complete the moment it appears (written to a temporary, then
 * hard-linked into place). A lock whose process is gone from this host is stale and taken over; a
 * live one, or one from another host, refuses the second run with a message naming the first.
 */
export class FolderLock {
  /**
   * Locks this process holds, or is taking (registered before the link that creates the file), so
   * an immediate exit (a second Ctrl-C) can release them even while a command is still acquiring.
   */
  static readonly #held = new Set<FolderLock>();

  readonly path: string;
  readonly #owner: LockOwner;
  #released = false;

  private constructor(path: string, owner: LockOwner) {
    this.path = path;
    this.#owner = owner;
  }

  static async acquire(dir: string, command: string): Promise<FolderLock> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, LOCK_FILE);
    const owner: LockOwner = {
      pid: process.pid,
      host: hostname(),
      startedAt: new Date().toISOString(),
      command,
    };
    const tmp = tempPathFor(path);
    const lock = new FolderLock(path, owner);
    FolderLock.#held.add(lock);
    trackTemp(tmp);
    let taken = false;
    try {
      await writeFile(tmp, `${JSON.stringify(owner)}\n`, { flag: 'wx' });
      for (let attempt = 0; ; attempt++) {
        try {
          await link(tmp, path);
          taken = true;
          return lock;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
        const current = await readOwner(path);
        if (attempt === 0 && current && current.host === owner.host && !isProcessAlive(current.pid)) {
          // Stale: its run was killed. Take it over, once; a second EEXIST means another run won.
          await unlink(path).catch(() => undefined);
          continue;
        }
        throw new LockedError(
          current
            ? `${dir} is in use by another mespotter run (${describeOwner(current)}); wait for it to finish` +
                (current.host === owner.host ? '' : `, or delete ${path} if that run is gone`)
            : `${dir} is locked by ${path}, which is not a valid mespotter lock; delete it if no run is active`,
        );
      }
    } finally {
      if (!taken) FolderLock.#held.delete(lock);
      await unlink(tmp).catch(() => undefined);
      untrackTemp(tmp);
    }
  }

  /** Releases every lock this process holds or is taking. Synchronous: it runs right before exit. */
  static releaseAllSync(): void {
    for (const lock of [...FolderLock.#held]) lock.release();
  }

  /** Removes the lock if it is still ours. Synchronous so it also works from an exit handler. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    FolderLock.#held.delete(this);
    try {
      const current = lockSchema.safeParse(JSON.parse(readFileSync(this.path, 'utf8')));
      if (
        current.success &&
        current.data.pid === this.#owner.pid &&
        current.data.startedAt === this.#owner.startedAt
      )
        unlinkSync(this.path);
    } catch {
      // Already gone.
    }
  }
}

const readOwner = async (path: string): Promise<LockOwner | undefined> => {
  try {
    const parsed = lockSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
};
