import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultWorld, listAll, makeFaultWorld, sha256 } from '../helpers/faultWorld.js';
import { latestRunDir, readRunLines } from '../helpers/reportRuns.js';
import { runCliProcess } from '../helpers/spawnCli.js';

/** Path → sha256 of every file under `dir`: a folder's complete state. */
const snapshot = async (dir: string): Promise<Record<string, string>> => {
  const out: Record<string, string> = {};
  for (const f of await listAll(dir)) out[f] = await sha256(join(dir, f));
  return out;
};

describe('fault: the report folder never loses a file mespotter did not create', () => {
  let world: FaultWorld;

  beforeAll(async () => {
    world = await makeFaultWorld();
  });

  afterAll(async () => {
    await rm(world.work, { recursive: true, force: true });
  });

  it('refuses --report on a folder of the user’s photos with a thumbs/ subfolder and changes nothing', async () => {
    // Before the fix this deleted thumbs/ recursively and truncated results.jsonl.
    const pictures = join(world.work, 'Pictures');
    await mkdir(join(pictures, 'thumbs'), { recursive: true });
    await writeFile(join(pictures, 'thumbs', 'holiday.jpg'), await readFile(join(world.input, 'me-000.jpg')));
    await writeFile(join(pictures, 'results.jsonl'), 'my own notes\n');
    await writeFile(join(pictures, 'cat.jpg'), 'a photo of my cat');
    const before = await snapshot(pictures);

    const run = await runCliProcess(world.sortArgs(join(world.work, 'out-a'), '--report', pictures));

    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/holds files mespotter did not create .*choose an empty or new folder/);
    expect(await snapshot(pictures)).toEqual(before);
  });

  it('refuses a report folder inside the input unless it is the default OUT/.mespotter', async () => {
    const run = await runCliProcess(
      world.sortArgs(join(world.work, 'out-b'), '--report', join(world.input, 'my-report')),
    );

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/is inside the input folder/);
    expect(await readdir(world.input)).not.toContain('my-report');
  });

  it('keeps every run: a second run adds its own folder, the first is untouched, the index links both', async () => {
    const out = join(world.work, 'out-c');
    expect((await runCliProcess(world.sortArgs(out))).code).toBe(0);
    const report = join(out, '.mespotter');
    const firstRun = await latestRunDir(report);
    const firstState = await snapshot(firstRun);

    expect((await runCliProcess(world.sortArgs(out))).code).toBe(0);

    const runs = await readdir(join(report, 'runs'));
    expect(runs).toHaveLength(2);
    expect(await snapshot(firstRun)).toEqual(firstState);
    const second = await readRunLines(await latestRunDir(report));
    expect(second.filter((l) => l.status === 'matched').map((l) => l.copies?.[0]?.outcome)).toEqual([
      'already_present',
      'already_present',
    ]);
    const index = await readFile(join(report, 'index.html'), 'utf8');
    for (const r of runs) expect(index).toContain(`runs/${encodeURIComponent(r)}/report.html`);
  });

  it('adopts a report folder written by an older version without touching its files', async () => {
    const out = join(world.work, 'out-d');
    const legacy = join(out, '.mespotter');
    await mkdir(join(legacy, 'thumbs'), { recursive: true });
    await writeFile(join(legacy, 'results.jsonl'), '{"old":true}\n');
    await writeFile(join(legacy, 'summary.json'), '{}\n');
    await writeFile(join(legacy, 'thumbs', '0.jpg'), 'old thumbnail');
    const before = await snapshot(legacy);

    const run = await runCliProcess(world.sortArgs(out));

    expect(run.code).toBe(0);
    const after = await snapshot(legacy);
    for (const [f, h] of Object.entries(before)) expect(after[f]).toBe(h);
  });
});
