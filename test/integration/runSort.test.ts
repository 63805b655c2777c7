import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadedPeople, peopleOfGalleries } from '../../cli/people/loadPeople.js';
import { runSort } from '../../cli/sort/runSort.js';
import { FaceEngine } from '../../core/FaceEngine.js';
import { Library } from '../../core/library/Library.js';
import { buildGallery, pickReferenceFace } from '../../core/match/gallery.js';
import { Layout } from '../../core/report/copyPlan.js';
import type { PhotoAnalyzer } from '../../core/runtime/PhotoAnalyzer.js';
import * as fx from '../helpers/imageFixtures.js';

let engine: FaceEngine;

beforeAll(async () => {
  engine = await FaceEngine.create();
});

afterAll(async () => {
  await engine.close();
});

const silent = { start: () => undefined, update: () => undefined, stop: () => undefined };

/** One person, "p", from the middle woman of sample1, at threshold 0.4. */
const onePerson = async (): Promise<LoadedPeople> => {
  const ref = pickReferenceFace((await engine.analyze(await readFile(fx.samplePath(1)))).faces)!;
  const { gallery } = buildGallery('p', engine.modelSetId, [{ source: 'r', sha256: 'x', face: ref }], [], {
    minAgreement: 0.25,
  });
  return peopleOfGalleries([gallery], 0.4);
};

describe('Function: runSort', () => {
  it('reports a file that vanishes mid-run and carries on', async () => {
    // Prepare: three photos; the first analysis deletes the third after the folder was listed (with
    // two photos in flight, c.jpg is read only once a.jpg or b.jpg is done)
    const dir = await mkdtemp(join(tmpdir(), 'mespotter-vanish-'));
    const input = join(dir, 'in');
    await mkdir(input);
    await copyFile(fx.samplePath(1), join(input, 'a.jpg'));
    await copyFile(fx.samplePath(2), join(input, 'b.jpg'));
    await copyFile(fx.samplePath(3), join(input, 'c.jpg'));
    const people = await onePerson();
    let first = true;
    const deleting: PhotoAnalyzer = {
      modelSetId: engine.modelSetId,
      config: engine.config,
      analyze: async (bytes) => {
        if (first) {
          first = false;
          await rm(join(input, 'c.jpg'), { force: true });
        }
        return engine.analyze(bytes);
      },
      embedAligned: (b) => engine.embedAligned(b),
      describeAligned: (b) => engine.describeAligned(b),
      close: async () => undefined,
    };
    const library = Library.open(join(dir, 'library.db'));

    // Act
    const { summary, runDir } = await runSort(deleting, {
      input,
      output: join(dir, 'out'),
      library,
      people,
      layout: Layout.Flat,
      dryRun: false,
      lanes: 1,
      progress: silent,
    });
    library.close();

    // Assess
    const lines = (await readFile(join(runDir, 'results.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.find((l) => l.path === 'c.jpg')).toMatchObject({ status: 'error', code: 'vanished' });
    expect(lines.find((l) => l.path === 'b.jpg')).toMatchObject({ status: 'no_match' });
    expect(lines.find((l) => l.path === 'a.jpg')).toMatchObject({ status: 'matched', people: ['p'] });
    expect(summary.total).toBe(3);
  });

  it('refuses to write into the folder it reads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mespotter-same-'));
    const library = Library.open(join(dir, 'library.db'));
    await expect(
      runSort(engine, {
        input: dir,
        output: dir,
        library,
        people: await onePerson(),
        layout: Layout.Flat,
        dryRun: false,
        lanes: 1,
        progress: silent,
      }),
    ).rejects.toThrow(/must differ/);
    library.close();
  });
});
