import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMP_PREFIX } from '../../core/fs/tempName.js';
import { type FaultWorld, listAll, makeFaultWorld, sha256 } from '../helpers/faultWorld.js';
import * as fx from '../helpers/imageFixtures.js';
import { latestRunDir, readRunLines } from '../helpers/reportRuns.js';
import { runCliProcess } from '../helpers/spawnCli.js';
import { mountTmpfs } from '../helpers/tmpfs.js';

describe('fault: a full disk and a read-only output', () => {
  let world: FaultWorld;
  const unmounts: (() => void)[] = [];

  beforeAll(async () => {
    // Four 1 MiB photos of the person: a 2.5 MiB disk holds two copies, not four.
    const photo = await readFile(fx.samplePath(1));
    world = await makeFaultWorld({
      matching: 4,
      photo: async (i) => Buffer.concat([photo, Buffer.alloc(1024 * 1024 - photo.length, i + 1)]),
    });
  }, 120_000);

  afterAll(async () => {
    for (const u of unmounts) u();
    await rm(world.work, { recursive: true, force: true });
  });

  it('ENOSPC: the copies that fit are exact, the others fail with the reason, no partial file, exit 1', async (ctx) => {
    const disk = join(world.work, 'small-disk');
    const mounted = await mountTmpfs(disk, { sizeBytes: 2.5 * 1024 * 1024 });
    if (!mounted.ok) {
      console.warn(`skipped: cannot mount a tmpfs here (${mounted.reason})`);
      ctx.skip();
      return;
    }
    unmounts.push(mounted.unmount);
    const report = join(world.work, 'report-enospc');

    const run = await runCliProcess(world.sortArgs(disk, '--report', report, '--lanes', '1'));

    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    const lines = (await readRunLines(await latestRunDir(report))).filter((l) => l.status === 'matched');
    expect(lines).toHaveLength(4);
    const failed = lines.filter((l) => l.copies?.[0]?.outcome === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    for (const l of failed) expect(l.copies?.[0]?.reason).toMatch(/no space left on the device \(ENOSPC\)/);
    const copied = lines.filter((l) => l.copies?.[0]?.outcome === 'copied').map((l) => l.path);
    expect(copied.length).toBeGreaterThan(0);
    const onDisk = (await listAll(disk)).filter((f) => !f.startsWith('.mespotter'));
    expect(onDisk.sort()).toEqual(copied.sort());
    for (const f of onDisk) expect(await sha256(join(disk, f))).toBe(await sha256(join(world.input, f)));
    expect((await listAll(disk)).filter((f) => f.includes(TEMP_PREFIX))).toEqual([]);
  });

  it('EROFS: a read-only output is refused with one line, exit 2', async (ctx) => {
    const disk = join(world.work, 'read-only');
    const mounted = await mountTmpfs(disk, { sizeBytes: 1024 * 1024, readOnly: true });
    if (!mounted.ok) {
      console.warn(`skipped: cannot mount a read-only tmpfs here (${mounted.reason})`);
      ctx.skip();
      return;
    }
    unmounts.push(mounted.unmount);

    const run = await runCliProcess(world.sortArgs(disk, '--report', join(world.work, 'report-erofs')));

    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^mespotter: cannot write to .*read-only: read-only file system \(EROFS\)/);
  });
});
