/**
 * Reading regions other programs wrote: written here with exiftool itself, the way digiKam,
 * Lightroom (MWG, relative to the stored image) and Windows Photo Gallery (Microsoft regions) do,
 * then found by mespotter's reader as upright boxes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Box } from '../../core/types.js';
import { ExifToolSession } from '../../core/xmp/ExifToolSession.js';
import type { NormRect } from '../../core/xmp/orientationTransform.js';
import { readFaceTags } from '../../core/xmp/readFaceTags.js';
import { exiftool } from '../helpers/exiftoolCli.js';
import { PERSON_BOX, samplePath } from '../helpers/imageFixtures.js';
import { plainPhoto, storeWithOrientation } from '../helpers/orientedPhotos.js';
import { freshDir } from '../helpers/xmpTestFiles.js';

let session: ExifToolSession;
beforeAll(() => {
  session = ExifToolSession.open();
});
afterAll(async () => {
  await session.close();
});

const f = (v: number): string => v.toFixed(6);
/** exiftool's struct syntax for one MWG face region (centre, size), as digiKam writes it. */
const mwgItem = (name: string, r: NormRect): string =>
  `{Name=${name},Type=Face,Area={X=${f(r.left + r.width / 2)},Y=${f(r.top + r.height / 2)},W=${f(r.width)},H=${f(r.height)},Unit=normalized}}`;
/** A Microsoft region: Rectangle "x, y, w, h" (top-left); commas escaped for exiftool's struct syntax. */
const mpItem = (name: string, r: NormRect): string =>
  `{PersonDisplayName=${name},Rectangle=${[r.left, r.top, r.width, r.height].map(f).join('|, ')}}`;

const expectBoxNear = (actual: Box, expected: Box, width: number, height: number): void => {
  expect(Math.abs(actual.x1 - expected.x1) / width).toBeLessThanOrEqual(0.01);
  expect(Math.abs(actual.x2 - expected.x2) / width).toBeLessThanOrEqual(0.01);
  expect(Math.abs(actual.y1 - expected.y1) / height).toBeLessThanOrEqual(0.01);
  expect(Math.abs(actual.y2 - expected.y2) / height).toBeLessThanOrEqual(0.01);
};

describe('reading regions written by other programs', () => {
  it.each([6, 8, 3] as const)(
    'digiKam-style MWG regions in a JPEG with orientation %i (structured write)',
    async (o) => {
      const boxes = [PERSON_BOX, { x1: 1250, y1: 300, x2: 1450, y2: 560 }];
      const fixture = await storeWithOrientation(samplePath(1), boxes, o);
      const dir = freshDir();
      const photo = join(dir, 'dk.jpg');
      writeFileSync(photo, fixture.jpeg);
      const [a, b] = fixture.storedRects as [NormRect, NormRect];
      await exiftool([
        '-q',
        '-overwrite_original',
        `-XMP-mwg-rs:RegionInfo={AppliedToDimensions={W=${fixture.storedWidth},H=${fixture.storedHeight},Unit=pixel},RegionList=[${mwgItem('Anna', a)},${mwgItem('Beth', b)}]}`,
        '-XMP-digiKam:TagsList=People/Anna',
        photo,
      ]);
      const read = await readFaceTags(session, photo);
      expect(read.orientation).toBe(o);
      expect(read.regions.map((r) => [r.name, r.source, r.from])).toEqual([
        ['Anna', 'mwg', 'embedded'],
        ['Beth', 'mwg', 'embedded'],
      ]);
      read.regions.forEach((r, i) => {
        expectBoxNear(r.box, boxes[i]!, fixture.uprightWidth, fixture.uprightHeight);
      });
    },
  );

  it('flattened tags (-RegionName, -RegionAreaX, ...) into a sidecar, and Windows Photo Gallery regions', async () => {
    const dir = freshDir();
    const photo = join(dir, 'w.jpg');
    writeFileSync(photo, await plainPhoto(800, 600));
    const sidecar = join(dir, 'w.jpg.xmp');
    await exiftool([
      '-q',
      '-o',
      sidecar,
      '-RegionName=Dora',
      '-RegionType=Face',
      '-RegionAreaX=0.25',
      '-RegionAreaY=0.5',
      '-RegionAreaW=0.1',
      '-RegionAreaH=0.2',
      '-RegionAreaUnit=normalized',
      '-RegionName+=Rex',
      '-RegionType+=Pet',
      '-RegionAreaX+=0.5',
      '-RegionAreaY+=0.5',
      '-RegionAreaW+=0.1',
      '-RegionAreaH+=0.1',
      '-RegionAreaUnit+=normalized',
      `-XMP-MP:RegionInfoMP={Regions=[${mpItem('Dora', { left: 0.2, top: 0.4, width: 0.1, height: 0.2 })},${mpItem('Emil', { left: 0.7, top: 0.1, width: 0.15, height: 0.2 })}]}`,
      photo,
    ]);
    const read = await readFaceTags(session, photo);
    expect(read.sidecars).toEqual([sidecar]);
    // Dora is in both lists: the MWG one wins, the Microsoft duplicate is dropped; the pet is no face.
    expect(read.regions.map((r) => [r.name, r.source, r.from])).toEqual([
      ['Dora', 'mwg', 'sidecar'],
      ['Emil', 'mp', 'sidecar'],
    ]);
    expect(read.duplicates).toBe(1);
    expectBoxNear(read.regions[0]!.box, { x1: 160, y1: 240, x2: 240, y2: 360 }, 800, 600);
    expectBoxNear(read.regions[1]!.box, { x1: 560, y1: 60, x2: 680, y2: 180 }, 800, 600);
  });

  it('a sidecar is preferred to the embedded XMP; disagreeing names are reported', async () => {
    const dir = freshDir();
    const photo = join(dir, 's.jpg');
    writeFileSync(photo, await plainPhoto(800, 600));
    const face = { left: 0.4, top: 0.3, width: 0.1, height: 0.15 };
    await exiftool([
      '-q',
      '-overwrite_original',
      `-XMP-mwg-rs:RegionInfo={RegionList=[${mwgItem('Fred', face)},{Type=Face,Name=NoArea}]}`,
      '-XMP-iptcExt:PersonInImage=Fred',
      photo,
    ]);
    // Writing to a sidecar that does not exist yet makes exiftool create it from scratch.
    await exiftool([
      '-q',
      `-XMP-mwg-rs:RegionInfo={RegionList=[${mwgItem('Frederick', face)}]}`,
      '-XMP-iptcExt:PersonInImage=Frederick',
      join(dir, 's.xmp'),
    ]);
    const read = await readFaceTags(session, photo);
    expect(read.regions.map((r) => [r.name, r.from])).toEqual([['Frederick', 'sidecar']]);
    expect(read.personInImage).toEqual(['Frederick', 'Fred']);
    expect(read.warnings.map((w) => w.code).sort()).toEqual(['names_disagree', 'unusable_region']);
    const embeddedOnly = await readFaceTags(session, photo, { sidecarNames: [] });
    expect(embeddedOnly.regions.map((r) => r.name)).toEqual(['Fred']);
  });
});
