/**
 * Bad input never costs data: every case is a typed error with a stable code, and every file
 * involved is left byte for byte as it was (no temp file left behind either).
 */
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MespotterError, XmpError } from '../../core/errors.js';
import { ExifToolSession } from '../../core/xmp/ExifToolSession.js';
import { parseFaceTagState } from '../../core/xmp/faceTagState.js';
import { readFaceTags } from '../../core/xmp/readFaceTags.js';
import { readPhotoInfo, readSidecarXmp } from '../../core/xmp/readXmpFiles.js';
import {
  foreignPart,
  type TagFace,
  verifyWrittenXmp,
  type WriteFaceTagsOptions,
  writeFaceTags,
} from '../../core/xmp/writeFaceTags.js';
import { exiftool, rawFaceTags } from '../helpers/exiftoolCli.js';
import { asFormat, plainPhoto } from '../helpers/orientedPhotos.js';
import { fingerprint, freshDir, listDir } from '../helpers/xmpTestFiles.js';

let session: ExifToolSession;
let jpeg: Buffer;
beforeAll(async () => {
  session = ExifToolSession.open();
  jpeg = await plainPhoto(320, 240);
});
afterAll(async () => {
  await session.close();
});

const face: TagFace = {
  name: 'Alice',
  box: { x1: 40, y1: 40, x2: 120, y2: 140 },
  uprightWidth: 320,
  uprightHeight: 240,
};

// Another face, away from the one GOOD() tags, so that writing it is a real change.
const carol: TagFace = { ...face, name: 'Carol', box: { x1: 200, y1: 40, x2: 280, y2: 140 } };

const codeOf = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(XmpError);
    expect(error).toBeInstanceOf(MespotterError);
    expect((error as Error).message).not.toContain('\n');
    return (error as XmpError).code;
  }
  throw new Error('expected an XmpError');
};

/** Runs a write that must fail with `code`, and checks every file in the folder is unchanged. */
const expectRefused = async (
  dir: string,
  photo: string,
  code: string,
  options: WriteFaceTagsOptions = {},
  faces: TagFace[] = [face],
): Promise<void> => {
  const files = listDir(dir);
  const before = files.map((f) => {
    try {
      return fingerprint(join(dir, f));
    } catch {
      return null; // a directory
    }
  });
  expect(await codeOf(writeFaceTags(session, photo, faces, options))).toBe(code);
  expect(listDir(dir)).toEqual(files);
  files.forEach((f, i) => {
    if (before[i]) expect(fingerprint(join(dir, f)), f).toEqual(before[i]);
  });
};

const photoIn = (dir: string, name = 'p.jpg', bytes: Buffer = jpeg): string => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

describe('bad sidecars', () => {
  const GOOD = async (dir: string): Promise<string> => {
    const p = photoIn(dir);
    await writeFaceTags(session, p, [{ ...face, name: 'Bob' }]);
    return readFileSync(join(dir, 'p.xmp'), 'utf8');
  };

  it.each([
    ['truncated', (xmp: string) => xmp.slice(0, Math.floor(xmp.length / 2))],
    ['a mismatched closing tag', (xmp: string) => xmp.replace('</mwg-rs:Name>', '</mwg-rs:Nam>')],
    ['a bare ampersand', (xmp: string) => xmp.replace('>Bob<', '>Bob & Co<')],
    ['plain text', () => 'not xmp at all\n'],
    ['empty', () => ''],
    ['a JPEG', () => 'JPEG'],
  ])('a sidecar that is %s is sidecar_malformed and left alone', async (_label, mangle) => {
    const dir = freshDir();
    const good = await GOOD(dir);
    const photo = join(dir, 'p.jpg');
    const bad = mangle(good);
    writeFileSync(join(dir, 'p.xmp'), bad === 'JPEG' ? jpeg : bad);
    await expectRefused(dir, photo, 'sidecar_malformed');
    expect(await codeOf(readFaceTags(session, photo))).toBe('sidecar_malformed');
  });

  it('a sidecar that is a folder, or has no read permission, is sidecar_unreadable', async () => {
    const dir = freshDir();
    const photo = photoIn(dir);
    mkdirSync(join(dir, 'p.xmp'));
    await expectRefused(dir, photo, 'sidecar_unreadable');
    expect(await codeOf(readFaceTags(session, photo, { sidecarNames: ['photo.xmp'] }))).toBe(
      'sidecar_unreadable',
    );

    const dir2 = freshDir();
    const photo2 = photoIn(dir2);
    await GOOD(dir2);
    chmodSync(join(dir2, 'p.xmp'), 0o000);
    await expectRefused(dir2, photo2, 'sidecar_unreadable', {}, [carol]);
    chmodSync(join(dir2, 'p.xmp'), 0o644);
  });

  it('a read-only sidecar or folder is read_only: nothing written, no temp file', async () => {
    const dir = freshDir();
    const photo = photoIn(dir);
    await GOOD(dir);
    chmodSync(join(dir, 'p.xmp'), 0o444);
    await expectRefused(dir, photo, 'read_only', {}, [carol]);
    // A dry run predicts it.
    await expectRefused(dir, photo, 'read_only', { dryRun: true }, [carol]);

    const ro = freshDir();
    const photo2 = photoIn(ro);
    chmodSync(ro, 0o555);
    try {
      await expectRefused(ro, photo2, 'read_only');
    } finally {
      chmodSync(ro, 0o755);
    }
  });

  it('a symlinked sidecar is updated through the link; the link stays', async () => {
    const dir = freshDir();
    const photo = photoIn(dir);
    await GOOD(dir);
    const real = join(dir, 'real.xmp');
    writeFileSync(real, readFileSync(join(dir, 'p.xmp')));
    const { unlinkSync } = await import('node:fs');
    unlinkSync(join(dir, 'p.xmp'));
    symlinkSync('real.xmp', join(dir, 'p.xmp'));
    expect((await writeFaceTags(session, photo, [carol])).status).toBe('written');
    const raw = await rawFaceTags(real);
    expect(raw['XMP-iptcExt:PersonInImage']).toEqual(['Bob', 'Carol']);
    const { lstatSync } = await import('node:fs');
    expect(lstatSync(join(dir, 'p.xmp')).isSymbolicLink()).toBe(true);
  });

  it('photo.xmp shared by two photos (a.jpg, a.png) is sidecar_ambiguous; photo.jpg.xmp works', async () => {
    const dir = freshDir();
    const photo = photoIn(dir, 'a.jpg');
    photoIn(dir, 'a.png', await asFormat(jpeg, 'png'));
    await expectRefused(dir, photo, 'sidecar_ambiguous');
    const ok = await writeFaceTags(session, photo, [face], { sidecarName: 'photo.jpg.xmp' });
    expect(ok.target).toBe(join(dir, 'a.jpg.xmp'));
    const read = await readFaceTags(session, photo);
    expect(read.regions.map((r) => r.name)).toEqual(['Alice']);
  });
});

describe('bad photos and bad faces', () => {
  it('a photo whose embedded XMP is corrupt: refused in place, reported when read, skipped as a seed', async () => {
    const dir = freshDir();
    const photo = photoIn(dir);
    await exiftool(['-q', '-overwrite_original', '-XMP-dc:Subject=Holiday', '-XMP-xmp:Rating=2', photo]);
    // Damage the packet without changing its length: a closing tag that does not match.
    const bytes = readFileSync(photo);
    const at = bytes.indexOf('</dc:subject>');
    expect(at).toBeGreaterThan(0);
    bytes.write('</dc:subjecx>', at, 'latin1');
    writeFileSync(photo, bytes);
    await expectRefused(dir, photo, 'embedded_xmp_corrupt', { mode: 'in-place' });
    expect(await codeOf(readFaceTags(session, photo))).toBe('embedded_xmp_corrupt');
    // A sidecar is still written (the photo is never touched); the damage is reported.
    const before = fingerprint(photo);
    const result = await writeFaceTags(session, photo, [face]);
    expect(result.status).toBe('written');
    expect(result.seededFromEmbedded).toBe(false);
    expect(result.warnings.map((w) => w.code)).toContain('embedded_xmp_corrupt');
    expect(fingerprint(photo)).toEqual(before);
  });

  it.each([
    ['gif', 'in_place_unsupported'],
    ['avif', 'in_place_unsupported'],
    ['tiff-jpeg', 'in_place_unverifiable'],
  ] as const)('in place on %s is %s', async (format, code) => {
    const dir = freshDir();
    const photo = photoIn(dir, `p.${format.split('-')[0]}`, await asFormat(jpeg, format));
    await expectRefused(dir, photo, code, { mode: 'in-place' });
    // The sidecar default works for the same file.
    expect((await writeFaceTags(session, photo, [face])).status).toBe('written');
  });

  it('a file that is not an image, a missing photo, a folder: photo_unreadable', async () => {
    const dir = freshDir();
    const text = photoIn(dir, 'fake.jpg', Buffer.from('hello, not a photo\n'));
    await expectRefused(dir, text, 'photo_unreadable');
    await expectRefused(dir, join(dir, 'missing.jpg'), 'photo_unreadable');
    mkdirSync(join(dir, 'folder.jpg'));
    await expectRefused(dir, join(dir, 'folder.jpg'), 'photo_unreadable');
    expect(await codeOf(readFaceTags(session, text))).toBe('photo_unreadable');
  });

  it('names XML cannot hold, empty names, bad boxes, a size of another shape, bad options', async () => {
    const dir = freshDir();
    const photo = photoIn(dir);
    await expectRefused(dir, photo, 'invalid_name', {}, [{ ...face, name: 'Al\u0000ice' }]);
    await expectRefused(dir, photo, 'invalid_name', {}, [{ ...face, name: 'tab\there' }]);
    await expectRefused(dir, photo, 'invalid_name', {}, [{ ...face, name: '   ' }]);
    await expectRefused(dir, photo, 'invalid_face', {}, [
      { ...face, box: { x1: 50, y1: 50, x2: 40, y2: 60 } },
    ]);
    await expectRefused(dir, photo, 'invalid_face', {}, [
      { ...face, box: { x1: Number.NaN, y1: 0, x2: 1, y2: 1 } },
    ]);
    // Found on a 240x320 image, but the photo is 320x240 upright: an orientation disagreement.
    await expectRefused(dir, photo, 'dimension_mismatch', {}, [
      { ...face, uprightWidth: 240, uprightHeight: 320 },
    ]);
    await expectRefused(dir, photo, 'invalid_option', { keywordRoot: 'People/Friends' });
    await expectRefused(dir, photo, 'invalid_option', { mode: 'inplace' as 'in-place' });
    // A scaled size (analysis at half resolution) is fine.
    const ok = await writeFaceTags(session, photo, [
      { name: 'Alice', box: { x1: 20, y1: 20, x2: 60, y2: 70 }, uprightWidth: 160, uprightHeight: 120 },
    ]);
    expect(ok.status).toBe('written');
  });

  it('names with separators are tagged but get no hierarchical keyword', async () => {
    const dir = freshDir();
    const photo = photoIn(dir);
    const result = await writeFaceTags(session, photo, [{ ...face, name: 'AC/DC | fan' }]);
    expect(result.warnings.map((w) => w.code)).toContain('name_not_a_keyword');
    const raw = await rawFaceTags(join(dir, 'p.xmp'));
    expect(raw['XMP-iptcExt:PersonInImage']).toEqual(['AC/DC | fan']);
    expect(raw['XMP-dc:Subject']).toEqual(['AC/DC | fan']);
    expect(raw['XMP-lr:HierarchicalSubject']).toBeUndefined();
  });
});

describe('the read-back check that guards every write', () => {
  it('passes an exact result and refuses lost foreign tags, lost keywords or changed pixels', async () => {
    const dir = freshDir();
    const photo = photoIn(dir);
    await writeFaceTags(session, photo, [face]);
    const sidecar = join(dir, 'p.xmp');
    await exiftool(['-q', '-overwrite_original', '-XMP-xmp:Rating=4', sidecar]);
    const xmp = await readSidecarXmp(session, sidecar);
    const baseline = { state: parseFaceTagState(xmp), foreign: foreignPart(xmp) };
    const info = await readPhotoInfo(session, photo, { hash: true });
    await verifyWrittenXmp(session, sidecar, baseline.state, baseline, info);

    const noRating = join(dir, 'a.xmp');
    await exiftool(['-q', '-o', noRating, '-XMP-xmp:Rating=', sidecar]);
    expect(await codeOf(verifyWrittenXmp(session, noRating, baseline.state, baseline, info))).toBe(
      'would_lose_data',
    );
    const noKeyword = join(dir, 'b.xmp');
    await exiftool(['-q', '-o', noKeyword, '-XMP-dc:Subject=', sidecar]);
    expect(await codeOf(verifyWrittenXmp(session, noKeyword, baseline.state, baseline, info))).toBe(
      'would_lose_data',
    );

    // Same XMP, other pixels: an in-place result like that is refused.
    const other = join(dir, 'other.jpg');
    writeFileSync(other, await plainPhoto(320, 240, 60));
    await exiftool(['-q', '-overwrite_original', '-tagsFromFile', sidecar, '-XMP:all', other]);
    expect(await codeOf(verifyWrittenXmp(session, other, baseline.state, baseline, info))).toBe(
      'pixels_changed',
    );
  });
});
