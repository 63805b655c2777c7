import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FaceEngine } from '../../core/FaceEngine.js';
import { cosine } from '../../core/match/similarity.js';
import * as fx from '../helpers/imageFixtures.js';
import { runCli as mespotter } from '../helpers/runCli.js';
import { runCliProcess } from '../helpers/spawnCli.js';

/** Face boxes (1920 px sample photos) of six different women, one crop set each. */
const PEOPLE = [
  { sample: 1, box: fx.PERSON_BOX },
  { sample: 1, box: { x1: 829, y1: 431, x2: 1030, y2: 641 } },
  { sample: 2, box: { x1: 890, y1: 220, x2: 1063, y2: 462 } },
  { sample: 4, box: { x1: 992, y1: 182, x2: 1163, y2: 431 } },
  { sample: 5, box: { x1: 604, y1: 429, x2: 764, y2: 664 } },
  { sample: 6, box: { x1: 678, y1: 325, x2: 845, y2: 624 } },
];

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mespotter-pairs-'));
  // LFW layout: name/name_0001.jpg; two differently cropped, sized and exposed shots per person.
  for (const [i, p] of PEOPLE.entries()) {
    const name = `person${i}`;
    await mkdir(join(root, name));
    await writeFile(
      join(root, name, `${name}_0001.jpg`),
      await fx.cropAround(fx.samplePath(p.sample), p.box, { margin: 0.9, size: 250, brightness: 0.9 }),
    );
    await writeFile(
      join(root, name, `${name}_0002.jpg`),
      await fx.cropAround(fx.samplePath(p.sample), p.box, {
        margin: 1.5,
        size: 330,
        brightness: 1.15,
        jpegQuality: 70,
      }),
    );
  }
}, 60_000);

describe('mespotter compare', () => {
  it('says "same person" for the same face and "different people" for two women', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mespotter-compare-'));
    await copyFile(join(root, 'person0/person0_0001.jpg'), join(dir, 'a.jpg'));
    const same = JSON.parse(
      await mespotter('compare', '--no-cache', '--json', join(dir, 'a.jpg'), fx.samplePath(1)),
    );
    const different = JSON.parse(
      await mespotter('compare', '--no-cache', '--json', join(dir, 'a.jpg'), fx.samplePath(2)),
    );
    expect(same).toMatchObject({ same: true, facesInB: 3 });
    expect(same.similarity).toBeGreaterThan(0.8);
    expect(different).toMatchObject({ same: false, facesInB: 3 });
  });
});

describe('mespotter calibrate', () => {
  it('reads an LFW pairs file and prints accuracy, AUC and a threshold as JSON', async () => {
    // Prepare: 2 folds, each with 3 matched and 3 mismatched pairs
    const lines = ['2 3'];
    for (const fold of [0, 1]) {
      for (let k = 0; k < 3; k++) lines.push(`person${fold * 3 + k} 1 2`);
      for (let k = 0; k < 3; k++) lines.push(`person${fold * 3 + k} 1 person${(fold * 3 + k + 1) % 6} 2`);
    }
    await writeFile(join(root, 'pairs.txt'), `${lines.join('\n')}\n`);

    // Act
    const result = JSON.parse(
      await mespotter(
        'calibrate',
        '--no-cache',
        '--pairs',
        join(root, 'pairs.txt'),
        '--format',
        'lfw',
        '--root',
        root,
        '--json',
      ),
    );

    // Assess: these pairs are easy; every number must say so
    expect(result).toMatchObject({ pairs: 12, images: 12, missingFaces: 0, accuracy: 1, auc: 1 });
    expect(result.threshold).toBeGreaterThan(0);
    expect(result.threshold).toBeLessThan(1);
  });

  it('reads CSV pairs and restricts to the folds asked for', async () => {
    await writeFile(
      join(root, 'pairs.csv'),
      [
        'a,b,same,fold',
        'person0/person0_0001.jpg,person0/person0_0002.jpg,1,1',
        'person0/person0_0001.jpg,person1/person1_0002.jpg,0,1',
        'person2/person2_0001.jpg,person2/person2_0002.jpg,1,2',
        'person2/person2_0001.jpg,person3/person3_0002.jpg,0,2',
        'person4/person4_0001.jpg,person4/person4_0002.jpg,1,3',
        'person4/person4_0001.jpg,person5/person5_0002.jpg,0,3',
      ].join('\n'),
    );
    const result = JSON.parse(
      await mespotter(
        'calibrate',
        '--no-cache',
        '--pairs',
        join(root, 'pairs.csv'),
        '--format',
        'csv',
        '--root',
        root,
        '--folds',
        '1,3',
        '--json',
      ),
    );
    expect(result).toMatchObject({ pairs: 4, images: 6, auc: 1 });
  });
});

describe('calibrate and compare score a pair as sort decides', () => {
  /** The built command (MESPOTTER_TEST_CLI can point at another build); its stdout, or why it failed. */
  const cli = async (...args: string[]): Promise<string> => {
    const r = await runCliProcess(args);
    if (r.code !== 0) throw new Error(`mespotter ${args[0]} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };

  it("reports who's fused score by default, and the first embedder's cosine with --embed fast", async () => {
    // Prepare: person0 enrolled from her first photo; who scores her second photo and person1's
    const dir = await mkdtemp(join(tmpdir(), 'mespotter-calibrate-sort-'));
    const library = join(dir, 'library.db');
    const [ref, same, other] = [
      'person0/person0_0001.jpg',
      'person0/person0_0002.jpg',
      'person1/person1_0002.jpg',
    ];
    await cli('enroll', '--library', library, '--person', 'person0', join(root, ref));
    const who = (await cli('who', '--library', library, '--json', join(root, same), join(root, other)))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { faces: { score: number }[] });
    expect(who.map((w) => w.faces.length)).toEqual([1, 1]);
    const [sameScore, otherScore] = who.map((w) => w.faces[0]!.score) as [number, number];
    expect(sameScore).toBeGreaterThan(otherScore);
    // The first embedder's cosine of the two photos' only faces, from an engine of our own.
    const engine = await FaceEngine.create();
    const faces = await Promise.all(
      [ref, same].map(async (f) => (await engine.analyze(await readFile(join(root, f)))).faces),
    ).finally(() => engine.close());
    expect(faces.map((f) => f.length)).toEqual([1, 1]);
    const firstEmbedder = cosine(faces[0]![0]!.embedding, faces[1]![0]!.embedding);
    expect(Math.abs(firstEmbedder - sameScore)).toBeGreaterThan(0.01);
    const pairs = join(dir, 'pairs.csv');
    await writeFile(pairs, `a,b,same\n${ref},${same},1\n${ref},${other},0\n`);
    const calibrate = (...extra: string[]) =>
      cli(
        'calibrate',
        '--library',
        library,
        '--lanes',
        '1',
        '--pairs',
        pairs,
        '--format',
        'csv',
        '--root',
        root,
        ...extra,
      );

    // Act: the default scoring
    const fused = JSON.parse(await calibrate('--json'));
    const text = await calibrate();
    const compared = JSON.parse(
      await cli('compare', '--library', library, '--json', join(root, ref), join(root, same)),
    );

    // Assess: with one same-person pair above the one different pair, TAR at FAR 1e-3 is reached at
    // exactly the same-person pair's own score, which must be the score who gave that face
    expect(fused.tarAtFar1e3Threshold).toBeCloseTo(sameScore, 3);
    expect(fused).toMatchObject({ embed: 'fused', fusedPairs: 2, pairs: 2, missingFaces: 0 });
    expect(text).toMatch(/^scoring fused \(both embedders, as sort decides/);
    expect(compared.similarity).toBeCloseTo(sameScore, 3);
    expect(compared).toMatchObject({ embed: 'fused', same: true });

    // Act: the first embedder alone, from the same stored analyses
    const fast = JSON.parse(await calibrate('--json', '--embed', 'fast'));
    const comparedFast = JSON.parse(
      await cli(
        'compare',
        '--library',
        library,
        '--json',
        '--embed',
        'fast',
        join(root, ref),
        join(root, same),
      ),
    );

    // Assess
    expect(fast.tarAtFar1e3Threshold).toBeCloseTo(firstEmbedder, 4);
    expect(fast).toMatchObject({ embed: 'fast', fusedPairs: 0 });
    expect(comparedFast.similarity).toBeCloseTo(firstEmbedder, 4);
    expect(comparedFast).toMatchObject({ embed: 'fast', same: true });
  }, 120_000);

  it('refuses an embed mode it does not know with exit 2', async () => {
    const r = await runCliProcess(['calibrate', '--pairs', 'p.txt', '--root', '.', '--embed', 'exact']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--embed <mode>.*Allowed choices are fused, fast/);
  });
});
