import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';

export type Mounted = { ok: true; unmount: () => void } | { ok: false; reason: string };

const run = (args: string[]): void => {
  execFileSync('mount', args, { stdio: ['ignore', 'ignore', 'pipe'] });
};

/**
 * Mounts a small tmpfs at `dir` (optionally read-only), for full-disk and read-only tests. Needs
 * the right to mount (root in a container that allows it); where the kernel refuses, says why.
 */
export const mountTmpfs = async (
  dir: string,
  o: { sizeBytes: number; readOnly?: boolean },
): Promise<Mounted> => {
  await mkdir(dir, { recursive: true });
  try {
    run(['-t', 'tmpfs', '-o', `size=${o.sizeBytes}`, 'tmpfs', dir]);
    if (o.readOnly) run(['-o', 'remount,ro', dir]);
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return { ok: false, reason: stderr || (error as Error).message };
  }
  return {
    ok: true,
    unmount: () => {
      execFileSync('umount', [dir]);
    },
  };
};
