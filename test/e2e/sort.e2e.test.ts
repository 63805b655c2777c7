import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { iou } from '../../core/detect/boxMath.js';
import type { ResultLine } from '../../core/report/resultLine.js';
import * as fx from '../helpers/imageFixtures.js';
import { latestRunDir, readRunLines, readRunSummary } from '../helpers/reportRuns.js';
import { runCli as mespotter } from '../helpers/runCli.js';

const sha = async (p: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(p))
    .digest('hex');

const listFiles = async (dir: string, root = dir): Promise<string[]> => {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p, root)));
    else if (e.isFile()) out.push(relative(root, p));
  }
  return out.sort();
};

const readResults = async (reportDir: string): Promise<Map<string, ResultLine>> =>
  new Map((await readRunLines(await latestRunDir(reportDir))).map((r) => [r.path, r]));

/** `mespotter sort` over the test folder into `out` with the test gallery and cache. */
const sortInto = (out: string, ...extra: string[]): Promise<string> =>
  mespotter('sort', input, '--person', 'me', '--library', library, '--out', out, '--quiet', ...extra);

let work: string;
let input: string;
let gallery: string;
let library: string;
const sourceHashes = new Map<string, string>();

/** Expected final status of every entry in the input folder. */
const EXPECTED: Record<string, string> = {
  'album/sample1.jpg': 'matched',
  'album/nested/deeper/sample1-small.jpg': 'matched',
  'album/sideways.jpg': 'matched',
  'Ünïcode name with spaces.jpg': 'matched',
  'conflict.jpg': 'matched',
  'album/sample2.jpg': 'no_match',
  'album/sample3.jpg': 'no_match',
  'album/sample4.jpg': 'no_match',
  'album/sample5.jpg': 'no_match',
  'album/sample6.jpg': 'no_match',
  'landscape.jpg': 'no_face',
  'broken/truncated.jpg': 'error',
  'broken/empty.jpg': 'error',
  'broken/not-an-image.png': 'error',
  'broken/loop': 'error',
  'notes.txt': 'skipped',
};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mespotter-e2e-'));
  input = join(work, 'photos');
  gallery = join(work, 'galleries');
  library = join(work, 'library.db');
  const refs = join(work, 'refs');
  await mkdir(join(input, 'album', 'nested', 'deeper'), { recursive: true });
  await mkdir(join(input, 'broken'), { recursive: true });
  await mkdir(refs, { recursive: true });

  // Three references of the person (different crops, sizes and exposure) and one of someone else.
  const variants = [
    { margin: 0.8, size: 300, brightness: 0.9 },
    { margin: 1.2, size: 420, brightness: 1.1 },
    { margin: 1.6, size: 260, brightness: 1.0, jpegQuality: 75 },
  ];
  for (const [i, v] of variants.entries()) {
    await writeFile(join(refs, `me-${i + 1}.jpg`), await fx.cropAround(fx.samplePath(1), fx.PERSON_BOX, v));
  }
  await writeFile(
    join(refs, 'someone-else.jpg'),
    await fx.cropAround(fx.samplePath(3), { x1: 1072, y1: 207, x2: 1305, y2: 516 }, { margin: 1, size: 300 }),
  );

  for (const n of [1, 2, 3, 4, 5, 6])
    await copyFile(fx.samplePath(n), join(input, 'album', `sample${n}.jpg`));
  await writeFile(
    join(input, 'album/nested/deeper/sample1-small.jpg'),
    await fx.reencode(fx.samplePath(1), 'jpeg-small'),
  );
  await writeFile(join(input, 'album/sideways.jpg'), await fx.withExifRotation(fx.samplePath(1)));
  await copyFile(fx.samplePath(1), join(input, 'Ünïcode name with spaces.jpg'));
  await copyFile(fx.samplePath(1), join(input, 'conflict.jpg'));
  await writeFile(join(input, 'landscape.jpg'), await fx.noFacePhoto());
  const full = await readFile(fx.samplePath(2));
  await writeFile(join(input, 'broken/truncated.jpg'), full.subarray(0, full.length >> 2));
  await writeFile(join(input, 'broken/empty.jpg'), '');
  await writeFile(join(input, 'broken/not-an-image.png'), 'hello, I am text\n');
  await symlink('.', join(input, 'broken/loop'));
  await writeFile(join(input, 'notes.txt'), 'not a photo\n');
  for (const f of await listFiles(input)) sourceHashes.set(f, await sha(join(input, f)));
}, 120_000);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('mespotter enroll + sort (end to end)', () => {
  it('enrols the person and rejects the reference that disagrees', async () => {
    // Act
    const printed = await mespotter(
      'enroll',
      '--person',
      'me',
      '--gallery',
      gallery,
      '--library',
      library,
      '--json',
      join(work, 'refs'),
    );

    // Assess
    const outcome = JSON.parse(printed);
    expect(outcome.accepted.map((p: string) => p.split('/').pop()).sort()).toEqual([
      'me-1.jpg',
      'me-2.jpg',
      'me-3.jpg',
    ]);
    expect(outcome.rejected.map((r: { source: string }) => r.source.split('/').pop())).toEqual([
      'someone-else.jpg',
    ]);
    const file = JSON.parse(await readFile(join(gallery, 'me.gallery.json'), 'utf8'));
    expect(file.version).toBe(1);
    expect(file.references).toHaveLength(3);
  });

  it('copies exactly the photos with the person and accounts for every other file', async () => {
    // Prepare: a different file already sits where one copy would go
    const out = join(work, 'out');
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'conflict.jpg'), 'my own file, do not touch');

    // Act
    const printed = await sortInto(out);

    // Assess: report lines
    const results = await readResults(join(out, '.mespotter'));
    expect(Object.fromEntries([...results].map(([p, r]) => [p, r.status]))).toEqual(EXPECTED);
    expect(results.get('broken/truncated.jpg')!.code).toBe('corrupt_image');
    expect(results.get('broken/empty.jpg')!.code).toBe('empty_file');
    expect(results.get('broken/not-an-image.png')!.code).toBe('unsupported_format');
    expect(results.get('broken/loop')!.code).toBe('symlink_loop');
    const s1 = results.get('album/sample1.jpg')!;
    expect(s1.faces).toHaveLength(3);
    expect(s1.faces.filter((f) => f.person === 'me')).toHaveLength(1);
    expect(iou(s1.faces.find((f) => f.person === 'me')!.box, fx.PERSON_BOX)).toBeGreaterThan(0.8);
    expect(results.get('conflict.jpg')!.copies![0]!.outcome).toBe('conflict');

    // Assess: the copies, byte-identical, and nothing else
    const copied = (await listFiles(out)).filter((f) => !f.startsWith('.mespotter'));
    expect(copied).toEqual(
      [
        'album/nested/deeper/sample1-small.jpg',
        'album/sample1.jpg',
        'album/sideways.jpg',
        'conflict.jpg',
        'Ünïcode name with spaces.jpg',
      ].sort(),
    );
    for (const f of copied.filter((f) => f !== 'conflict.jpg'))
      expect(await sha(join(out, f))).toBe(sourceHashes.get(f));
    expect(await readFile(join(out, 'conflict.jpg'), 'utf8')).toBe('my own file, do not touch');

    // Assess: summary, contact sheet, sources untouched
    const runDir = await latestRunDir(join(out, '.mespotter'));
    const summary = await readRunSummary(runDir);
    expect(summary.total).toBe(Object.keys(EXPECTED).length);
    expect(summary.counts).toMatchObject({ matched: 5, no_match: 5, no_face: 1, error: 4, skipped: 1 });
    expect(summary.copies).toMatchObject({ copied: 4, conflict: 1 });
    const html = await readFile(join(runDir, 'report.html'), 'utf8');
    expect(html).toContain('album/sample1.jpg');
    expect(printed).toMatch(/matched 5 \(copied 4/);
    for (const [f, h] of sourceHashes) expect(await sha(join(input, f))).toBe(h);
  });

  it('is idempotent: a re-run copies nothing new and reuses the faces index', async () => {
    // Act
    const out = join(work, 'out');
    await sortInto(out);

    // Assess
    const results = await readResults(join(out, '.mespotter'));
    const matched = [...results.values()].filter((r) => r.status === 'matched');
    expect(matched.map((r) => r.copies![0]!.outcome).sort()).toEqual([
      'already_present',
      'already_present',
      'already_present',
      'already_present',
      'conflict',
    ]);
    const analysed = [...results.values()].filter((r) => r.sha256);
    expect(analysed.length).toBeGreaterThan(0);
    expect(analysed.every((r) => r.cached)).toBe(true);
  });

  it('copies nothing on a dry run', async () => {
    const out = join(work, 'dry');
    await sortInto(out, '--dry-run');
    const results = await readResults(join(out, '.mespotter'));
    expect([...results.values()].filter((r) => r.copies?.[0]?.outcome === 'dry_run')).toHaveLength(5);
    expect((await listFiles(out)).filter((f) => !f.startsWith('.mespotter'))).toEqual([]);
  });

  it('refuses a gallery made by other models', async () => {
    // Prepare
    const other = join(work, 'other-galleries');
    await mkdir(other);
    const g = JSON.parse(await readFile(join(gallery, 'me.gallery.json'), 'utf8'));
    await writeFile(
      join(other, 'me.gallery.json'),
      JSON.stringify({ ...g, modelSetId: 'some-other-models#000000000000' }),
    );

    // Act
    const error = await mespotter(
      'sort',
      input,
      '--person',
      'me',
      '--gallery',
      other,
      '--library',
      library,
      '--out',
      join(work, 'x'),
      '--quiet',
    ).catch((e: unknown) => e);

    // Assess
    expect((error as Error).message).toMatch(/made with models some-other-models.*re-enrol/);
  });
});
