import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSort } from '../../cli/sort/runSort.js';
import { analyzePhoto } from '../../core/analysis/analyzePhoto.js';
import type { FacesIndex } from '../../core/analysis/FacesIndex.js';
import { FaceEngine } from '../../core/FaceEngine.js';
import { buildGallery, pickReferenceFace } from '../../core/match/gallery.js';
import type { ImageAnalysis } from '../../core/types.js';
import * as fx from '../helpers/imageFixtures.js';

let engine: FaceEngine;

beforeAll(async () => {
  engine = await FaceEngine.create();
});

afterAll(async () => {
  await engine.close();
});

const silent = { start: () => undefined, update: () => undefined, stop: () => undefined };

describe('Function: runSort', () => {
  it('reports a file that vanishes mid-run and carries on', async () => {
    // Prepare: three photos; the first lookup deletes the third after the folder was listed (with two
    // photos in flight per lane, c.jpg is read only once a.jpg or b.jpg is done)
    const dir = await mkdtemp(join(tmpdir(), 'mespotter-vanish-'));
    const input = join(dir, 'in');
    await mkdir(input);
    await copyFile(fx.samplePath(1), join(input, 'a.jpg'));
    await copyFile(fx.samplePath(2), join(input, 'b.jpg'));
    await copyFile(fx.samplePath(3), join(input, 'c.jpg'));
    const ref = pickReferenceFace(
      (await analyzePhoto(engine, await readFile(fx.samplePath(1)))).analysis.faces,
    )!;
    const { gallery } = buildGallery('p', engine.modelSetId, [{ source: 'r', sha256: 'x', face: ref }], [], {
      minAgreement: 0.25,
    });
    const deletingIndex: FacesIndex = {
      get: async (): Promise<ImageAnalysis | undefined> => {
        await rm(join(input, 'c.jpg'), { force: true });
        return undefined;
      },
      put: async () => undefined,
    };

    // Act
    const { summary, runDir } = await runSort(engine, {
      input,
      output: join(dir, 'out'),
      gallery,
      threshold: 0.4,
      dryRun: false,
      index: deletingIndex,
      lanes: 1,
      progress: silent,
    });

    // Assess
    const lines = (await readFile(join(runDir, 'results.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.find((l) => l.path === 'c.jpg')).toMatchObject({ status: 'error', code: 'vanished' });
    expect(lines.find((l) => l.path === 'b.jpg')).toMatchObject({ status: 'no_match' });
    expect(lines.find((l) => l.path === 'a.jpg')).toMatchObject({ status: 'matched' });
    expect(summary.total).toBe(3);
  });

  it('refuses to write into the folder it reads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mespotter-same-'));
    const ref = pickReferenceFace(
      (await analyzePhoto(engine, await readFile(fx.samplePath(1)))).analysis.faces,
    )!;
    const { gallery } = buildGallery('p', engine.modelSetId, [{ source: 'r', sha256: 'x', face: ref }], [], {
      minAgreement: 0.25,
    });
    await expect(
      runSort(engine, {
        input: dir,
        output: dir,
        gallery,
        threshold: 0.4,
        dryRun: false,
        lanes: 1,
        progress: silent,
      }),
    ).rejects.toThrow(/must differ/);
  });
});
