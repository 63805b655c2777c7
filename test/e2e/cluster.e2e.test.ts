import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT_MARKER } from '../../core/fs/mespotterFolder.js';
import { Library } from '../../core/library/Library.js';
import { LibraryEdits } from '../../core/library/LibraryEdits.js';
import { RIGHT_BOX, writeAnotherMid, writeClusterPhotos } from '../helpers/clusterPhotos.js';
import { sha256 } from '../helpers/faultWorld.js';
import { PERSON_BOX } from '../helpers/imageFixtures.js';
import { runCliStatus } from '../helpers/runCli.js';

interface JsonFace {
  path: string;
  box: { x1: number; y1: number; x2: number; y2: number };
  cluster: string | null;
  face: number;
}

let work: string;
let photos: string;
let library: string;
const cli = (...args: string[]) => runCliStatus(...args, '--library', library);
const lines = (output: string): JsonFace[] =>
  output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as JsonFace);
const near = (a: JsonFace['box'], b: JsonFace['box']): boolean =>
  Math.abs(a.x1 - b.x1) < 30 && Math.abs(a.y1 - b.y1) < 30 && Math.abs(a.x2 - b.x2) < 30;
const folder = async (dir: string): Promise<string[]> => (await readdir(dir)).sort();

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mespotter-cluster-e2e-'));
  photos = join(work, 'photos');
  library = join(work, 'library.db');
  await writeClusterPhotos(photos);
}, 120_000);

describe('mespotter cluster: unknown faces into people, a folder per person', () => {
  let mid: string;
  let right: string;

  it('clusters the folder and writes OUT/person-NNNN/ with copies of each cluster’s photos', async () => {
    const out = join(work, 'out');
    const { output, exitCode } = await cli('cluster', photos, '--out', out, '--json');
    expect(exitCode).toBe(0);
    const faces = lines(output);
    // One line per face of every photo: 22 in the samples, one in each of the six made photos.
    expect(faces).toHaveLength(28);
    for (const f of faces) expect(Object.keys(f)).toEqual(['path', 'box', 'cluster', 'face']);
    const of = (name: string) => faces.filter((f) => f.path === join(photos, name));
    mid = of('mid-0.jpg')[0]!.cluster!;
    right = of('right-0.jpg')[0]!.cluster!;
    expect(mid).toMatch(/^person-\d{4}$/);
    expect(right).toMatch(/^person-\d{4}$/);
    expect(mid).not.toBe(right);
    for (const i of [1, 2]) {
      expect(of(`mid-${i}.jpg`)[0]!.cluster).toBe(mid);
      expect(of(`right-${i}.jpg`)[0]!.cluster).toBe(right);
    }
    // In the group photo each woman's own face is hers, the third stays unknown.
    const group = of('sample1.jpg');
    expect(group.find((f) => near(f.box, PERSON_BOX))!.cluster).toBe(mid);
    expect(group.find((f) => near(f.box, RIGHT_BOX))!.cluster).toBe(right);
    expect(group.filter((f) => f.cluster === null)).toHaveLength(1);
    // The right woman is in sample3 too; everyone else is in one photo only: unknown.
    expect(of('sample3.jpg').filter((f) => f.cluster === right)).toHaveLength(1);
    for (const n of [2, 4, 5, 6]) expect(of(`sample${n}.jpg`).every((f) => f.cluster === null)).toBe(true);

    // The output marker keeps a later walk over a folder above OUT from taking the copies for photos.
    expect(await folder(out)).toEqual([OUTPUT_MARKER, mid, right].sort());
    expect(await folder(join(out, mid))).toEqual(['mid-0.jpg', 'mid-1.jpg', 'mid-2.jpg', 'sample1.jpg']);
    expect(await folder(join(out, right))).toEqual([
      'right-0.jpg',
      'right-1.jpg',
      'right-2.jpg',
      'sample1.jpg',
      'sample3.jpg',
    ]);
    for (const name of await folder(join(out, right)))
      expect(await sha256(join(out, right, name))).toBe(await sha256(join(photos, name)));
  });

  it('changes nothing when run again: the same clusters, every copy already there', async () => {
    const { output, exitCode } = await cli('cluster', photos, '--out', join(work, 'out'));
    expect(exitCode).toBe(0);
    expect(output).toMatch(/no new cluster, 0 added to the 2 existing/);
    expect(output).toMatch(/copied 0, already there 9, conflicts 0, failed 0/);
  });

  it('names a cluster: later folders use the name; the other keeps its number', async () => {
    const named = await cli('cluster', 'name', right, 'Rose', '--confirm');
    expect(named.output).toMatch(new RegExp(`named ${right} Rose \\(5 faces, confirmed\\)`));
    const out2 = join(work, 'out2');
    expect((await cli('cluster', '--out', out2)).exitCode).toBe(0);
    expect(await folder(out2)).toEqual([OUTPUT_MARKER, 'Rose', mid].sort());
    const list = await cli('cluster', 'list', '--json');
    expect(lines(list.output).map((r) => r as unknown as { name: string; faces: number })).toEqual([
      expect.objectContaining({ name: 'Rose', faces: 5 }),
      expect.objectContaining({ name: mid, faces: 4 }),
    ]);
  });

  it('adds a new photo’s face to the existing cluster, never overwriting a different file in OUT', async () => {
    await writeAnotherMid(join(photos, 'another-mid.jpg'));
    const out = join(work, 'out');
    const squatter = Buffer.from('not the photo');
    await writeFile(join(out, mid, 'another-mid.jpg'), squatter);
    const { output, exitCode } = await cli('cluster', photos, '--out', out);
    expect(exitCode).toBe(1);
    expect(output).toMatch(/no new cluster, 1 added to the 2 existing/);
    expect(output).toMatch(/conflicts 1/);
    expect(await readFile(join(out, mid, 'another-mid.jpg'))).toEqual(squatter);
  });

  it('keeps names and clusters through a sort run, and undoes the last actions in turn', async () => {
    // Rose is the only person named: one person searched, so the flat layout OUT/<path>.
    const sorted = await cli('sort', photos, '--everyone', '--out', join(work, 'sorted'), '--quiet');
    expect(sorted.exitCode).toBe(0);
    expect((await folder(join(work, 'sorted'))).filter((f) => !f.startsWith('.'))).toEqual([
      'right-0.jpg',
      'right-1.jpg',
      'right-2.jpg',
      'sample1.jpg',
      'sample3.jpg',
    ]);
    const lib = Library.open(library, { readonly: true });
    const edits = new LibraryEdits(lib);
    expect(edits.membersOf(lib.person(mid)!.id)).toHaveLength(5);
    expect(edits.membersOf(lib.person('Rose')!.id).length).toBeGreaterThanOrEqual(5);
    lib.close();

    expect((await cli('undo')).output).toMatch(/undid: cluster run: 0 new clusters, 1 face added/);
    expect((await cli('undo')).output).toMatch(new RegExp(`undid: named ${right} Rose`));
    const list = lines((await cli('cluster', 'list', '--json')).output) as unknown as {
      name: string;
      faces: number;
    }[];
    expect(list.map((r) => [r.name, r.faces])).toEqual(
      [
        [mid, 4],
        [right, 5],
      ].sort((a, b) => (b[1] as number) - (a[1] as number)),
    );
  });

  it('a split merged back gives every face back: cluster list, people and who agree', async () => {
    // Here mid is unnamed again with its 4 faces (the run that added another-mid was undone).
    const named = await cli('cluster', 'name', mid, 'Mia', '--confirm');
    expect(named.output).toMatch(/Mia \(4 faces, confirmed\)/);
    const shown = (await cli('cluster', 'show', 'Mia', '--json')).output
      .split('\n')
      .map((l) => JSON.parse(l) as { face: number; path: string; box: JsonFace['box'] });
    expect(shown).toHaveLength(4);
    const split = await cli('cluster', 'split', 'Mia', '--faces', `${shown[0]!.face},${shown[1]!.face}`);
    const off = /into (person-\d{4})/.exec(split.output)![1]!;

    const merged = await cli('cluster', 'merge', 'Mia', off);
    expect(merged.output).toMatch(new RegExp(`merged ${off} into Mia \\(4 faces\\)`));
    const list = lines((await cli('cluster', 'list', '--json')).output) as unknown as {
      name: string;
      faces: number;
    }[];
    expect(list.find((r) => r.name === 'Mia')).toMatchObject({ faces: 4 });
    expect(list.some((r) => r.name === off)).toBe(false);
    const people = JSON.parse((await cli('people', '--json')).output) as Record<string, unknown>;
    expect(people).toMatchObject({ name: 'Mia', confirmed: 4, rejected: 0, faces: 4, photos: 4 });
    // `who` gives each of the four faces to Mia.
    const who = lines((await cli('who', ...shown.map((f) => f.path), '--json')).output) as unknown as {
      path: string;
      faces: { box: JsonFace['box']; person: string | null }[];
    }[];
    for (const f of shown)
      expect(who.find((w) => w.path === f.path)!.faces.find((x) => near(x.box, f.box))!.person).toBe('Mia');
  });

  it('refuses an output folder inside the folder being clustered, and a folder that does not exist', async () => {
    await expect(cli('cluster', photos, '--out', join(photos, 'out'))).rejects.toThrow(
      /inside .* being indexed/,
    );
    await expect(cli('cluster', join(work, 'nope'))).rejects.toThrow(/folder not found/);
    await mkdir(join(work, 'empty'));
    expect(
      (await cli('cluster', 'name', 'person-9999', 'Zed').catch((e: Error) => e)) as Error,
    ).toHaveProperty('message', expect.stringMatching(/no cluster or person "person-9999"/));
  });
});
