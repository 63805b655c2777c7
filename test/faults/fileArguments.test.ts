import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliBounded } from '../helpers/boundedCli.js';
import { type FaultWorld, makeFaultWorld } from '../helpers/faultWorld.js';

/** Long enough to load the models on a busy machine; a read of a FIFO never ends, so it shows. */
const BOUND_MS = 40_000;

const NOT_REGULAR = /it is (a FIFO \(named pipe\)|a character device), not a regular file/;

describe('fault: a FIFO or a device given where a file is expected (issue 18, item 11)', () => {
  let world: FaultWorld;
  let fifo: string;

  beforeAll(async () => {
    world = await makeFaultWorld({ matching: 1 });
    fifo = join(world.work, 'photo.jpg');
    // A real named pipe: opening it for reading blocks until a writer comes, which none will.
    execFileSync('mkfifo', [fifo]);
  }, 120_000);

  afterAll(async () => {
    await rm(world.work, { recursive: true, force: true });
  });

  const photo = (): string => join(world.input, 'me-000.jpg');

  it.each([
    ['compare with a FIFO', (): string[] => ['compare', fifo, photo()]],
    ['compare with /dev/zero', (): string[] => ['compare', photo(), '/dev/zero']],
    ['calibrate --pairs a FIFO', (): string[] => ['calibrate', '--pairs', fifo, '--root', world.work]],
    [
      'calibrate --pairs /dev/zero',
      (): string[] => ['calibrate', '--pairs', '/dev/zero', '--root', world.work],
    ],
    ['library import of a FIFO', (): string[] => ['library', 'import', fifo, '--library', world.library]],
  ])(
    '%s: refused at once with one line (exit 2), no hang, no endless read',
    async (_name, args) => {
      const run = await runCliBounded(args(), BOUND_MS);

      expect(run.timedOut, 'the command hung').toBe(false);
      expect(run.code).toBe(2);
      const lines = run.stderr.trim().split('\n');
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^mespotter: cannot read the (photo|pairs file|export) /);
      expect(lines[0]).toMatch(NOT_REGULAR);
    },
    BOUND_MS + 10_000,
  );

  it.each([
    ['who', (f: string): string[] => ['who', f, photo(), '--library', world.library]],
    [
      'tag',
      (f: string): string[] => ['tag', f, photo(), '--person', 'me', '--dry-run', '--library', world.library],
    ],
  ])(
    '%s names a FIFO and /dev/zero for what they are, not "an empty file", and goes on with the rest',
    async (_name, args) => {
      for (const target of [fifo, '/dev/zero']) {
        const run = await runCliBounded(args(target), BOUND_MS);

        expect(run.timedOut, 'the command hung').toBe(false);
        expect(run.code).toBe(1);
        expect(run.stderr).toContain(`${target}: not_regular_file: `);
        expect(run.stderr).toMatch(NOT_REGULAR);
        expect(run.stderr).not.toMatch(/empty file/);
        expect(run.stdout).toContain('me-000.jpg');
      }
    },
    2 * BOUND_MS + 10_000,
  );

  it(
    'enroll says a FIFO reference is not a regular file, not "an empty file"',
    async () => {
      const run = await runCliBounded(
        ['enroll', '--person', 'pipe', fifo, '--library', join(world.work, 'enroll-fifo.db')],
        BOUND_MS,
      );

      expect(run.timedOut, 'the command hung').toBe(false);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(NOT_REGULAR);
      expect(run.stderr).not.toMatch(/empty file/);
    },
    BOUND_MS + 10_000,
  );
});
