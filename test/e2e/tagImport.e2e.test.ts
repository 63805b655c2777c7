/**
 * Face tags made elsewhere, read back: `enroll --from-tags` on photos tagged by exiftool directly
 * (as digiKam, Lightroom and Windows Photos write them: embedded or in sidecars, MWG or Microsoft
 * regions, a rotated photo) finds the same people as enrolling from crops; `who` and `sort`
 * `--compare-tags` report where tags and decisions disagree.
 */
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exiftool } from '../helpers/exiftoolCli.js';
import { noFacePhoto, PERSON_BOX, samplePath } from '../helpers/imageFixtures.js';
import { storeWithOrientation } from '../helpers/orientedPhotos.js';
import { latestRunDir, readRunLines } from '../helpers/reportRuns.js';
import { runCliStatus } from '../helpers/runCli.js';
import { RIGHT_BOX, writeKnownFolders } from '../helpers/twoPeople.js';
import { faceCrop, mpItem, mwgArg, mwgItem } from '../helpers/xmpRegions.js';

let work: string;
/** Mia and Rose enrolled from crops. */
let cropLibrary: string;
/** Anna and Bea imported from tags (the same two women). */
let tagLibrary: string;
let tagged: string;
let photos: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mespotter-tagimport-'));
  cropLibrary = join(work, 'crops.db');
  tagLibrary = join(work, 'tags.db');
  photos = join(work, 'photos');
  tagged = join(work, 'tagged');
  await mkdir(photos);
  await mkdir(join(tagged, 'mix'), { recursive: true });
  for (const n of [1, 2, 3, 4, 5, 6]) await copyFile(samplePath(n), join(photos, `sample${n}.jpg`));
  const known = await writeKnownFolders(join(work, 'known'));
  expect((await runCliStatus('enroll', '--folders', known, '--library', cropLibrary)).exitCode).toBe(0);

  // A family photo stored turned (orientation 6), both faces tagged in the photo by hand-measured boxes.
  const family = await storeWithOrientation(samplePath(1), [PERSON_BOX, RIGHT_BOX], 6);
  await writeFile(join(tagged, 'family.jpg'), family.jpeg);
  await exiftool([
    '-q',
    '-overwrite_original',
    `-XMP-mwg-rs:RegionInfo={AppliedToDimensions={W=${family.storedWidth},H=${family.storedHeight},Unit=pixel},RegionList=[${mwgItem('Anna', family.storedRects[0]!)},${mwgItem('Bea', family.storedRects[1]!)}]}`,
    '-XMP-digiKam:TagsList=People/Anna',
    '-XMP-digiKam:TagsList+=People/Bea',
    join(tagged, 'family.jpg'),
  ]);
  // digiKam's default sidecar (photo.jpg.xmp), MWG.
  const anna1 = await faceCrop(1, PERSON_BOX, { margin: 1.0, size: 320 });
  await writeFile(join(tagged, 'anna1.jpg'), anna1.jpeg);
  await exiftool([
    '-q',
    '-o',
    join(tagged, 'anna1.jpg.xmp'),
    mwgArg([mwgItem('Anna', anna1.rect)]),
    join(tagged, 'anna1.jpg'),
  ]);
  // Windows Photo Gallery: Microsoft regions, embedded.
  const anna2 = await faceCrop(1, PERSON_BOX, { margin: 1.4, size: 380, brightness: 0.9 });
  await writeFile(join(tagged, 'anna2.jpg'), anna2.jpeg);
  await exiftool([
    '-q',
    '-overwrite_original',
    `-XMP-MP:RegionInfoMP={Regions=[${mpItem('Anna', anna2.rect)}]}`,
    join(tagged, 'anna2.jpg'),
  ]);
  // A loose box (2.6x the face a side): no detected face overlaps it enough, so its own box is analysed.
  const bea1 = await faceCrop(1, RIGHT_BOX, { margin: 2.2, size: 400 }, 1.6);
  await writeFile(join(tagged, 'bea1.jpg'), bea1.jpeg);
  await exiftool([
    '-q',
    '-overwrite_original',
    mwgArg([mwgItem('Bea', bea1.rect)]),
    join(tagged, 'bea1.jpg'),
  ]);
  // Lightroom / darktable: photo.xmp sidecar.
  const bea2 = await faceCrop(1, RIGHT_BOX, { margin: 1.0, size: 340, brightness: 1.05 });
  await writeFile(join(tagged, 'bea2.jpg'), bea2.jpeg);
  await exiftool([
    '-q',
    '-o',
    join(tagged, 'bea2.xmp'),
    mwgArg([mwgItem('Bea', bea2.rect)]),
    join(tagged, 'bea2.jpg'),
  ]);
  // A region where there is no face at all.
  await writeFile(join(tagged, 'wall.jpg'), await noFacePhoto());
  await exiftool([
    '-q',
    '-overwrite_original',
    mwgArg([mwgItem('Anna', { left: 0.4, top: 0.4, width: 0.1, height: 0.15 })]),
    join(tagged, 'wall.jpg'),
  ]);
  // One name on two different women.
  for (const [i, [b, v]] of (
    [
      [PERSON_BOX, { margin: 0.9, size: 310 }],
      [PERSON_BOX, { margin: 1.3, size: 350 }],
      [RIGHT_BOX, { margin: 0.9, size: 310 }],
      [RIGHT_BOX, { margin: 1.3, size: 350 }],
    ] as const
  ).entries()) {
    const c = await faceCrop(1, b, v);
    const file = join(tagged, 'mix', `m${i}.jpg`);
    await writeFile(file, c.jpeg);
    await exiftool(['-q', '-overwrite_original', mwgArg([mwgItem('Mix', c.rect)]), file]);
  }
}, 240_000);

interface ImportJson {
  photos: number;
  regions: number;
  failed: number;
  people: {
    person: string;
    imported: { source: string; via: string }[];
    already: number;
    rejected: { source: string; reason: string }[];
    error?: string;
  }[];
}

const foundPeople = async (library: string, out: string): Promise<Record<string, string[]>> => {
  const { exitCode } = await runCliStatus(
    'sort',
    photos,
    '--everyone',
    '--out',
    out,
    '--quiet',
    '--dry-run',
    '--library',
    library,
  );
  expect(exitCode).toBe(0);
  const lines = await readRunLines(await latestRunDir(join(out, '.mespotter')));
  return Object.fromEntries(lines.map((l) => [l.path, l.people]));
};

describe('enroll --from-tags', () => {
  it('imports the people tagged elsewhere, reports per person, refuses a name mixing two people', async () => {
    const { output, exitCode } = await runCliStatus(
      'enroll',
      '--from-tags',
      tagged,
      '--json',
      '--library',
      tagLibrary,
    );

    const r = JSON.parse(output) as ImportJson;
    expect(r).toMatchObject({ photos: 10, regions: 11, failed: 0 });
    const by = Object.fromEntries(r.people.map((p) => [p.person, p]));
    expect(Object.keys(by)).toEqual(['Anna', 'Bea', 'Mix']);
    expect(by['Anna']!.imported.map((i) => i.source.split('#')[0]).sort()).toEqual([
      'anna1.jpg',
      'anna2.jpg',
      'family.jpg',
    ]);
    expect(by['Anna']!.rejected).toEqual([
      { source: 'wall.jpg#1', reason: 'no face found in the tagged region' },
    ]);
    expect(by['Bea']!.imported.map((i) => [i.source.split('#')[0], i.via]).sort()).toEqual([
      ['bea1.jpg', 'own_box'],
      ['bea2.jpg', 'detected'],
      ['family.jpg', 'detected'],
    ]);
    expect(by['Mix']!.error).toMatch(/more than one person/);
    // One name refused: the run is incomplete.
    expect(exitCode).toBe(1);
    const people = (await runCliStatus('people', '--json', '--library', tagLibrary)).output
      .split('\n')
      .map((l) => JSON.parse(l) as { name: string; references: number });
    expect(people.map((p) => [p.name, p.references])).toEqual([
      ['Anna', 3],
      ['Bea', 3],
    ]);
  });

  it('is idempotent, and --person limits it to those names', async () => {
    const { output, exitCode } = await runCliStatus(
      'enroll',
      '--from-tags',
      tagged,
      '--person',
      'Anna',
      '--person',
      'Bea',
      '--library',
      tagLibrary,
    );
    expect(exitCode).toBe(0);
    expect(output).toMatch(/imported Anna: 0 new reference\(s\) from tags, 3 already imported/);
    expect(output).toMatch(/imported Bea: 0 new reference\(s\) from tags, 3 already imported/);
    expect(output).not.toContain('Mix');
  });

  it('finds the same people in the collection as enrolling from crops', async () => {
    const byCrops = await foundPeople(cropLibrary, join(work, 'out-crops'));
    const byTags = await foundPeople(tagLibrary, join(work, 'out-tags'));
    const renamed = Object.fromEntries(
      Object.entries(byCrops).map(([p, names]) => [
        p,
        names.map((n) => ({ Mia: 'Anna', Rose: 'Bea' })[n] ?? n).sort(),
      ]),
    );
    expect(byTags).toEqual(renamed);
    expect(byTags['sample1.jpg']).toEqual(['Anna', 'Bea']);
    expect(byTags['sample3.jpg']).toEqual(['Bea']);
    const who = await runCliStatus('who', join(photos, 'sample3.jpg'), '--library', tagLibrary);
    expect(who.output).toMatch(/sample3\.jpg: .*Bea \(/);
  });

  it('usage: --from-tags takes no photos; a folder with no named regions says so', async () => {
    await expect(
      runCliStatus('enroll', '--from-tags', tagged, samplePath(1), '--library', tagLibrary),
    ).rejects.toThrow(/takes no photo arguments/);
    await expect(runCliStatus('enroll', '--from-tags', photos, '--library', tagLibrary)).rejects.toThrow(
      /no named face regions found/,
    );
  });
});

describe('--compare-tags', () => {
  it('who reports different names, untagged people and tagged names not found; the default JSON keys stay', async () => {
    const dir = join(work, 'compare');
    await mkdir(dir);
    await copyFile(join(tagged, 'family.jpg'), join(dir, 'family.jpg'));
    await copyFile(samplePath(3), join(dir, 'sample3.jpg'));
    const args = ['who', dir, '--json', '--library', cropLibrary];

    const plain = await runCliStatus(...args);
    for (const l of plain.output.split('\n'))
      expect(Object.keys(JSON.parse(l)).sort()).toEqual(['faces', 'path']);

    const { output, exitCode } = await runCliStatus(...args, '--compare-tags');
    expect(exitCode).toBe(0);
    const rows = output.split('\n').map((l) => JSON.parse(l));
    expect(Object.keys(rows[0]).sort()).toEqual(['faces', 'path', 'tags']);
    expect(rows[0].tags.regions.map((r: { name: string; from: string }) => [r.name, r.from])).toEqual([
      ['Anna', 'embedded'],
      ['Bea', 'embedded'],
    ]);
    expect(
      rows[0].tags.disagreements.map((d: { kind: string; tagged?: string; found?: string }) => [
        d.kind,
        d.tagged,
        d.found,
      ]),
    ).toEqual([
      ['different_name', 'Anna', 'Mia'],
      ['different_name', 'Bea', 'Rose'],
    ]);
    expect(rows[1].tags.disagreements).toEqual([
      { kind: 'not_tagged', found: 'Rose', box: expect.objectContaining({ x1: expect.any(Number) }) },
    ]);
    // With the people the tags name, nothing disagrees.
    const agree = await runCliStatus(
      'who',
      join(dir, 'family.jpg'),
      '--compare-tags',
      '--library',
      tagLibrary,
    );
    expect(agree.output).not.toContain('tags:');
    const text = await runCliStatus(
      'who',
      join(dir, 'family.jpg'),
      '--compare-tags',
      '--library',
      cropLibrary,
    );
    expect(text.output).toMatch(/tags: tagged "Anna" but we found Mia/);
  });

  it('sort --compare-tags adds tagDisagreements to the result lines, and only then', async () => {
    const dir = join(work, 'compare');
    const out = join(work, 'out-compare');
    await runCliStatus(
      'sort',
      dir,
      '--everyone',
      '--out',
      out,
      '--quiet',
      '--dry-run',
      '--compare-tags',
      '--library',
      cropLibrary,
    );
    const lines = await readRunLines(await latestRunDir(join(out, '.mespotter')));
    const family = lines.find((l) => l.path === 'family.jpg')!;
    expect(family.tagDisagreements?.map((d) => [d.kind, d.tagged, d.found])).toEqual([
      ['different_name', 'Anna', 'Mia'],
      ['different_name', 'Bea', 'Rose'],
    ]);
    expect(lines.find((l) => l.path === 'sample3.jpg')!.tagDisagreements?.map((d) => d.kind)).toEqual([
      'not_tagged',
    ]);

    const plainOut = join(work, 'out-plain');
    await runCliStatus(
      'sort',
      dir,
      '--everyone',
      '--out',
      plainOut,
      '--quiet',
      '--dry-run',
      '--library',
      cropLibrary,
    );
    for (const l of await readRunLines(await latestRunDir(join(plainOut, '.mespotter'))))
      expect(l.tagDisagreements).toBeUndefined();
  });
});
