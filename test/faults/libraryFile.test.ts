import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../core/library/Library.js';
import { MIGRATIONS } from '../../core/library/migrations.js';
import { runCliProcess } from '../helpers/spawnCli.js';

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mespotter-libfile-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('fault: the library file', () => {
  it('several processes creating the same new library at once all succeed, with one schema', async () => {
    // Before: the second process to take the write lock ran migration 1 again ("table photos already exists").
    for (let round = 0; round < 5; round++) {
      const library = join(work, `race-${round}.db`);
      const runs = await Promise.all(
        Array.from({ length: 6 }, () => runCliProcess(['people', '--library', library])),
      );
      for (const r of runs) {
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
      }
      const opened = Library.open(library, { readonly: true });
      expect(opened.schemaVersion).toBe(MIGRATIONS.length);
      opened.close();
    }
  }, 120_000);
});
