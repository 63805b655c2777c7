import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type WalkEntry, walkPhotos } from '../../cli/sort/walkPhotos.js';

const collect = async (root: string, exclude?: string[]): Promise<WalkEntry[]> => {
  const out: WalkEntry[] = [];
  for await (const e of walkPhotos(root, exclude)) out.push(e);
  return out;
};

/** Creates files (paths ending in a name) and folders (paths ending in /) under root. */
const tree = async (root: string, paths: string[]): Promise<void> => {
  for (const p of paths) {
    if (p.endsWith('/')) await mkdir(join(root, p), { recursive: true });
    else {
      await mkdir(join(root, p, '..'), { recursive: true });
      await writeFile(join(root, p), `content of ${p}`);
    }
  }
};

/** One line per entry: "kind rel [code]". */
const summary = (entries: WalkEntry[]): string[] =>
  entries.map((e) => (e.kind === 'error' ? `error ${e.rel} ${e.code}` : `${e.kind} ${e.rel}`));

describe('Function: walkPhotos', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'mespotter-walk-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('lists nested folders depth-first in sorted order, skipping non-photo files', async () => {
    // Prepare
    await tree(root, [
      'b.jpg',
      'a.PNG',
      'Z.jpeg',
      'notes.txt',
      'sub/deeper/d.webp',
      'sub/c.jpeg',
      'sub/raw.CR2',
      'empty/',
      'x.tiff',
    ]);

    // Act
    const entries = await collect(root);

    // Assess: code-unit order puts upper case first.
    expect(summary(entries)).toEqual([
      'photo Z.jpeg',
      'photo a.PNG',
      'photo b.jpg',
      'skipped notes.txt',
      'photo sub/c.jpeg',
      'photo sub/deeper/d.webp',
      'skipped sub/raw.CR2',
      'photo x.tiff',
    ]);
    const photo = entries.find((e) => e.kind === 'photo' && e.rel === 'sub/deeper/d.webp');
    expect(photo).toEqual({
      kind: 'photo',
      rel: 'sub/deeper/d.webp',
      path: join(root, 'sub', 'deeper', 'd.webp'),
    });
    const skipped = entries.find((e) => e.rel === 'notes.txt');
    expect(skipped).toEqual({ kind: 'skipped', rel: 'notes.txt', reason: 'not a photo file extension' });
  });

  it('reports a link back to an ancestor folder as a symlink loop and does not descend into it', async () => {
    // Prepare: root/loop -> root and root/sub/up -> root/sub.
    await tree(root, ['a.jpg', 'sub/b.jpg']);
    await symlink('.', join(root, 'loop'));
    await symlink('.', join(root, 'sub', 'up'));

    // Act
    const entries = await collect(root);

    // Assess
    expect(summary(entries)).toEqual([
      'photo a.jpg',
      'error loop symlink_loop',
      'photo sub/b.jpg',
      'error sub/up symlink_loop',
    ]);
  });

  it('reports a self-referencing link (ELOOP) as a symlink loop', async () => {
    // Prepare
    await symlink('self', join(root, 'self'));

    // Act
    const entries = await collect(root);

    // Assess
    expect(entries).toEqual([
      { kind: 'error', rel: 'self', code: 'symlink_loop', reason: 'symbolic link loop' },
    ]);
  });

  it('reports a dangling link as an unreadable error', async () => {
    // Prepare
    await symlink('missing.jpg', join(root, 'gone.jpg'));

    // Act
    const entries = await collect(root);

    // Assess
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ kind: 'error', rel: 'gone.jpg', code: 'unreadable' });
    expect((entries[0] as { reason: string }).reason).toMatch(/^broken symbolic link/);
  });

  it('follows a link to a photo file', async () => {
    // Prepare
    await tree(root, ['real.jpg']);
    await symlink('real.jpg', join(root, 'alias.jpg'));

    // Act
    const entries = await collect(root);

    // Assess
    expect(summary(entries)).toEqual(['photo alias.jpg', 'photo real.jpg']);
  });

  it('does not list an excluded output folder inside the input, also when given by another path', async () => {
    // Prepare
    await tree(root, ['a.jpg', 'out/alice/a.jpg', 'report/sheet.jpg', 'z.jpg']);

    // Act
    const entries = await collect(root, [
      join(root, 'out'),
      join(root, 'sub', '..', 'report'),
      join(root, 'nope'),
    ]);

    // Assess
    expect(summary(entries)).toEqual(['photo a.jpg', 'photo z.jpg']);
  });

  it('scans a folder reachable through two paths once', async () => {
    // Prepare: root/alias -> root/photos; "alias" sorts first, so it is the path scanned.
    await tree(root, ['photos/p1.jpg', 'photos/inner/p2.jpg']);
    await symlink('photos', join(root, 'alias'));

    // Act
    const entries = await collect(root);

    // Assess
    expect(summary(entries)).toEqual(['photo alias/inner/p2.jpg', 'photo alias/p1.jpg', 'skipped photos']);
    expect(entries[2]).toEqual({
      kind: 'skipped',
      rel: 'photos',
      reason: 'folder already scanned through another path',
    });
  });

  it('accepts a root that is itself reached through a symbolic link', async () => {
    // Prepare
    await tree(root, ['real/a.jpg']);
    await symlink(join(root, 'real'), join(root, 'link'));
    const viaLink = join(root, 'link');

    // Act
    const entries = await collect(viaLink);

    // Assess
    expect(entries).toEqual([{ kind: 'photo', rel: 'a.jpg', path: join(viaLink, 'a.jpg') }]);
    expect(await realpath(viaLink)).toBe(await realpath(join(root, 'real')));
  });

  it("skips mespotter's own folders below the root (reports, outputs, a running run's, an older sort's OUT) as one entry each", async () => {
    // Before the fix every thumbnail and copy in them was listed as a photo.
    await tree(root, [
      'a.jpg',
      'report/.mespotter-report',
      'report/runs/r1/thumbs/0.jpg',
      'out/.mespotter-output',
      'out/me/a.jpg',
      'running/.mespotter.lock',
      'running/a.jpg',
      'older/.mespotter/.mespotter-report',
      'older/a.jpg',
      'mine/.mespotter/notes.jpg',
      'z.jpg',
    ]);

    const entries = await collect(root);

    expect(entries.map((e) => `${e.kind} ${e.rel}${e.kind === 'skipped' ? `: ${e.reason}` : ''}`)).toEqual([
      'photo a.jpg',
      'photo mine/.mespotter/notes.jpg',
      'skipped older: a mespotter output folder, not scanned',
      'skipped out: a mespotter output folder, not scanned',
      'skipped report: a mespotter report folder, not scanned',
      'skipped running: a mespotter output folder, not scanned',
      'photo z.jpg',
    ]);
  });

  it('still walks a root that is itself a mespotter folder: the folder named is read', async () => {
    await tree(root, ['.mespotter-output', 'me/a.jpg']);

    expect(summary(await collect(root))).toEqual(['skipped .mespotter-output', 'photo me/a.jpg']);
  });

  it("skips mespotter's temporary files, today's and those of older tag runs, whatever their extension", async () => {
    await tree(root, [
      '.mespotter-tmp-123-0123456789ab',
      '.mespotter-tmp-123-0123456789ab.jpg',
      '.mespotter-tmp-123-0123456789ab.jpg_exiftool_tmp',
      '.photo.jpg.mespotter-4242-7.jpg',
      'photo.jpg',
    ]);

    const entries = await collect(root);

    expect(entries.map((e) => `${e.kind} ${e.rel}${e.kind === 'skipped' ? `: ${e.reason}` : ''}`)).toEqual([
      'skipped .mespotter-tmp-123-0123456789ab: a mespotter temporary file',
      'skipped .mespotter-tmp-123-0123456789ab.jpg: a mespotter temporary file',
      'skipped .mespotter-tmp-123-0123456789ab.jpg_exiftool_tmp: a mespotter temporary file',
      'skipped .photo.jpg.mespotter-4242-7.jpg: a mespotter temporary file',
      'photo photo.jpg',
    ]);
  });
});
