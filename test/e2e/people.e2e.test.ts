import { copyFile, mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../core/library/Library.js';
import { listAll, sha256 } from '../helpers/faultWorld.js';
import * as fx from '../helpers/imageFixtures.js';
import { latestRunDir, readRunLines, readRunSummary } from '../helpers/reportRuns.js';
import { runCliStatus } from '../helpers/runCli.js';
import { runCliProcess } from '../helpers/spawnCli.js';

/** The woman on the right of sample1 (face measured on the 1920x1280 photo); she is also in sample3. */
const RIGHT_BOX = { x1: 1436, y1: 203, x2: 1690, y2: 447 };

let work: string;
let library: string;
let input: string;
let refs: string;

const cli = (...args: string[]) => runCliStatus(...args, '--library', library);

/** Photos of the collection that are copies, by relative path. */
const copied = async (out: string): Promise<string[]> =>
  (await listAll(out)).filter((f) => !f.startsWith('.mespotter'));

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mespotter-people-'));
  library = join(work, 'library.db');
  input = join(work, 'photos');
  refs = join(work, 'known');
  await mkdir(join(refs, 'Mia'), { recursive: true });
  await mkdir(join(refs, 'Rose'), { recursive: true });
  await mkdir(input, { recursive: true });
  // face_recognition's known/ layout: a folder per person, three crops each.
  const variants = [
    { margin: 0.8, size: 300 },
    { margin: 1.2, size: 420, brightness: 1.1 },
    { margin: 1.6, size: 260 },
  ];
  for (const [i, v] of variants.entries()) {
    await writeFile(join(refs, 'Mia', `${i}.jpg`), await fx.cropAround(fx.samplePath(1), fx.PERSON_BOX, v));
    await writeFile(join(refs, 'Rose', `${i}.jpg`), await fx.cropAround(fx.samplePath(1), RIGHT_BOX, v));
  }
  for (const n of [1, 2, 3, 4, 5, 6]) await copyFile(fx.samplePath(n), join(input, `sample${n}.jpg`));
}, 120_000);

describe('people: enrol several, find them all in one pass', () => {
  it('enrols every subfolder of --folders ROOT as a person, in one process', async () => {
    const { output, exitCode } = await cli('enroll', '--folders', refs, '--json');

    expect(exitCode).toBe(0);
    const outcomes = JSON.parse(output) as { person: string; accepted: string[] }[];
    expect(outcomes.map((o) => [o.person, o.accepted.length])).toEqual([
      ['Mia', 3],
      ['Rose', 3],
    ]);
  });

  it('refuses a group photo as a reference, listing its faces; --face N picks one', async () => {
    const refused = await cli('enroll', '--person', 'Group', fx.samplePath(1)).catch((e: Error) => e);
    expect((refused as Error).message).toMatch(/a group photo \(3 faces .*face 0: \d+ px tall at .*face 2/s);

    const picked = await cli('enroll', '--person', 'Group', '--face', '2', fx.samplePath(1), '--json');
    expect(JSON.parse(picked.output).accepted).toHaveLength(1);
    expect((await cli('people', '--forget', 'Group', '--yes')).output).toMatch(/forgot Group/);
  });

  it('rejects a reference set that mixes two people instead of blending them', async () => {
    const mixed = join(work, 'mixed');
    await mkdir(mixed);
    for (const p of ['Mia', 'Rose'])
      for (const i of [0, 1]) await copyFile(join(refs, p, `${i}.jpg`), join(mixed, `${p}-${i}.jpg`));

    const error = await cli('enroll', '--person', 'Both', mixed).catch((e: Error) => e);

    expect((error as Error).message).toMatch(/show more than one person.*group 1: .*group 2: /s);
    expect((await cli('people', '--json')).output).not.toContain('"Both"');
  });

  it('sort --everyone finds both in one pass and copies each photo to OUT/<person>/<path>', async () => {
    const out = join(work, 'out-everyone');

    const { exitCode } = await cli('sort', input, '--everyone', '--out', out, '--quiet');

    expect(exitCode).toBe(0);
    expect(await copied(out)).toEqual(['Mia/sample1.jpg', 'Rose/sample1.jpg', 'Rose/sample3.jpg']);
    for (const f of await copied(out))
      expect(await sha256(join(out, f))).toBe(await sha256(join(input, f.split('/')[1]!)));
    const runDir = await latestRunDir(join(out, '.mespotter'));
    const lines = await readRunLines(runDir);
    const s1 = lines.find((l) => l.path === 'sample1.jpg')!;
    expect(s1.people).toEqual(['Mia', 'Rose']);
    // One face per person, one person per face.
    expect(s1.faces.filter((f) => f.person === 'Mia')).toHaveLength(1);
    expect(s1.faces.filter((f) => f.person === 'Rose')).toHaveLength(1);
    expect(s1.copies?.map((c) => [c.people, c.outcome])).toEqual([
      [['Mia'], 'copied'],
      [['Rose'], 'copied'],
    ]);
    const summary = await readRunSummary(runDir);
    expect(summary.people.map((p) => [p.name, p.photos])).toEqual([
      ['Mia', 1],
      ['Rose', 2],
    ]);
    const html = await readFile(join(runDir, 'report.html'), 'utf8');
    expect(html).toContain('Mia');
    expect(html).toContain('Rose');
  });

  it('one person keeps the flat layout; --layout by-person and --link hard are honoured', async () => {
    const flat = join(work, 'out-rose');
    await cli('sort', input, '--person', 'Rose', '--out', flat, '--quiet');
    expect(await copied(flat)).toEqual(['sample1.jpg', 'sample3.jpg']);

    const linked = join(work, 'out-linked');
    await cli(
      'sort',
      input,
      '--person',
      'Rose',
      '--layout',
      'by-person',
      '--link',
      'hard',
      '--out',
      linked,
      '--quiet',
    );
    expect(await copied(linked)).toEqual(['Rose/sample1.jpg', 'Rose/sample3.jpg']);
    expect((await stat(join(linked, 'Rose/sample3.jpg'))).ino).toBe(
      (await stat(join(input, 'sample3.jpg'))).ino,
    );
  });

  it('decides against everyone even when one person is searched: a face is never given to the wrong one', async () => {
    const out = join(work, 'out-mia');
    await cli('sort', input, '--person', 'Mia', '--out', out, '--quiet');

    const lines = await readRunLines(await latestRunDir(join(out, '.mespotter')));
    const s1 = lines.find((l) => l.path === 'sample1.jpg')!;
    expect(s1.people).toEqual(['Mia']);
    // Rose is not searched, but her face is still hers, not unknown and not Mia's.
    expect(s1.faces.map((f) => f.person).sort()).toEqual(['Mia', 'Rose', null].sort());
    expect(lines.find((l) => l.path === 'sample3.jpg')!.status).toBe('no_match');
  });

  it('who --json prints one line per photo with stable field names, boxes in upright pixels', async () => {
    const result = await runCliProcess(['who', input, '--json', '--library', library]);

    expect(result.code).toBe(0);
    const rows = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => r.path)).toEqual([1, 2, 3, 4, 5, 6].map((n) => join(input, `sample${n}.jpg`)));
    const s1 = rows[0];
    expect(Object.keys(s1).sort()).toEqual(['faces', 'path']);
    for (const f of s1.faces) expect(Object.keys(f).sort()).toEqual(['box', 'margin', 'person', 'score']);
    expect(Object.keys(s1.faces[0].box).sort()).toEqual(['x1', 'x2', 'y1', 'y2']);
    const mia = s1.faces.find((f: { person: string }) => f.person === 'Mia');
    expect(mia.box.x1).toBeGreaterThan(350);
    expect(mia.box.x2).toBeLessThan(650);
    expect(rows[2].faces.map((f: { person: string | null }) => f.person)).toContain('Rose');
  });

  it('people lists everyone with references, photos found and thresholds', async () => {
    const { output } = await cli('people', '--json');
    const rows = output.split('\n').map((l) => JSON.parse(l));

    expect(rows.map((r) => r.name)).toEqual(['Mia', 'Rose']);
    expect(rows[0]).toMatchObject({ references: 3, rejected: 0 });
    expect(rows[1].photos).toBeGreaterThanOrEqual(2);
    expect(rows[0].threshold).toBeGreaterThanOrEqual(0.4);
  });

  it('index, then sort: unchanged files come from the library without being read again', async () => {
    const indexed = await runCliProcess(['index', input, '--json', '--library', library]);
    expect(indexed.code).toBe(0);
    expect(JSON.parse(indexed.stdout)).toMatchObject({ files: 6, analysed: 0, reused: 6, errors: 0 });

    const out = join(work, 'out-indexed');
    await cli('sort', input, '--everyone', '--out', out, '--quiet', '--dry-run');
    const lines = await readRunLines(await latestRunDir(join(out, '.mespotter')));
    expect(lines.every((l) => l.cached)).toBe(true);
  });

  it('stores everything in one SQLite library that checks clean and exports for the cloud', async () => {
    expect((await cli('library', 'check')).output).toMatch(/library ok/);
    const galleries = join(work, 'galleries');
    await cli('library', 'export', '--galleries', galleries);
    expect((await listAll(galleries)).sort()).toEqual(['Mia.gallery.json', 'Rose.gallery.json']);
    const g = JSON.parse(await readFile(join(galleries, 'Rose.gallery.json'), 'utf8'));
    expect(g).toMatchObject({ version: 1, person: 'Rose' });
    expect(g.references).toHaveLength(3);
    const lib = Library.open(library);
    expect(lib.people().map((p) => p.name)).toEqual(['Mia', 'Rose']);
    lib.close();
  });
});
