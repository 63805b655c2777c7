import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analysisNamespace } from '../../core/analysis/analysisKey.js';
import { resolveEngineConfig } from '../../core/config.js';
import { Library } from '../../core/library/Library.js';
import { type FaultWorld, listAll, makeFaultWorld, sha256 } from '../helpers/faultWorld.js';
import { latestRunDir, readRunLines } from '../helpers/reportRuns.js';
import { runCliProcess } from '../helpers/spawnCli.js';

const embedding = (values: number[] | Float32Array): string =>
  Buffer.from(new Float32Array(values).buffer).toString('base64');

/** One line on stderr, no stack trace: what every user-facing failure must look like. */
const expectOneLine = (stderr: string, pattern: RegExp): void => {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^mespotter: /);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
};

describe('fault: bad galleries, cache entries, flags and file names', () => {
  let world: FaultWorld;
  let galleryJson: { person: string; references: { embedding: string }[] };

  beforeAll(async () => {
    world = await makeFaultWorld();
    galleryJson = JSON.parse(await readFile(join(world.gallery, 'me.gallery.json'), 'utf8'));
  }, 120_000);

  afterAll(async () => {
    await rm(world.work, { recursive: true, force: true });
  });

  /** A gallery folder holding `me.gallery.json` with the first reference's embedding replaced. */
  const badGallery = async (name: string, firstEmbedding: string): Promise<string> => {
    const dir = join(world.work, `gallery-${name}`);
    await mkdir(dir, { recursive: true });
    const g = structuredClone(galleryJson);
    g.references[0]!.embedding = firstEmbedding;
    await writeFile(join(dir, 'me.gallery.json'), JSON.stringify(g));
    return dir;
  };

  it.each([
    ['NaN', embedding(new Float32Array(512).fill(Number.NaN)), /reference 1 .* not a finite number/],
    ['all-zero', embedding(new Float32Array(512)), /reference 1 .* is all zeros/],
    [
      'wrong-length',
      embedding(new Float32Array(256).fill(1 / 16)),
      /has 256 values where the models make 512/,
    ],
  ])('refuses a gallery with a %s embedding with one clear line (exit 2)', async (name, value, message) => {
    const dir = await badGallery(name, value);
    const args = [...world.sortArgs(join(world.work, `out-${name}`)), '--gallery', dir];

    const run = await runCliProcess(args);

    expect(run.code).toBe(2);
    expectOneLine(run.stderr, message);
  });

  it('refuses a gallery file whose person is not the one its name says', async () => {
    const dir = join(world.work, 'gallery-renamed');
    await mkdir(dir);
    await copyFile(join(world.gallery, 'me.gallery.json'), join(dir, 'bob.gallery.json'));
    const args = [...world.sortArgs(join(world.work, 'out-bob')), '--gallery', dir];
    args[args.indexOf('--person') + 1] = 'bob';

    const run = await runCliProcess(args);

    expect(run.code).toBe(2);
    expectOneLine(run.stderr, /is the gallery of "me", not "bob"/);
  });

  it('treats a stored analysis with a wrong-length embedding as a miss, not a permanent error', async () => {
    // Prepare: a run fills the library; then one photo's faces are damaged the way a bug or an edit would.
    expect((await runCliProcess(world.sortArgs(join(world.work, 'out-cache-1')))).code).toBe(0);
    const sha = await sha256(join(world.input, 'me-000.jpg'));
    const library = Library.open(world.library);
    const photo = library.photoBySha(sha)!;
    const damaged = Buffer.from(new Float32Array(128).fill(1 / Math.sqrt(128)).buffer);
    library.db.prepare('UPDATE faces SET embedding = ? WHERE photo_id = ?').run(damaged, photo.id);
    library.close();

    const out = join(world.work, 'out-cache-2');
    const run = await runCliProcess(world.sortArgs(out));

    expect(run.code, run.stderr).toBe(0);
    const line = (await readRunLines(await latestRunDir(join(out, '.mespotter')))).find(
      (l) => l.path === 'me-000.jpg',
    );
    expect(line).toMatchObject({ status: 'matched', cached: false });
    // The damaged analysis was replaced by a good one.
    const after = Library.open(world.library);
    expect(after.facesOfPhoto(photo.id).every((f) => f.embedding.length === 512)).toBe(true);
    after.close();
  });

  it('namespaces the faces index by the analysis code version, not only by settings', () => {
    const config = resolveEngineConfig();
    expect(analysisNamespace('m@1', config, 7)).not.toBe(analysisNamespace('m@1', config, 8));
    expect(analysisNamespace('m@1', config, 7)).toBe(analysisNamespace('m@1', config, 7));
  });

  it.each([
    [['--threshold', ''], /threshold must be in -1\.\.1, got ""/],
    [['--threshold', ' '], /threshold must be in -1\.\.1/],
    [['--min-face', ''], /expected a positive integer, got ""/],
    [['--lanes', '10000'], /--lanes 10000 is too many for \d+ CPU cores \(at most \d+/],
    [['--teacher-cascade', ',0.5'], /gray zone must be LO,HI/],
  ])('refuses %j with one clear line (exit 2) before doing anything', async (flags, message) => {
    const out = join(world.work, 'out-flags');

    const run = await runCliProcess(world.sortArgs(out, ...flags));

    expect(run.code).toBe(2);
    expectOneLine(run.stderr, message);
    expect(await listAll(out)).toEqual([]);
  });

  it('exits 2 for usage errors commander reports itself (a missing required option)', async () => {
    const run = await runCliProcess(['sort', world.input, '--person', 'me']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/required option '--out <dir>' not specified/);
  });

  it('analyses, reports and copies a photo whose file name is not valid UTF-8, under its exact name', async () => {
    const input = join(world.work, 'latin1');
    // "café.jpg" and a folder "été" written in ISO-8859-1, as old cameras and Windows shares do.
    const file = Buffer.concat([Buffer.from(`${input}/caf`), Buffer.from([0xe9]), Buffer.from('.jpg')]);
    const folder = Buffer.concat([Buffer.from(`${input}/`), Buffer.from([0xe9, 0x74, 0xe9])]);
    const nested = Buffer.concat([folder, Buffer.from('/me.jpg')]);
    await mkdir(folder, { recursive: true });
    await copyFile(join(world.input, 'me-000.jpg'), file);
    await copyFile(join(world.input, 'me-000.jpg'), nested);
    const out = join(world.work, 'out-latin1');
    const args = world.sortArgs(out);
    args[1] = input;

    const run = await runCliProcess(args);

    expect(run.code).toBe(0);
    const lines = await readRunLines(await latestRunDir(join(out, '.mespotter')));
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line.status).toBe('matched');
      expect(line.copies?.[0]?.outcome).toBe('copied');
      const raw = Buffer.from(line.rawPath!, 'base64');
      const source = Buffer.concat([Buffer.from(`${input}/`), raw]);
      const copy = Buffer.concat([Buffer.from(`${out}/`), raw]);
      expect(await sha256(copy)).toBe(await sha256(source));
    }
    expect(lines.map((l) => l.path).sort()).toEqual(['caf\uFFFD.jpg', '\uFFFDt\uFFFD/me.jpg']);
  });
});

describe('fault: folders that cannot be used, and copies that fail', () => {
  let world: FaultWorld;

  beforeAll(async () => {
    world = await makeFaultWorld();
  }, 120_000);

  afterAll(async () => {
    await rm(world.work, { recursive: true, force: true });
  });

  it('an output path that is an existing file: one line, exit 2', async () => {
    const file = join(world.work, 'not-a-folder');
    await writeFile(file, 'x');

    const run = await runCliProcess(world.sortArgs(file));

    expect(run.code).toBe(2);
    expectOneLine(run.stderr, /output path .*not-a-folder exists and is not a folder/);
    expect(await readFile(file, 'utf8')).toBe('x');
  });

  it('an output below a file (ENOTDIR): one line, exit 2', async () => {
    const file = join(world.work, 'plain-file');
    await writeFile(file, 'x');

    const run = await runCliProcess(world.sortArgs(join(file, 'out')));

    expect(run.code).toBe(2);
    expectOneLine(run.stderr, /cannot create the output folder .*\(ENOTDIR\)/);
  });

  it('calibrate with a pairs file that does not exist: one line, exit 2', async () => {
    const run = await runCliProcess(['calibrate', '--pairs', '/missing/pairs.txt', '--root', world.work]);

    expect(run.code).toBe(2);
    expectOneLine(
      run.stderr,
      /cannot read the pairs file \/missing\/pairs\.txt: no such file or folder \(ENOENT\)/,
    );
  });

  it('a run whose copies fail exits 1, with the reason on the photo’s line', async () => {
    // A file sits where the copy's folder must go.
    const input = join(world.work, 'nested-in');
    await mkdir(join(input, 'trip'), { recursive: true });
    await copyFile(join(world.input, 'me-000.jpg'), join(input, 'trip', 'me.jpg'));
    const out = join(world.work, 'nested-out');
    await mkdir(out);
    await writeFile(join(out, 'trip'), 'in the way');
    const args = world.sortArgs(out);
    args[1] = input;

    const run = await runCliProcess(args);

    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    const [line] = await readRunLines(await latestRunDir(join(out, '.mespotter')));
    expect(line?.copies?.[0]).toMatchObject({ outcome: 'failed' });
    expect(line?.copies?.[0]?.reason).toMatch(/ENOTDIR|EEXIST/);
  });
});
