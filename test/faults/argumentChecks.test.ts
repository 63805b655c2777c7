import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliBounded } from '../helpers/boundedCli.js';
import { type FaultWorld, listAll, makeFaultWorld } from '../helpers/faultWorld.js';

const BOUND_MS = 40_000;

/** One line on stderr, no stack trace. */
const expectOneLine = (stderr: string, pattern: RegExp): void => {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^mespotter: /);
  expect(lines[0]).toMatch(pattern);
};

describe('fault: empty and wrong-kind arguments are refused up front (issue 18, low items)', () => {
  let world: FaultWorld;

  beforeAll(async () => {
    world = await makeFaultWorld({ matching: 1 });
  }, 120_000);

  afterAll(async () => {
    await rm(world.work, { recursive: true, force: true });
  });

  it(
    'sort --out "" is refused (exit 2), not taken as the current folder',
    async () => {
      const cwd = join(world.work, 'cwd-sort');
      await mkdir(cwd);
      const args = world.sortArgs('');

      const run = await runCliBounded(args, BOUND_MS, { cwd });

      expect(run.code).toBe(2);
      expectOneLine(run.stderr, /--out needs a path, got an empty one/);
      expect(await listAll(cwd)).toEqual([]);
    },
    BOUND_MS + 5_000,
  );

  it(
    'enroll --from-tags FILE says it is a file, not a folder',
    async () => {
      const file = join(world.work, 'tags.txt');
      await writeFile(file, 'not a folder');

      const run = await runCliBounded(['enroll', '--from-tags', file, '--library', world.library], BOUND_MS);

      expect(run.code).toBe(2);
      expectOneLine(run.stderr, /--from-tags .*tags\.txt: it is a regular file, not a folder/);
    },
    BOUND_MS + 5_000,
  );

  it(
    'a bad --keyword-root is exit 2 before any photo, not a failure on each',
    async () => {
      const run = await runCliBounded(
        [
          'tag',
          world.input,
          '--person',
          'me',
          '--keyword-root',
          'People||Family',
          '--library',
          world.library,
        ],
        BOUND_MS,
      );

      expect(run.code).toBe(2);
      expectOneLine(run.stderr, /keyword root must be '\|'-separated names: People\|\|Family/);
      expect(run.stdout).toBe('');
    },
    BOUND_MS + 5_000,
  );

  it(
    'people --forget "" is refused (exit 2), not silently ignored',
    async () => {
      const run = await runCliBounded(
        ['people', '--forget', '', '--yes', '--library', world.library],
        BOUND_MS,
      );

      expect(run.code).toBe(2);
      expectOneLine(run.stderr, /--forget needs the name of a person, got an empty one/);
      expect(run.stdout).toBe('');
    },
    BOUND_MS + 5_000,
  );
});
