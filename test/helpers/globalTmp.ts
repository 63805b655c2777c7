import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let dir: string | undefined;

/** vitest global setup: every temp folder a test makes goes under one folder, removed at the end. */
export const setup = (): void => {
  dir = mkdtempSync(join(tmpdir(), 'mespotter-tests-'));
  // Workers are started after this and inherit it; os.tmpdir() reads TMPDIR.
  process.env['TMPDIR'] = dir;
  // A command run without --library must never touch the real ~/.local/share/mespotter.
  process.env['XDG_DATA_HOME'] = join(dir, 'xdg-data');
  process.env['XDG_CACHE_HOME'] = join(dir, 'xdg-cache');
  delete process.env['MESPOTTER_LIBRARY'];
};

export const teardown = (): void => {
  if (dir) rmSync(dir, { recursive: true, force: true });
};
