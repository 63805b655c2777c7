/**
 * In-place tagging: only the embedded XMP changes. The backup is byte-exact, the image data is
 * untouched (decoded pixels and exiftool's image-data MD5), EXIF is as it was, re-runs do nothing,
 * and exiftool's own -restore_original undoes it.
 */
import { chmodSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XmpError } from '../../core/errors.js';
import { ExifToolSession } from '../../core/xmp/ExifToolSession.js';
import { readFaceTags } from '../../core/xmp/readFaceTags.js';
import { writeFaceTags } from '../../core/xmp/writeFaceTags.js';
import { exiftool, exiftoolJson, rawFaceTags } from '../helpers/exiftoolCli.js';
import { asFormat, plainPhoto, storedPixels, storeWithOrientation } from '../helpers/orientedPhotos.js';
import {
  expectRectNear,
  fingerprint,
  freshDir,
  listDir,
  mwgRawToRect,
  sha256,
} from '../helpers/xmpTestFiles.js';

let session: ExifToolSession;
let jpeg: Buffer;
beforeAll(async () => {
  session = ExifToolSession.open();
  jpeg = await plainPhoto(480, 320);
});
afterAll(async () => {
  await session.close();
});

const size = { uprightWidth: 480, uprightHeight: 320 };
const alice = { name: 'Alice', box: { x1: 50, y1: 60, x2: 150, y2: 190 }, ...size };
const bob = { name: 'Bob & <Co>', box: { x1: 300, y1: 80, x2: 400, y2: 210 }, ...size };

const imageHash = async (file: string): Promise<unknown> =>
  (await exiftoolJson(file, ['-api', 'ImageHashType=MD5', '-ImageDataHash']))['ImageDataHash'];

const nonXmp = async (file: string): Promise<Record<string, unknown>> => {
  const all = await exiftoolJson(file, ['-G1', '-n', '-EXIF:all', '-IPTC:all', '-ICC_Profile:all']);
  delete all['SourceFile'];
  // TIFF strips move when the XMP grows; where they are is not data (their content is hashed).
  for (const k of Object.keys(all)) if (/Offsets$/.test(k)) delete all[k];
  return all;
};

describe('in place', () => {
  it.each(['jpeg', 'png', 'webp', 'tiff-lzw'] as const)(
    '%s: backup byte-exact, pixels untouched, idempotent',
    async (format) => {
      const dir = freshDir();
      const ext = format === 'jpeg' ? 'jpg' : format.split('-')[0]!;
      const photo = join(dir, `p.${ext}`);
      writeFileSync(photo, format === 'jpeg' ? jpeg : await asFormat(jpeg, format));
      if (format === 'jpeg' || format === 'tiff-lzw') {
        await exiftool(['-q', '-overwrite_original', '-EXIF:Make=Acme', '-EXIF:Artist=Ann', photo]);
      }
      const original = sha256(photo);
      const pixels = await storedPixels(photo);
      const hash = await imageHash(photo);
      expect(hash).toBeTruthy();
      const exif = await nonXmp(photo);

      const result = await writeFaceTags(session, photo, [alice], { mode: 'in-place' });
      expect(result).toMatchObject({
        status: 'written',
        mode: 'in-place',
        target: photo,
        backup: `${photo}_original`,
      });
      expect(listDir(dir)).toEqual([`p.${ext}`, `p.${ext}_original`]);
      expect(sha256(`${photo}_original`)).toBe(original);
      expect(sha256(photo)).not.toBe(original);
      expect((await storedPixels(photo)).equals(pixels)).toBe(true);
      expect(await imageHash(photo)).toBe(hash);
      expect(await nonXmp(photo)).toEqual(exif);
      const raw = await rawFaceTags(photo);
      expect(raw['ExifTool:Warning']).toBeUndefined();
      expect(raw['XMP-iptcExt:PersonInImage']).toEqual(['Alice']);

      // Again: nothing to do, nothing touched.
      const tagged = fingerprint(photo);
      const backup = fingerprint(`${photo}_original`);
      expect((await writeFaceTags(session, photo, [alice], { mode: 'in-place' })).status).toBe('unchanged');
      expect(fingerprint(photo)).toEqual(tagged);

      // A new face: written; the backup stays the oldest bytes.
      expect((await writeFaceTags(session, photo, [alice, bob], { mode: 'in-place' })).status).toBe(
        'written',
      );
      expect(fingerprint(`${photo}_original`)).toEqual(backup);
      expect((await storedPixels(photo)).equals(pixels)).toBe(true);
      const read = await readFaceTags(session, photo);
      expect(read.regions.map((r) => [r.name, r.from])).toEqual([
        ['Alice', 'embedded'],
        ['Bob & <Co>', 'embedded'],
      ]);

      // Undo with exiftool itself.
      await exiftool(['-q', '-restore_original', photo]);
      expect(sha256(photo)).toBe(original);
      expect(existsSync(`${photo}_original`)).toBe(false);
    },
  );

  it('regions follow the stored frame of an oriented JPEG, and the orientation tag is kept', async () => {
    const fixture = await storeWithOrientation(jpeg, [alice.box], 6);
    const dir = freshDir();
    const photo = join(dir, 'o6.jpg');
    writeFileSync(photo, fixture.jpeg);
    await writeFaceTags(session, photo, [{ ...alice, uprightWidth: 480, uprightHeight: 320 }], {
      mode: 'in-place',
    });
    const raw = await exiftoolJson(photo, [
      '-struct',
      '-G1',
      '-n',
      '-XMP-mwg-rs:RegionInfo',
      '-IFD0:Orientation',
    ]);
    expect(raw['IFD0:Orientation']).toBe(6);
    const info = raw['XMP-mwg-rs:RegionInfo'] as {
      AppliedToDimensions: unknown;
      RegionList: Record<string, unknown>[];
    };
    expect(info.AppliedToDimensions).toEqual({ W: 320, H: 480, Unit: 'pixel' });
    expectRectNear(
      mwgRawToRect(info.RegionList[0]!['Area'] as Record<string, unknown>),
      fixture.storedRects[0]!,
    );
  });

  it('backup: false keeps no copy; a read-only photo is refused untouched', async () => {
    const dir = freshDir();
    const photo = join(dir, 'nb.jpg');
    writeFileSync(photo, jpeg);
    chmodSync(photo, 0o640);
    await writeFaceTags(session, photo, [alice], { mode: 'in-place', backup: false });
    expect(listDir(dir)).toEqual(['nb.jpg']);
    expect(statSync(photo).mode & 0o777).toBe(0o640);

    const ro = join(dir, 'ro.jpg');
    writeFileSync(ro, jpeg);
    chmodSync(ro, 0o444);
    const before = fingerprint(ro);
    const error = await writeFaceTags(session, ro, [alice], { mode: 'in-place' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XmpError);
    expect((error as XmpError).code).toBe('read_only');
    expect(fingerprint(ro)).toEqual(before);
    expect(listDir(dir)).toEqual(['nb.jpg', 'ro.jpg']);
  });
});
