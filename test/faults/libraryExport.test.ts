/**
 * Issue 18, item 2: `library export --out` (and `--galleries`) never replaces what it did not write:
 * an existing photo, a symlink (never followed), a FIFO or a device stay exactly as they were; with
 * --force only a previous export is replaced, through a temporary renamed into place.
 */
import { execFileSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { engineIdentity, engineNamespace } from '../../cli/engineOptions.js';
import { LabelKind } from '../../core/library/LabelKind.js';
import { Library } from '../../core/library/Library.js';
import type { Box, FivePoints } from '../../core/types.js';
import { lcgUnit as unit } from '../helpers/factories.js';
import { runCliProcess } from '../helpers/spawnCli.js';

let work: string;
let library: string;

const exportTo = (out: string, ...extra: string[]) =>
  runCliProcess(['library', 'export', '--library', library, '--out', out, ...extra]);

/** What a path is, for "left exactly as it was" checks. */
const describePath = async (path: string): Promise<string> => {
  const s = await lstat(path);
  if (s.isSymbolicLink()) return `symlink -> ${await readlink(path)}`;
  if (s.isFIFO()) return 'fifo';
  if (s.isCharacterDevice()) return `chardev ${s.rdev}`;
  return `file ${(await readFile(path)).toString('base64')}`;
};

/** No temporary left beside the refused path. */
const temps = async (dir: string): Promise<string[]> =>
  (await readdir(dir)).filter((n) => n.startsWith('.mespotter-tmp-'));

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mespotter-export-'));
  library = join(work, 'library.db');
  const lib = Library.open(library);
  const engine = await engineIdentity({});
  const box: Box = { x1: 100, y1: 100, x2: 200, y2: 220 };
  const points = [0, 1, 2, 3, 4].map((i) => ({ x: 110 + i * 10, y: 150 + i })) as unknown as FivePoints;
  const saved = lib.saveAnalysis({ sha256: 'a'.repeat(64), size: 10 }, engineNamespace(engine), {
    width: 800,
    height: 600,
    rejected: 0,
    faces: [{ box, points, score: 0.9, quality: 0.8, roll: 0, embedding: unit(1) }],
  });
  lib.setLabel(saved.faces[0]!.id, lib.ensurePerson('Ann').id, LabelKind.Enrolled, { source: 'ann.jpg' });
  lib.close();
}, 60_000);

describe('fault: library export never replaces what it did not write', () => {
  it('refuses an existing photo, with or without --force, and leaves it byte for byte', async () => {
    const photo = join(work, 'photo.jpg');
    await writeFile(photo, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
    const before = await describePath(photo);

    const plain = await exportTo(photo);
    const forced = await exportTo(photo, '--force');

    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(
      /photo\.jpg already exists; --force replaces it only if it is a previous library export/,
    );
    expect(forced.code).toBe(2);
    expect(forced.stderr).toMatch(/photo\.jpg is not a previous library export; it is left untouched/);
    expect(await describePath(photo)).toBe(before);
    expect(await temps(work)).toEqual([]);
  });

  it('never follows or replaces a symlink, even to a previous export, even with --force', async () => {
    const target = join(work, 'target.jsonl');
    expect((await exportTo(target)).code).toBe(0);
    const targetBefore = await describePath(target);
    const link = join(work, 'link.jsonl');
    await symlink(target, link);

    const plain = await exportTo(link);
    const forced = await exportTo(link, '--force');

    expect(plain.code).toBe(2);
    expect(forced.code).toBe(2);
    expect(forced.stderr).toMatch(/link\.jsonl is a symbolic link; it is never replaced/);
    expect(await describePath(link)).toBe(`symlink -> ${target}`);
    expect(await describePath(target)).toBe(targetBefore);
  });

  it('refuses a FIFO at once (no hang, no regular file in its place)', async () => {
    const fifo = join(work, 'pipe');
    execFileSync('mkfifo', [fifo]);

    const plain = await exportTo(fifo);
    expect(await describePath(fifo)).toBe('fifo');
    const forced = await exportTo(fifo, '--force');

    for (const run of [plain, forced]) {
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/pipe is a FIFO; it is never replaced/);
    }
    expect(await describePath(fifo)).toBe('fifo');
    expect(await temps(work)).toEqual([]);
  });

  it('refuses a device node (a /dev/full of its own as root) and keeps it a device', async () => {
    // As root (where the bug turned /dev/full into a file) a copy of /dev/full in a temp folder;
    // otherwise /dev/full itself, which a non-root process cannot replace anyway.
    let device = '/dev/full';
    if (process.getuid?.() === 0) {
      device = join(work, 'full');
      execFileSync('mknod', [device, 'c', '1', '7']);
    }
    const before = await describePath(device);

    const plain = await exportTo(device);
    expect(await describePath(device)).toBe(before);
    const forced = await exportTo(device, '--force');

    for (const run of [plain, forced]) {
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/full is a device; it is never replaced/);
    }
    expect(await describePath(device)).toBe(before);
  });

  it('replaces a previous export only with --force, through a temporary renamed into place', async () => {
    const out = join(work, 'again.jsonl');
    expect((await exportTo(out)).code).toBe(0);
    const first = await readFile(out, 'utf8');
    expect(first.split('\n')[0]).toMatch(/^\{"type":"header","format":"mespotter-library"/);

    const plain = await exportTo(out);
    expect(plain.code).toBe(2);
    expect(await readFile(out, 'utf8')).toBe(first);

    const forced = await exportTo(out, '--force');
    expect(forced.code, forced.stderr).toBe(0);
    const second = await readFile(out, 'utf8');
    expect(second.split('\n').filter((l) => l.includes('"type":"person"'))).toHaveLength(1);
    expect(second).not.toBe(first); // a new header time
    expect((await lstat(out)).mode & 0o077).toBe(0);
    expect(await temps(work)).toEqual([]);
  });

  it('export --galleries refuses a symlink or a foreign file where a gallery would go, writing nothing', async () => {
    const dir = join(work, 'galleries');
    await mkdir(dir);
    const elsewhere = join(work, 'precious.txt');
    await writeFile(elsewhere, 'keep me');
    await symlink(elsewhere, join(dir, 'Ann.gallery.json'));
    const out = join(work, 'with-galleries.jsonl');

    const run = await runCliProcess([
      'library',
      'export',
      '--library',
      library,
      '--galleries',
      dir,
      '--out',
      out,
      '--force',
    ]);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Ann\.gallery\.json is a symbolic link; it is never replaced/);
    expect(await readFile(elsewhere, 'utf8')).toBe('keep me');
    expect(await describePath(join(dir, 'Ann.gallery.json'))).toBe(`symlink -> ${elsewhere}`);
    // Refused before anything was written: not even the JSON-lines export.
    await expect(lstat(out)).rejects.toThrow(/ENOENT/);
  });

  it('export --galleries replaces its own previous gallery only with --force', async () => {
    const dir = join(work, 'galleries-own');
    const args = ['library', 'export', '--library', library, '--galleries', dir];
    expect((await runCliProcess(args)).code).toBe(0);
    const first = await readFile(join(dir, 'Ann.gallery.json'), 'utf8');

    const plain = await runCliProcess(args);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/Ann\.gallery\.json already exists/);

    const forced = await runCliProcess([...args, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'Ann.gallery.json'), 'utf8'))).toMatchObject({
      person: 'Ann',
    });
    expect(first).toMatch(/"person": "Ann"/);
    await writeFile(join(dir, 'Ann.gallery.json'), 'not a gallery');
    const foreign = await runCliProcess([...args, '--force']);
    expect(foreign.code).toBe(2);
    expect(await readFile(join(dir, 'Ann.gallery.json'), 'utf8')).toBe('not a gallery');
  });
});
