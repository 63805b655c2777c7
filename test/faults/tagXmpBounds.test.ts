/**
 * XMP that ExifTool would read leniently or slowly is judged once, the same way in both tag modes:
 * an embedded packet with a DOCTYPE is damaged XMP whether the tags go to a sidecar or into the
 * photo, and a huge or deeply nested sidecar is refused before ExifTool parses it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XmpError } from '../../core/errors.js';
import { ExifToolSession } from '../../core/xmp/ExifToolSession.js';
import { type TagFace, TagMode, writeFaceTags } from '../../core/xmp/writeFaceTags.js';
import { exiftool } from '../helpers/exiftoolCli.js';
import { plainPhoto } from '../helpers/orientedPhotos.js';
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

/** The documented cap on an XMP packet (docs/tags.md). */
const MAX_XMP_BYTES = 8 * 1024 * 1024;

const HEAD =
  "<?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?>\n<x:xmpmeta xmlns:x='adobe:ns:meta/'>" +
  "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>" +
  "<rdf:Description rdf:about='' xmlns:dc='http://purl.org/dc/elements/1.1/'>";
const TAIL = "</rdf:Description></rdf:RDF></x:xmpmeta>\n<?xpacket end='w'?>\n";

/** A photo whose embedded XMP declares an entity in a DOCTYPE and uses it in its title. */
const photoWithDoctype = async (dir: string): Promise<string> => {
  const packet = join(dir, 'packet.xmp');
  writeFileSync(
    packet,
    HEAD.replace('\n', "\n<!DOCTYPE x:xmpmeta [ <!ENTITY who 'Evil'> ]>\n") +
      "<dc:title><rdf:Alt><rdf:li xml:lang='x-default'>Hello &who;</rdf:li></rdf:Alt></dc:title>" +
      TAIL,
  );
  const photo = join(dir, 'p.jpg');
  writeFileSync(photo, jpeg);
  await exiftool(['-q', '-overwrite_original', `-xmp<=${packet}`, photo]);
  return photo;
};

const refusal = async (promise: Promise<unknown>): Promise<{ code: string; message: string }> => {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(XmpError);
    return { code: (error as XmpError).code, message: (error as Error).message };
  }
  throw new Error('expected an XmpError');
};

describe('fault: XMP with a DOCTYPE, and sidecars too big or too deep to parse', () => {
  it('an embedded packet with a DOCTYPE is damaged XMP in both modes, with the same reason', async () => {
    // Before the fix: in place rewrote it (the entity became the text "&who;"); the sidecar mode
    // failed with "sidecar_malformed: ... unescaped '&'" about a sidecar that did not exist.
    const dir = freshDir();
    const photo = await photoWithDoctype(dir);
    const before = fingerprint(photo);

    const inPlace = await refusal(writeFaceTags(session, photo, [face], { mode: TagMode.InPlace }));
    expect(inPlace.code).toBe('embedded_xmp_corrupt');
    expect(inPlace.message).toMatch(/embedded XMP is damaged: not well-formed XML \(DOCTYPE/);
    expect(fingerprint(photo)).toEqual(before);

    const sidecar = await writeFaceTags(session, photo, [face]);
    expect(sidecar.status).toBe('written');
    expect(sidecar.seededFromEmbedded).toBe(false);
    const warning = sidecar.warnings.find((w) => w.code === 'embedded_xmp_corrupt');
    expect(warning?.message).toMatch(/embedded XMP is damaged \(not well-formed XML \(DOCTYPE/);
    expect(fingerprint(photo)).toEqual(before);
    expect(listDir(dir)).toEqual(['p.jpg', 'p.xmp', 'packet.xmp']);
  });

  it('a sidecar nested 5000 levels deep is refused at once, left as it was', async () => {
    const dir = freshDir();
    const photo = join(dir, 'p.jpg');
    writeFileSync(photo, jpeg);
    const sidecar = join(dir, 'p.xmp');
    writeFileSync(sidecar, HEAD + '<dc:x>'.repeat(5000) + '</dc:x>'.repeat(5000) + TAIL);
    const before = fingerprint(sidecar);
    const started = Date.now();

    const refused = await refusal(writeFaceTags(session, photo, [face]));

    expect(refused).toEqual({
      code: 'sidecar_malformed',
      message: 'malformed sidecar: not well-formed XML (elements nested deeper than 100 levels)',
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(fingerprint(sidecar)).toEqual(before);
    expect(listDir(dir)).toEqual(['p.jpg', 'p.xmp']);
  });

  it('a sidecar over the size cap is refused without being read whole, left as it was', async () => {
    const dir = freshDir();
    const photo = join(dir, 'p.jpg');
    writeFileSync(photo, jpeg);
    const sidecar = join(dir, 'p.xmp');
    const item = '<rdf:li>a keyword of some length</rdf:li>';
    const count = Math.ceil(MAX_XMP_BYTES / item.length) + 1;
    writeFileSync(sidecar, `${HEAD}<dc:subject><rdf:Bag>${item.repeat(count)}</rdf:Bag></dc:subject>${TAIL}`);
    const before = fingerprint(sidecar);

    const refused = await refusal(writeFaceTags(session, photo, [face]));

    expect(refused.code).toBe('sidecar_malformed');
    expect(refused.message).toMatch(
      /^sidecar too large: \d+ bytes, over the 8 MiB an XMP packet may have here$/,
    );
    expect(fingerprint(sidecar)).toEqual(before);
  });
});
