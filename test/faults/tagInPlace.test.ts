/**
 * `tag --in-place` rewrites the photo's bytes but not its pixels: the library must keep knowing it
 * as the same photo (its references once, every path known), and what a killed run leaves behind
 * must be cleaned up and never taken for a photo (real CLI processes, real exiftool).
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultWorld, makeFaultWorld } from '../helpers/faultWorld.js';
import { runCliProcess } from '../helpers/spawnCli.js';

/** What `people`, `library stats` and `library check` say about the world's library. */
const libraryState = async (world: FaultWorld) => {
  const lib = ['--library', world.library];
  const people = await runCliProcess(['people', '--json', ...lib]);
  const stats = await runCliProcess(['library', 'stats', '--json', ...lib]);
  const check = await runCliProcess(['library', 'check', ...lib]);
  const s = JSON.parse(stats.stdout) as Record<string, unknown>;
  return {
    people: people.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>),
    stats: { photos: s['photos'], paths: s['paths'], faces: s['faces'], labels: s['labels'] },
    check: { code: check.code, output: `${check.stdout}${check.stderr}`.trim() },
  };
};

describe('fault: tag --in-place keeps the photo it rewrote', () => {
  let world: FaultWorld;

  beforeAll(async () => {
    world = await makeFaultWorld();
  }, 120_000);

  afterAll(async () => {
    await rm(world.work, { recursive: true, force: true });
  });

  it('tagging the reference photos in place leaves 3 references 3, and library check clean', async () => {
    // Before the fix: references 3 -> 6, photos 3 -> 6, and "photo … has no known path" three times.
    const refs = join(world.work, 'refs');
    const before = await libraryState(world);
    expect(before.people).toMatchObject([{ name: 'me', references: 3 }]);
    expect(before.check).toEqual({ code: 0, output: 'library ok' });

    const tag = await runCliProcess([
      'tag',
      refs,
      '--person',
      'me',
      '--in-place',
      '--library',
      world.library,
    ]);

    expect(tag.code).toBe(0);
    expect((await readdir(refs)).filter((f) => f.endsWith('_original'))).toHaveLength(3);
    expect(await libraryState(world)).toEqual(before);
    // And a re-run knows the rewritten files: nothing to write, nothing analysed again.
    const again = await runCliProcess([
      'tag',
      refs,
      '--person',
      'me',
      '--in-place',
      '--json',
      '--library',
      world.library,
    ]);
    const lines = again.stdout
      .trim()
      .split('\n')
      .slice(0, -1)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l['status'], l['cached']])).toEqual([
      ['unchanged', true],
      ['unchanged', true],
      ['unchanged', true],
    ]);
    expect(await libraryState(world)).toEqual(before);
  }, 120_000);
});
