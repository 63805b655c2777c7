import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../core/library/Library.js';
import { libraryStats } from '../../core/library/libraryStats.js';
import * as fx from '../helpers/imageFixtures.js';
import { runCliProcess, startCli } from '../helpers/spawnCli.js';

let work: string;

/** `n` different photos (distinct content) of faces, into `dir`. */
const photos = async (dir: string, n: number, offset: number): Promise<void> => {
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < n; i++) {
    const size = 480 + 16 * (i + offset);
    await writeFile(
      join(dir, `p${i}.jpg`),
      await fx.cropAround(fx.samplePath(1 + ((i + offset) % 6)), fx.PERSON_BOX, { margin: 2, size }),
    );
  }
};

const photoCount = (path: string): number => {
  if (!existsSync(path)) return 0;
  let lib: Library;
  try {
    lib = Library.open(path, { readonly: true });
  } catch {
    // The indexer is still creating the schema.
    return 0;
  }
  try {
    return libraryStats(lib).photos;
  } finally {
    lib.close();
  }
};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mespotter-libproc-'));
  await photos(join(work, 'a'), 12, 0);
  await photos(join(work, 'b'), 12, 12);
}, 120_000);

describe('the library under real processes', () => {
  it('a killed index loses only the photos in flight: the library checks clean and a re-run finishes', async () => {
    const library = join(work, 'killed.db');
    const run = startCli(['index', join(work, 'a'), '--library', library, '--quiet', '--lanes', '1']);
    // Kill as soon as a few photos are committed.
    for (let i = 0; i < 3000 && photoCount(library) < 3; i++) await sleep(10);
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    const before = photoCount(library);
    expect(before).toBeGreaterThanOrEqual(3);
    expect(before).toBeLessThan(12);

    const check = await runCliProcess(['library', 'check', '--library', library]);
    expect(check.code, check.stdout).toBe(0);
    const again = await runCliProcess(['index', join(work, 'a'), '--library', library, '--json']);
    expect(again.code).toBe(0);
    const summary = JSON.parse(again.stdout);
    expect(summary.files).toBe(12);
    expect(summary.analysed + summary.reused).toBe(12);
    expect(summary.reused).toBeGreaterThanOrEqual(before);
    expect(photoCount(library)).toBe(12);
  }, 180_000);

  it('two processes indexing into one library at once both finish, and nothing is lost', async () => {
    const library = join(work, 'shared.db');
    const [a, b] = await Promise.all([
      runCliProcess(['index', join(work, 'a'), '--library', library, '--quiet', '--lanes', '1']),
      runCliProcess(['index', join(work, 'b'), '--library', library, '--quiet', '--lanes', '1']),
    ]);

    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(photoCount(library)).toBe(24);
    expect((await runCliProcess(['library', 'check', '--library', library])).code).toBe(0);
  }, 180_000);
});
