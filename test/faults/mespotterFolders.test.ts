/**
 * A mespotter run's output and report folders inside a collection are not more photos: after
 * `sort IN --out IN/sub`, every later walk over IN (sort, index, who, tag, enroll, cluster) must pass
 * IN/sub by, with its copies and its report's thumbnails (real CLI processes).
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultWorld, listAll, makeFaultWorld } from '../helpers/faultWorld.js';
import { runCliProcess } from '../helpers/spawnCli.js';

const jsonLines = (text: string): Record<string, unknown>[] =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('fault: mespotter folders inside the input are not scanned as photos', () => {
  let world: FaultWorld;
  let lib: string[];

  beforeAll(async () => {
    world = await makeFaultWorld();
    lib = ['--library', world.library];
    // The first run writes its copies and its report (with thumbnails) inside the input.
    const first = await runCliProcess(world.sortArgs(join(world.input, 'sub')));
    expect(first.code).toBe(0);
    const inside = await listAll(join(world.input, 'sub'));
    expect(inside.filter((f) => f.endsWith('.jpg')).length).toBeGreaterThan(2);
  }, 120_000);

  afterAll(async () => {
    await rm(world.work, { recursive: true, force: true });
  });

  it('a later sort over the input finds the person in the 2 photos, not in the copies and thumbnails', async () => {
    // Before the fix: 6 photos (2 + 2 copies + 2 report thumbnails).
    const run = await runCliProcess([...world.sortArgs(join(world.work, 'out-2')), '--json']);

    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as { people: { name: string; photos: number }[] };
    expect(summary.people).toMatchObject([{ name: 'me', photos: 2 }]);
    expect((await listAll(join(world.work, 'out-2'))).filter((f) => !f.startsWith('.mespotter'))).toEqual([
      'me-000.jpg',
      'me-001.jpg',
    ]);
  }, 120_000);

  it('index, who, tag and enroll read the 3 photos of the input and nothing under IN/sub', async () => {
    const index = await runCliProcess(['index', world.input, '--json', '--quiet', ...lib]);
    expect(index.code).toBe(0);
    expect(JSON.parse(index.stdout)).toMatchObject({ files: 4, skipped: 1 });

    const who = await runCliProcess(['who', world.input, '--json', ...lib]);
    expect(who.code).toBe(0);
    expect(jsonLines(who.stdout).map((l) => String(l['path']).slice(world.input.length + 1))).toEqual([
      'me-000.jpg',
      'me-001.jpg',
      'others.jpg',
    ]);

    const tag = await runCliProcess(['tag', world.input, '--person', 'me', '--dry-run', '--json', ...lib]);
    expect(tag.code).toBe(0);
    expect(
      jsonLines(tag.stdout)
        .slice(0, -1)
        .map((l) => String(l['path']).slice(world.input.length + 1)),
    ).toEqual(['me-000.jpg', 'me-001.jpg', 'others.jpg']);

    // Group photos: every one is refused, and each refusal names the photo it read.
    const enroll = await runCliProcess(['enroll', '--person', 'again', world.input, '--json', ...lib]);
    const read = JSON.parse(enroll.stdout) as {
      accepted: { source: string }[];
      rejected: { source: string }[];
    };
    expect(
      [...read.accepted, ...read.rejected].map((r) => r.source.slice(world.input.length + 1)).sort(),
    ).toEqual(['me-000.jpg', 'me-001.jpg', 'others.jpg']);
  }, 120_000);

  it('enroll --folders does not take an output folder for a person', async () => {
    const known = join(world.work, 'known');
    await mkdir(known);
    const sorted = await runCliProcess(world.sortArgs(join(known, 'sorted')));
    expect(sorted.code).toBe(0);

    const run = await runCliProcess(['enroll', '--folders', known, ...lib]);

    // Before the fix "sorted" was enrolled from the copies in it.
    expect(run.stderr + run.stdout).toMatch(/skipped folder "sorted": a mespotter output folder/);
    const people = await runCliProcess(['people', '--json', ...lib]);
    expect(jsonLines(people.stdout).map((p) => p['name'])).not.toContain('sorted');
  }, 120_000);
});
