/**
 * Face tags written by mespotter, read back by exiftool itself (its command line, raw tags) and by
 * mespotter's reader: names and boxes in all 8 EXIF orientations, the face-api sample photos,
 * foreign sidecars, idempotency, unknown faces and dry runs.
 */
import { chmodSync, copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../core/image/decode.js';
import type { Box } from '../../core/types.js';
import { ExifToolSession } from '../../core/xmp/ExifToolSession.js';
import { EXIF_ORIENTATIONS } from '../../core/xmp/orientationTransform.js';
import { readFaceTags } from '../../core/xmp/readFaceTags.js';
import { type TagFace, writeFaceTags } from '../../core/xmp/writeFaceTags.js';
import { exiftool, rawFaceTags } from '../helpers/exiftoolCli.js';
import { PERSON_BOX, samplePath } from '../helpers/imageFixtures.js';
import { plainPhoto, storeWithOrientation } from '../helpers/orientedPhotos.js';
import {
  expectRectNear,
  fingerprint,
  freshDir,
  listDir,
  mpRawToRect,
  mwgRawToRect,
} from '../helpers/xmpTestFiles.js';

let session: ExifToolSession;
beforeAll(() => {
  session = ExifToolSession.open();
});
afterAll(async () => {
  await session.close();
});

// A name with every character XML must escape, plus non-ASCII and an emoji.
const TRICKY = 'Zoë <&> "Q" \'x\' 😀';

type Raw = Record<string, unknown>;
const regionList = (raw: Raw): Raw[] => (raw['XMP-mwg-rs:RegionInfo'] as { RegionList: Raw[] }).RegionList;
const mpList = (raw: Raw): Raw[] => (raw['XMP-MP:RegionInfoMP'] as { Regions: Raw[] }).Regions;

const expectBoxNear = (actual: Box, expected: Box, width: number, height: number): void => {
  for (const [k, size] of [
    ['x1', width],
    ['x2', width],
    ['y1', height],
    ['y2', height],
  ] as const) {
    expect(
      Math.abs(actual[k] - expected[k]) / size,
      `${k}: ${actual[k]} vs ${expected[k]}`,
    ).toBeLessThanOrEqual(0.01);
  }
};

describe('writing face tags: all 8 orientations, checked by exiftool', () => {
  const generatedBoxes: Box[] = [
    { x1: 60, y1: 80, x2: 200, y2: 260 },
    { x1: 380, y1: 150, x2: 560, y2: 330 },
  ];
  const cases = EXIF_ORIENTATIONS.flatMap((o) => [
    { o, label: 'generated 640x480', source: 'generated' as const, boxes: generatedBoxes },
    {
      o,
      label: 'sample1.jpg',
      source: 'sample1' as const,
      boxes: [PERSON_BOX, { x1: 1250, y1: 300, x2: 1450, y2: 560 }],
    },
  ]);

  it.each(cases)('orientation $o, $label', async ({ o, source, boxes }) => {
    const upright = source === 'generated' ? await plainPhoto(640, 480) : samplePath(1);
    const fixture = await storeWithOrientation(upright, boxes, o);
    const dir = freshDir();
    const photo = join(dir, 'photo.jpg');
    writeFileSync(photo, fixture.jpeg);
    const before = fingerprint(photo);

    // The engine's frame: decode.ts applies the orientation, so its size is the upright one.
    const decoded = await decodeImage(fixture.jpeg, { maxSide: 4096, maxPixels: 100e6 });
    expect([decoded.originalWidth, decoded.originalHeight]).toEqual([
      fixture.uprightWidth,
      fixture.uprightHeight,
    ]);

    const names = ['Alice', TRICKY];
    const faces: TagFace[] = boxes.map((box, i) => ({
      name: names[i]!,
      box,
      uprightWidth: fixture.uprightWidth,
      uprightHeight: fixture.uprightHeight,
    }));
    const result = await writeFaceTags(session, photo, faces);
    expect(result).toMatchObject({
      status: 'written',
      mode: 'sidecar',
      createdSidecar: true,
      target: join(dir, 'photo.xmp'),
    });
    expect(result.faces.map((f) => f.outcome)).toEqual(['added', 'added']);
    expect(fingerprint(photo)).toEqual(before);

    const raw = await rawFaceTags(join(dir, 'photo.xmp'));
    expect(raw['ExifTool:Warning']).toBeUndefined();
    expect((raw['XMP-mwg-rs:RegionInfo'] as Raw)['AppliedToDimensions']).toEqual({
      W: fixture.storedWidth,
      H: fixture.storedHeight,
      Unit: 'pixel',
    });
    const mwg = regionList(raw);
    const mp = mpList(raw);
    expect(mwg.map((r) => r['Name'])).toEqual(names);
    expect(mwg.map((r) => r['Type'])).toEqual(['Face', 'Face']);
    expect(mp.map((r) => r['PersonDisplayName'])).toEqual(names);
    fixture.storedRects.forEach((rect, i) => {
      expect((mwg[i]!['Area'] as Raw)['Unit']).toBe('normalized');
      expectRectNear(mwgRawToRect(mwg[i]!['Area'] as Raw), rect);
      expectRectNear(mpRawToRect(mp[i]!['Rectangle']), rect);
    });
    expect(raw['XMP-iptcExt:PersonInImage']).toEqual(names);
    expect(raw['XMP-lr:HierarchicalSubject']).toEqual(['People|Alice', `People|${TRICKY}`]);
    expect(raw['XMP-digiKam:TagsList']).toEqual(['People/Alice', `People/${TRICKY}`]);
    expect(raw['XMP-dc:Subject']).toEqual(names);

    const read = await readFaceTags(session, photo);
    expect(read).toMatchObject({
      orientation: o,
      storedWidth: fixture.storedWidth,
      uprightWidth: fixture.uprightWidth,
      uprightHeight: fixture.uprightHeight,
      duplicates: 1 * boxes.length,
      sidecars: [join(dir, 'photo.xmp')],
    });
    expect(read.regions.map((r) => [r.name, r.source, r.from])).toEqual(
      names.map((n) => [n, 'mwg', 'sidecar']),
    );
    read.regions.forEach((r, i) => {
      expectBoxNear(r.box, boxes[i]!, fixture.uprightWidth, fixture.uprightHeight);
    });
  });
});

describe('writing face tags: the face-api sample photos', () => {
  // Hand-placed boxes (fractions of the photo); the real detections are wired in by the CLI.
  const boxesFor = (w: number, h: number): Box[] => [
    { x1: 0.1 * w, y1: 0.15 * h, x2: 0.25 * w, y2: 0.4 * h },
    { x1: 0.55 * w, y1: 0.2 * h, x2: 0.7 * w, y2: 0.45 * h },
  ];

  it.each([1, 2, 3, 4, 5, 6])('sample%i.jpg', async (n) => {
    const dir = freshDir();
    const photo = join(dir, `sample${n}.jpg`);
    copyFileSync(samplePath(n), photo);
    const decoded = await decodeImage(readFileSync(photo), { maxSide: 512, maxPixels: 100e6 });
    const w = decoded.originalWidth;
    const h = decoded.originalHeight;
    const boxes = boxesFor(w, h);
    const faces = boxes.map((box, i) => ({
      name: `Person ${n}.${i}`,
      box,
      uprightWidth: w,
      uprightHeight: h,
    }));
    const before = fingerprint(photo);
    const result = await writeFaceTags(session, photo, faces, { sidecarName: 'photo.jpg.xmp' });
    expect(result.target).toBe(`${photo}.xmp`);
    expect(fingerprint(photo)).toEqual(before);

    const raw = await rawFaceTags(`${photo}.xmp`);
    const mwg = regionList(raw);
    expect(mwg.map((r) => r['Name'])).toEqual(faces.map((f) => f.name));
    boxes.forEach((b, i) => {
      const expected = { left: b.x1 / w, top: b.y1 / h, width: (b.x2 - b.x1) / w, height: (b.y2 - b.y1) / h };
      expectRectNear(mwgRawToRect(mwg[i]!['Area'] as Raw), expected);
      expectRectNear(mpRawToRect(mpList(raw)[i]!['Rectangle']), expected);
    });
    const read = await readFaceTags(session, photo);
    expect(read.regions.map((r) => r.name)).toEqual(faces.map((f) => f.name));
    read.regions.forEach((r, i) => {
      expectBoxNear(r.box, boxes[i]!, w, h);
    });
  });
});

/** A digiKam-style sidecar: a named face with a description, unknown fields, a pet, keywords, a rating. */
const FOREIGN_SIDECAR = `<?xpacket begin='\uFEFF' id='W5M0MpCehiHzreSzNTczkc9d'?>
<x:xmpmeta xmlns:x='adobe:ns:meta/' x:xmptk='XMP Core 4.4.0-Exiv2'>
<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>
 <rdf:Description rdf:about=''
  xmlns:mwg-rs='http://www.metadataworkinggroup.com/schemas/regions/'
  xmlns:stArea='http://ns.adobe.com/xmp/sType/Area#'
  xmlns:stDim='http://ns.adobe.com/xap/1.0/sType/Dimensions#'
  xmlns:xmp='http://ns.adobe.com/xap/1.0/'
  xmlns:acme='http://example.com/acme/1.0/'
  xmlns:dc='http://purl.org/dc/elements/1.1/'
  xmlns:lr='http://ns.adobe.com/lightroom/1.0/'
  xmlns:digiKam='http://www.digikam.org/ns/1.0/'
  xmp:Rating='4'
  acme:Project='Summer &amp; sea'>
  <dc:subject><rdf:Bag><rdf:li>Holiday</rdf:li><rdf:li>Bob</rdf:li></rdf:Bag></dc:subject>
  <lr:hierarchicalSubject><rdf:Bag><rdf:li>Places|Beach</rdf:li><rdf:li>People|Bob</rdf:li></rdf:Bag></lr:hierarchicalSubject>
  <digiKam:TagsList><rdf:Seq><rdf:li>Places/Beach</rdf:li><rdf:li>People/Bob</rdf:li></rdf:Seq></digiKam:TagsList>
  <mwg-rs:Regions rdf:parseType='Resource'>
   <mwg-rs:AppliedToDimensions stDim:w='640' stDim:h='480' stDim:unit='pixel'/>
   <mwg-rs:RegionList>
    <rdf:Bag>
     <rdf:li>
      <rdf:Description mwg-rs:Name='Bob' mwg-rs:Type='Face' mwg-rs:Description='left guy'>
       <mwg-rs:Area stArea:x='0.2' stArea:y='0.35' stArea:w='0.2' stArea:h='0.3' stArea:unit='normalized'/>
       <acme:confidence>0.93</acme:confidence>
      </rdf:Description>
     </rdf:li>
     <rdf:li rdf:parseType='Resource'>
      <mwg-rs:Name>Rex</mwg-rs:Name><mwg-rs:Type>Pet</mwg-rs:Type>
      <mwg-rs:Area rdf:parseType='Resource'><stArea:x>0.8</stArea:x><stArea:y>0.8</stArea:y><stArea:w>0.2</stArea:w><stArea:h>0.2</stArea:h><stArea:unit>normalized</stArea:unit></mwg-rs:Area>
     </rdf:li>
    </rdf:Bag>
   </mwg-rs:RegionList>
  </mwg-rs:Regions>
 </rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end='w'?>
`;

describe('merging into what is already there', () => {
  const setup = async (): Promise<{ dir: string; photo: string; sidecar: string }> => {
    const dir = freshDir();
    const photo = join(dir, 'beach.jpg');
    writeFileSync(photo, await plainPhoto(640, 480));
    const sidecar = join(dir, 'beach.xmp');
    writeFileSync(sidecar, FOREIGN_SIDECAR);
    return { dir, photo, sidecar };
  };
  const size = { uprightWidth: 640, uprightHeight: 480 };
  // Bob's region in upright pixels: centre (0.2, 0.35), 0.2 x 0.3 of 640x480.
  const bobBox = { x1: 64, y1: 96, x2: 192, y2: 240 };
  const aliceBox = { x1: 400, y1: 100, x2: 500, y2: 230 };

  it('keeps foreign regions, unknown fields, keywords and other tags; adds ours; never duplicates', async () => {
    const { photo, sidecar } = await setup();
    const beforeRaw = await rawFaceTags(sidecar);
    const result = await writeFaceTags(session, photo, [
      { name: 'Alice', box: aliceBox, ...size },
      { name: 'Bob', box: { x1: 70, y1: 100, x2: 190, y2: 236 }, ...size },
    ]);
    // Bob is already there (our box differs a little: the same face).
    expect(result.faces).toEqual([
      { name: 'Alice', outcome: 'added' },
      { name: 'Bob', outcome: 'present' },
    ]);
    // Another name on Bob's face is a conflict: reported, nothing written.
    const robert = await writeFaceTags(session, photo, [{ name: 'Robert', box: bobBox, ...size }]);
    expect(robert).toMatchObject({
      status: 'unchanged',
      faces: [{ outcome: 'conflict', existingName: 'Bob' }],
    });
    const raw = await rawFaceTags(sidecar);
    expect(raw['ExifTool:Warning']).toBeUndefined();
    const mwg = regionList(raw);
    expect(mwg.map((r) => r['Name'])).toEqual(['Bob', 'Rex', 'Alice']);
    // The foreign regions are exactly as they were, unknown fields included.
    expect(mwg.slice(0, 2)).toEqual(regionList(beforeRaw));
    expect(JSON.stringify(mwg[0])).toContain('0.93');
    expect(raw['XMP-xmp:Rating']).toBe(4);
    expect(raw['XMP-acme:Project']).toBe('Summer & sea');
    expect(raw['XMP-dc:Subject']).toEqual(['Holiday', 'Bob', 'Alice']);
    expect(raw['XMP-lr:HierarchicalSubject']).toEqual(['Places|Beach', 'People|Bob', 'People|Alice']);
    expect(raw['XMP-digiKam:TagsList']).toEqual(['Places/Beach', 'People/Bob', 'People/Alice']);
    expect(raw['XMP-iptcExt:PersonInImage']).toEqual(['Alice', 'Bob']);
    // Microsoft regions did not exist: now there are ours (Alice, Bob), none for the conflict.
    expect(mpList(raw).map((r) => r['PersonDisplayName'])).toEqual(['Alice', 'Bob']);
    expect(readFileSync(sidecar, 'utf8')).toContain('acme:confidence');
  });

  it('is idempotent: the second identical write changes no byte and touches nothing', async () => {
    const { dir, photo, sidecar } = await setup();
    chmodSync(sidecar, 0o600);
    const faces = [{ name: 'Alice', box: aliceBox, ...size }];
    expect((await writeFaceTags(session, photo, faces)).status).toBe('written');
    expect(statSync(sidecar).mode & 0o777).toBe(0o600);
    const first = fingerprint(sidecar);
    const again = await writeFaceTags(session, photo, faces);
    expect(again.status).toBe('unchanged');
    expect(again.faces).toEqual([{ name: 'Alice', outcome: 'present' }]);
    expect(fingerprint(sidecar)).toEqual(first);
    // A new face is added on top; then that run is idempotent too.
    const more = [...faces, { name: 'Carol', box: { x1: 250, y1: 260, x2: 330, y2: 380 }, ...size }];
    expect((await writeFaceTags(session, photo, more)).status).toBe('written');
    const third = fingerprint(sidecar);
    expect((await writeFaceTags(session, photo, more)).status).toBe('unchanged');
    expect(fingerprint(sidecar)).toEqual(third);
    expect(listDir(dir)).toEqual(['beach.jpg', 'beach.xmp']);
  });

  it('rewrites byte-identically from the same start (deterministic output)', async () => {
    const faces = [{ name: TRICKY, box: aliceBox, ...size }];
    const a = await setup();
    const b = await setup();
    await writeFaceTags(session, a.photo, faces);
    await writeFaceTags(session, b.photo, faces);
    expect(readFileSync(a.sidecar)).toEqual(readFileSync(b.sidecar));
  });

  it('a new sidecar starts from the photo’s embedded XMP, which stays in the photo untouched', async () => {
    const dir = freshDir();
    const photo = join(dir, 'lr.jpg');
    writeFileSync(photo, await plainPhoto(640, 480));
    // Lightroom-style embedded tags, written by exiftool itself.
    await exiftool([
      '-q',
      '-overwrite_original',
      '-XMP-mwg-rs:RegionInfo={AppliedToDimensions={W=640,H=480,Unit=pixel},RegionList=[{Name=Bob,Type=Face,Area={X=0.2,Y=0.35,W=0.2,H=0.3,Unit=normalized}}]}',
      '-XMP-dc:Subject=Holiday',
      '-XMP-xmp:Rating=3',
      photo,
    ]);
    const before = fingerprint(photo);
    const result = await writeFaceTags(session, photo, [{ name: 'Alice', box: aliceBox, ...size }]);
    expect(result).toMatchObject({ status: 'written', createdSidecar: true, seededFromEmbedded: true });
    expect(fingerprint(photo)).toEqual(before);
    const raw = await rawFaceTags(join(dir, 'lr.xmp'));
    expect(regionList(raw).map((r) => r['Name'])).toEqual(['Bob', 'Alice']);
    expect(raw['XMP-dc:Subject']).toEqual(['Holiday', 'Alice']);
    expect(raw['XMP-xmp:Rating']).toBe(3);
    // A photo already tagged in place: a sidecar run has nothing to add and creates no sidecar.
    const other = join(dir, 'lr2.jpg');
    copyFileSync(photo, other);
    const faces = [{ name: 'Bob', box: bobBox, ...size }];
    expect((await writeFaceTags(session, other, faces, { mode: 'in-place', backup: false })).status).toBe(
      'written',
    );
    const same = await writeFaceTags(session, other, faces);
    expect(same).toMatchObject({ status: 'unchanged', faces: [{ name: 'Bob', outcome: 'present' }] });
    expect(existsSync(join(dir, 'lr2.xmp'))).toBe(false);
  });

  it('unknown faces: no region by default, an unnamed one on request, named later in place', async () => {
    const dir = freshDir();
    const photo = join(dir, 'u.jpg');
    writeFileSync(photo, await plainPhoto(640, 480));
    const unknown = { name: null, box: aliceBox, ...size };
    expect((await writeFaceTags(session, photo, [unknown])).status).toBe('unchanged');
    expect(existsSync(join(dir, 'u.xmp'))).toBe(false);
    expect((await writeFaceTags(session, photo, [unknown], { unknownRegions: true })).status).toBe('written');
    let raw = await rawFaceTags(join(dir, 'u.xmp'));
    expect(regionList(raw)).toHaveLength(1);
    expect(regionList(raw)[0]!['Name']).toBeUndefined();
    expect(raw['XMP-iptcExt:PersonInImage']).toBeUndefined();
    const named = await writeFaceTags(session, photo, [{ ...unknown, name: 'Alice' }]);
    expect(named.faces).toEqual([{ name: 'Alice', outcome: 'named' }]);
    raw = await rawFaceTags(join(dir, 'u.xmp'));
    expect(regionList(raw).map((r) => r['Name'])).toEqual(['Alice']);
    expect(mpList(raw).map((r) => r['PersonDisplayName'])).toEqual(['Alice']);
    expect(raw['XMP-iptcExt:PersonInImage']).toEqual(['Alice']);
  });

  it('dry run plans and writes nothing; a flat keyword root writes plain names', async () => {
    const dir = freshDir();
    const photo = join(dir, 'd.jpg');
    writeFileSync(photo, await plainPhoto(640, 480));
    const faces = [{ name: 'Alice', box: aliceBox, ...size }];
    const dry = await writeFaceTags(session, photo, faces, { dryRun: true });
    expect(dry).toMatchObject({ status: 'would_write', createdSidecar: true });
    expect(listDir(dir)).toEqual(['d.jpg']);
    await writeFaceTags(session, photo, faces, { keywordRoot: 'Family|Kids' });
    const raw = await rawFaceTags(join(dir, 'd.xmp'));
    expect(raw['XMP-lr:HierarchicalSubject']).toEqual(['Family|Kids|Alice']);
    expect(raw['XMP-digiKam:TagsList']).toEqual(['Family/Kids/Alice']);
  });

  it('many photos at once through one session: each gets its own sidecar', async () => {
    const dir = freshDir();
    const jpeg = await plainPhoto(640, 480);
    const photos = Array.from({ length: 12 }, (_, i) => join(dir, `p${i}.jpg`));
    for (const p of photos) writeFileSync(p, jpeg);
    const results = await Promise.all(
      photos.map((p, i) => writeFaceTags(session, p, [{ name: `P${i}`, box: aliceBox, ...size }])),
    );
    expect(results.every((r) => r.status === 'written')).toBe(true);
    for (const [i, p] of photos.entries()) {
      const raw = await rawFaceTags(p.replace(/\.jpg$/, '.xmp'));
      expect(regionList(raw).map((r) => r['Name'])).toEqual([`P${i}`]);
    }
  });
});
