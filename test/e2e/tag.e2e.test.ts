/**
 * `mespotter tag`: the people found (real engine, two people enrolled from crops) written into XMP
 * and read back with exiftool itself (its command line, raw tags): names and boxes in all 8 EXIF
 * orientations, foreign sidecar content kept, idempotent re-runs, in place with a backup, names
 * XML must escape, dry runs, bad inputs reported while the run goes on, and Ctrl-C.
 */
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LabelKind } from '../../core/library/LabelKind.js';
import { Library } from '../../core/library/Library.js';
import type { Box } from '../../core/types.js';
import { EXIF_ORIENTATIONS } from '../../core/xmp/orientationTransform.js';
import { exiftool, rawFaceTags } from '../helpers/exiftoolCli.js';
import { samplePath } from '../helpers/imageFixtures.js';
import { asFormat, storedPixels, storeWithOrientation } from '../helpers/orientedPhotos.js';
import { runCliStatus } from '../helpers/runCli.js';
import { startCli } from '../helpers/spawnCli.js';
import { writeKnownFolders } from '../helpers/twoPeople.js';
import { expectRectNear, fingerprint, mpRawToRect, mwgRawToRect, sha256 } from '../helpers/xmpTestFiles.js';

type Raw = Record<string, unknown>;
interface PhotoLine {
  path: string;
  status: string;
  target?: string;
  backup?: string;
  faces: { name: string | null; outcome: string; existingName?: string }[];
  code?: string;
  reason?: string;
  cached?: boolean;
}

let work: string;
let library: string;
/** The engine's boxes for the two women on the upright sample1. */
let miaBox: Box;
let roseBox: Box;

const cli = (...args: string[]) => runCliStatus(...args, '--library', library);

/** `tag --json`: the per-photo lines and the summary. */
const tagJson = async (...args: string[]) => {
  const { output, exitCode } = await cli('tag', ...args, '--json');
  const rows = output
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Raw);
  const summary = rows.at(-1)!['summary'] as Raw & { counts: Record<string, number> };
  return { exitCode, photos: rows.slice(0, -1) as unknown as PhotoLine[], summary, output };
};

const regionsOf = (raw: Raw): Raw[] =>
  ((raw['XMP-mwg-rs:RegionInfo'] as { RegionList?: Raw[] } | undefined)?.RegionList ?? []) as Raw[];
const mpRegionsOf = (raw: Raw): Raw[] =>
  ((raw['XMP-MP:RegionInfoMP'] as { Regions?: Raw[] } | undefined)?.Regions ?? []) as Raw[];
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

const hiddenTemps = (dir: string): string[] => readdirSync(dir).filter((f) => f.includes('.mespotter-'));

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mespotter-tag-'));
  library = join(work, 'library.db');
  const known = await writeKnownFolders(join(work, 'known'));
  expect((await cli('enroll', '--folders', known)).exitCode).toBe(0);
  const who = await cli('who', samplePath(1), '--json');
  const faces = (JSON.parse(who.output) as { faces: { box: Box; person: string | null }[] }).faces;
  miaBox = faces.find((f) => f.person === 'Mia')!.box;
  roseBox = faces.find((f) => f.person === 'Rose')!.box;
}, 180_000);

describe('tag: names and boxes read back by exiftool', () => {
  it('writes MWG and Microsoft regions, PersonInImage and keywords in all 8 orientations', async () => {
    const dir = join(work, 'oriented');
    await mkdir(dir);
    const fixtures = new Map<string, Awaited<ReturnType<typeof storeWithOrientation>>>();
    for (const o of EXIF_ORIENTATIONS) {
      const f = await storeWithOrientation(samplePath(1), [miaBox, roseBox], o);
      fixtures.set(`o${o}.jpg`, f);
      await writeFile(join(dir, `o${o}.jpg`), f.jpeg);
    }
    const before = new Map([...fixtures.keys()].map((n) => [n, sha256(join(dir, n))]));

    const { exitCode, photos, summary } = await tagJson(dir, '--everyone');

    expect(exitCode).toBe(0);
    expect(photos.map((p) => [p.path.split('/').at(-1), p.status])).toEqual(
      EXIF_ORIENTATIONS.map((o) => [`o${o}.jpg`, 'written']),
    );
    expect(summary.counts.written).toBe(8);
    for (const [name, f] of fixtures) {
      // The photo itself is never touched.
      expect(sha256(join(dir, name))).toBe(before.get(name));
      const raw = await rawFaceTags(join(dir, name.replace('.jpg', '.xmp')));
      const info = raw['XMP-mwg-rs:RegionInfo'] as { AppliedToDimensions: Raw };
      expect(info.AppliedToDimensions).toMatchObject({ W: f.storedWidth, H: f.storedHeight, Unit: 'pixel' });
      const mwg = regionsOf(raw);
      expect(mwg.map((r) => [r['Name'], r['Type']]).sort()).toEqual([
        ['Mia', 'Face'],
        ['Rose', 'Face'],
      ]);
      const mp = mpRegionsOf(raw);
      for (const [i, person] of ['Mia', 'Rose'].entries()) {
        const region = mwg.find((r) => r['Name'] === person)!;
        expect((region['Area'] as Raw)['Unit']).toBe('normalized');
        // Within 1 % of the image size of where the face really is in the stored pixels.
        expectRectNear(mwgRawToRect(region['Area'] as Raw), f.storedRects[i]!);
        const ms = mp.find((r) => r['PersonDisplayName'] === person)!;
        expectRectNear(mpRawToRect(ms['Rectangle']), f.storedRects[i]!);
      }
      expect(asList(raw['XMP-iptcExt:PersonInImage']).sort()).toEqual(['Mia', 'Rose']);
      expect(asList(raw['XMP-lr:HierarchicalSubject']).sort()).toEqual(['People|Mia', 'People|Rose']);
      expect(asList(raw['XMP-digiKam:TagsList']).sort()).toEqual(['People/Mia', 'People/Rose']);
      expect(asList(raw['XMP-dc:Subject']).sort()).toEqual(['Mia', 'Rose']);
      expect(raw['ExifTool:Warning']).toBeUndefined();
    }
  });

  it('tags the face-api samples; a second run is unchanged, byte for byte', async () => {
    const dir = join(work, 'samples');
    await mkdir(dir);
    for (const n of [1, 2, 3, 4, 5, 6]) await copyFile(samplePath(n), join(dir, `sample${n}.jpg`));

    const first = await tagJson(dir, '--everyone', '--sidecar-name', 'photo.jpg.xmp');
    expect(first.exitCode).toBe(0);
    const status = Object.fromEntries(first.photos.map((p) => [p.path.split('/').at(-1), p.status]));
    expect(status).toEqual({
      'sample1.jpg': 'written',
      'sample2.jpg': 'nothing_to_tag',
      'sample3.jpg': 'written',
      'sample4.jpg': 'nothing_to_tag',
      'sample5.jpg': 'nothing_to_tag',
      'sample6.jpg': 'nothing_to_tag',
    });
    expect(
      readdirSync(dir)
        .filter((f) => f.endsWith('.xmp'))
        .sort(),
    ).toEqual(['sample1.jpg.xmp', 'sample3.jpg.xmp']);
    expect(regionsOf(await rawFaceTags(join(dir, 'sample3.jpg.xmp'))).map((r) => r['Name'])).toEqual([
      'Rose',
    ]);
    const prints = ['sample1.jpg.xmp', 'sample3.jpg.xmp'].map((f) => fingerprint(join(dir, f)));

    const second = await tagJson(dir, '--everyone', '--sidecar-name', 'photo.jpg.xmp');

    expect(second.exitCode).toBe(0);
    expect(second.summary.counts).toMatchObject({ written: 0, unchanged: 2, nothing_to_tag: 4, failed: 0 });
    expect(second.photos.find((p) => p.path.endsWith('sample1.jpg'))!.faces.map((f) => f.outcome)).toEqual([
      'present',
      'present',
    ]);
    expect(['sample1.jpg.xmp', 'sample3.jpg.xmp'].map((f) => fingerprint(join(dir, f)))).toEqual(prints);
    expect(hiddenTemps(dir)).toEqual([]);
  });

  it('--person writes only that person; --min-score above every score writes nobody', async () => {
    const dir = join(work, 'only');
    await mkdir(dir);
    await copyFile(samplePath(1), join(dir, 's1.jpg'));
    const strict = await tagJson(dir, '--everyone', '--min-score', '0.999');
    expect(strict.photos[0]!.status).toBe('nothing_to_tag');
    const rose = await tagJson(dir, '--person', 'Rose');
    expect(rose.photos[0]!.faces).toEqual([{ name: 'Rose', outcome: 'added' }]);
    expect(regionsOf(await rawFaceTags(join(dir, 's1.xmp'))).map((r) => r['Name'])).toEqual(['Rose']);
  });
});

describe("tag: people's own decisions come first", () => {
  it('a human rejected label is never written; a confirmed one always is, even under --min-score', async () => {
    const dir = join(work, 'labels');
    await mkdir(dir);
    await copyFile(samplePath(3), join(dir, 's3.jpg'));
    expect((await tagJson(dir, '--everyone', '--dry-run')).photos[0]!.faces).toEqual([
      { name: 'Rose', outcome: 'added' },
    ]);
    const lib = Library.open(library);
    const known = lib.findPath(dir, 's3.jpg')!;
    const faces = lib.facesOfPhoto(known.photoId);
    const who = JSON.parse((await cli('who', join(dir, 's3.jpg'), '--json')).output) as {
      faces: { box: Box; person: string | null }[];
    };
    const roseBox3 = who.faces.find((f) => f.person === 'Rose')!.box;
    const roseFace = faces.find(
      (f) => Math.abs(f.box.x1 - roseBox3.x1) < 1 && Math.abs(f.box.y1 - roseBox3.y1) < 1,
    )!;
    const rose = lib.person('Rose')!;
    const mia = lib.person('Mia')!;
    try {
      lib.setLabel(roseFace.id, rose.id, LabelKind.Rejected);
      const rejected = await tagJson(dir, '--everyone', '--dry-run');
      expect(rejected.photos[0]!.status).toBe('nothing_to_tag');

      lib.setLabel(roseFace.id, mia.id, LabelKind.Confirmed);
      const confirmed = await tagJson(dir, '--everyone', '--min-score', '0.99');
      expect(confirmed.photos[0]!.faces).toEqual([{ name: 'Mia', outcome: 'added' }]);
      expect(regionsOf(await rawFaceTags(join(dir, 's3.xmp'))).map((r) => r['Name'])).toEqual(['Mia']);
    } finally {
      lib.removeLabel(roseFace.id, rose.id, LabelKind.Rejected);
      lib.removeLabel(roseFace.id, mia.id, LabelKind.Confirmed);
      lib.close();
    }
  });
});

describe('tag: merging with what is there', () => {
  it("keeps a sidecar's foreign regions and keywords; a face tagged with another name is a conflict", async () => {
    const dir = join(work, 'foreign');
    await mkdir(dir);
    await copyFile(samplePath(1), join(dir, 'family.jpg'));
    const sidecar = join(dir, 'family.xmp');
    // As digiKam would leave it: Rose's face already named "Anna", a pet, a face elsewhere, keywords.
    const f = (v: number) => v.toFixed(6);
    const area = (b: Box) =>
      `{X=${f((b.x1 + b.x2) / 2 / 1920)},Y=${f((b.y1 + b.y2) / 2 / 1280)},W=${f((b.x2 - b.x1) / 1920)},H=${f((b.y2 - b.y1) / 1280)},Unit=normalized}`;
    await exiftool([
      '-q',
      '-o',
      sidecar,
      `-XMP-mwg-rs:RegionInfo={AppliedToDimensions={W=1920,H=1280,Unit=pixel},RegionList=[{Name=Anna,Type=Face,Area=${area(roseBox)}},{Name=Rex,Type=Pet,Area=${area({ x1: 100, y1: 900, x2: 300, y2: 1100 })}},{Name=Grandpa,Type=Face,Area=${area({ x1: 1700, y1: 900, x2: 1800, y2: 1020 })}}]}`,
      '-XMP-dc:Subject=Holiday',
      '-XMP-dc:Subject+=Anna',
      '-XMP-lr:HierarchicalSubject=Places|Paris',
      '-XMP-xmp:Rating=4',
      join(dir, 'family.jpg'),
    ]);
    const foreign = await rawFaceTags(sidecar);

    const { exitCode, photos, output } = await tagJson(dir, '--everyone');

    expect(exitCode).toBe(0);
    expect(photos[0]!.faces).toEqual([
      { name: 'Rose', outcome: 'conflict', existingName: 'Anna' },
      { name: 'Mia', outcome: 'added' },
    ]);
    expect(output).toContain('"conflicts":[{"path"');
    const raw = await rawFaceTags(sidecar);
    const names = regionsOf(raw).map((r) => r['Name']);
    expect(names).toEqual(['Anna', 'Rex', 'Grandpa', 'Mia']);
    // Every foreign region exactly as it was; keywords and the rating kept, ours appended.
    expect(regionsOf(raw).slice(0, 3)).toEqual(regionsOf(foreign));
    expect(asList(raw['XMP-dc:Subject'])).toEqual(['Holiday', 'Anna', 'Mia']);
    expect(asList(raw['XMP-lr:HierarchicalSubject'])).toEqual(['Places|Paris', 'People|Mia']);
    expect(raw['XMP-xmp:Rating']).toBe(4);

    // The text summary names the conflict.
    const text = await cli('tag', dir, '--everyone');
    expect(text.output).toMatch(/conflict: .*family\.jpg: we found Rose where a region is tagged "Anna"/);
  });

  it('--in-place edits the embedded XMP, keeps a byte-exact backup, and re-runs are unchanged and cached', async () => {
    const dir = join(work, 'inplace');
    await mkdir(dir);
    const photo = join(dir, 'a.jpg');
    await copyFile(samplePath(3), photo);
    await copyFile(samplePath(3), join(dir, 'b.jpg'));
    const original = sha256(photo);
    const pixels = await storedPixels(photo);

    const first = await tagJson(dir, '--everyone', '--in-place');

    expect(first.exitCode).toBe(0);
    const a = first.photos.find((p) => p.path.endsWith('a.jpg'))!;
    expect(a).toMatchObject({ status: 'written', target: photo, backup: `${photo}_original` });
    expect(sha256(`${photo}_original`)).toBe(original);
    expect(sha256(photo)).not.toBe(original);
    expect((await storedPixels(photo)).equals(pixels)).toBe(true);
    expect(regionsOf(await rawFaceTags(photo)).map((r) => r['Name'])).toEqual(['Rose']);
    expect(existsSync(join(dir, 'a.xmp'))).toBe(false);

    const second = await tagJson(dir, '--everyone', '--in-place');
    expect(second.summary.counts).toMatchObject({ unchanged: 2, written: 0 });
    // The library knows the rewritten bytes: no second analysis, no lost labels.
    expect(second.photos.every((p) => p.cached)).toBe(true);
    expect(sha256(`${photo}_original`)).toBe(original);

    // --no-backup: no _original, still the same pixels.
    const c = join(dir, 'c', 'c.jpg');
    await mkdir(join(dir, 'c'));
    await copyFile(samplePath(3), c);
    expect((await tagJson(join(dir, 'c'), '--everyone', '--in-place', '--no-backup')).exitCode).toBe(0);
    expect(readdirSync(join(dir, 'c'))).toEqual(['c.jpg']);
    expect((await storedPixels(c)).equals(pixels)).toBe(true);
  });

  it('--dry-run says what would be written and writes nothing', async () => {
    const dir = join(work, 'dry');
    await mkdir(dir);
    await copyFile(samplePath(1), join(dir, 's.jpg'));
    const { exitCode, photos, summary } = await tagJson(dir, '--everyone', '--dry-run');
    expect(exitCode).toBe(0);
    expect(photos[0]).toMatchObject({ status: 'would_write', target: join(dir, 's.xmp') });
    expect(summary.counts.would_write).toBe(1);
    expect(readdirSync(dir)).toEqual(['s.jpg']);
  });

  it('a gallery-file name round-trips exactly; a name no person may have is refused (people read from --gallery files)', async () => {
    const galleries = join(work, 'galleries');
    expect((await cli('library', 'export', '--galleries', galleries)).exitCode).toBe(0);
    // Non-ASCII within the person name rule; XML escaping itself is covered by xmpWrite.test.ts, as
    // a name with <&>"' can no longer be a person's (issue 18: one name rule, gallery files included).
    const unusual = 'Zoë Ångström-Ø. 2';
    const g = JSON.parse(await readFile(join(galleries, 'Rose.gallery.json'), 'utf8')) as Raw;
    await writeFile(join(galleries, `${unusual}.gallery.json`), JSON.stringify({ ...g, person: unusual }));
    await rename(join(galleries, 'Rose.gallery.json'), join(work, 'Rose.gallery.json.off'));
    const dir = join(work, 'tricky');
    await mkdir(dir);
    await copyFile(samplePath(3), join(dir, 's3.jpg'));

    const { exitCode, photos } = await tagJson(dir, '--everyone', '--gallery', galleries);

    expect(exitCode).toBe(0);
    expect(photos[0]!.faces).toEqual([{ name: unusual, outcome: 'added' }]);
    const raw = await rawFaceTags(join(dir, 's3.xmp'));
    expect(regionsOf(raw).map((r) => r['Name'])).toEqual([unusual]);
    expect(asList(raw['XMP-lr:HierarchicalSubject'])).toEqual([`People|${unusual}`]);

    const tricky = `Zoë <&> "Q" 'x'`;
    await writeFile(join(galleries, `${tricky}.gallery.json`), JSON.stringify({ ...g, person: tricky }));
    await expect(tagJson(dir, '--everyone', '--gallery', galleries)).rejects.toThrow(/invalid person name/);
  });
});

describe('tag: bad input is reported, costs nothing, and the run goes on', () => {
  it('malformed and read-only sidecars, a broken photo, corrupt embedded XMP: one line each, exit 1', async () => {
    const dir = join(work, 'bad');
    await mkdir(dir);
    for (const n of ['good', 'malformed', 'readonly', 'corrupt'])
      await copyFile(samplePath(3), join(dir, `${n}.jpg`));
    await writeFile(join(dir, 'malformed.xmp'), '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>&</x:xmpmeta>');
    await exiftool([
      '-q',
      '-o',
      join(dir, 'readonly.xmp'),
      '-XMP-dc:Subject=Kept',
      join(dir, 'readonly.jpg'),
    ]);
    chmodSync(join(dir, 'readonly.xmp'), 0o444);
    await writeFile(join(dir, 'broken.jpg'), 'this is not a photo');
    // Embedded XMP damaged without changing its length.
    await exiftool(['-q', '-overwrite_original', '-XMP-dc:Subject=Holiday', join(dir, 'corrupt.jpg')]);
    const bytes = readFileSync(join(dir, 'corrupt.jpg'));
    bytes.write('</dc:subjecx>', bytes.indexOf('</dc:subject>'), 'latin1');
    writeFileSync(join(dir, 'corrupt.jpg'), bytes);
    await writeFile(join(dir, 'movie.gif'), await asFormat(readFileSync(samplePath(3)), 'gif'));
    const names = readdirSync(dir).sort();
    const before = new Map(names.map((n) => [n, fingerprint(join(dir, n))]));

    const sidecars = await tagJson(dir, '--everyone');

    expect(sidecars.exitCode).toBe(1);
    const by = Object.fromEntries(sidecars.photos.map((p) => [p.path.split('/').at(-1), p.code ?? p.status]));
    expect(by).toMatchObject({
      'broken.jpg': expect.stringMatching(/corrupt_image|unsupported_format/),
      'good.jpg': 'written',
      'malformed.jpg': 'sidecar_malformed',
      'readonly.jpg': 'read_only',
      // Its own XMP is damaged, but a sidecar can still be written (with a warning).
      'corrupt.jpg': 'written',
    });
    for (const p of sidecars.photos.filter((x) => x.status === 'failed')) {
      expect(p.reason).toBeTruthy();
      expect(p.reason).not.toContain('\n');
    }
    for (const n of names) expect(fingerprint(join(dir, n)), n).toEqual(before.get(n));
    expect(hiddenTemps(dir)).toEqual([]);

    // In place: the damaged photo and a GIF are refused, left exactly as they were.
    const inPlace = await tagJson(dir, '--everyone', '--in-place');
    const codes = Object.fromEntries(
      inPlace.photos.map((p) => [p.path.split('/').at(-1), p.code ?? p.status]),
    );
    expect(codes).toMatchObject({
      'corrupt.jpg': 'embedded_xmp_corrupt',
      'movie.gif': 'in_place_unsupported',
    });
    expect(inPlace.exitCode).toBe(1);
    for (const n of ['corrupt.jpg', 'movie.gif', 'broken.jpg'])
      expect(fingerprint(join(dir, n)), n).toEqual(before.get(n));

    // Text mode: the reasons go to stderr, one line each; the summary counts them.
    const text = await cli('tag', dir, '--everyone');
    expect(text.exitCode).toBe(1);
    expect(text.output).toMatch(/failed [1-9]/);
    const lines = text.stderr.trimEnd().split('\n');
    expect(lines.every((l) => l.startsWith('mespotter: '))).toBe(true);
    expect(text.stderr).toMatch(/malformed\.jpg: sidecar_malformed: /);
    expect(text.stderr).toMatch(/readonly\.jpg: read_only: /);
  });

  it('usage errors: no one to look for, conflicting modes', async () => {
    await expect(cli('tag', work)).rejects.toThrow(/--person NAME .* or --everyone/);
    await expect(cli('tag', work, '--everyone', '--sidecar', '--in-place')).rejects.toThrow(
      /either --sidecar or --in-place/,
    );
    await expect(cli('tag', work, '--everyone', '--no-backup')).rejects.toThrow(/--in-place only/);
  });
});

describe('tag: Ctrl-C', () => {
  it('the first Ctrl-C finishes the writes in flight and exits 130; no partial sidecar; a re-run finishes', async () => {
    // Enough photos that the run is still going when the signal lands (analyses come from the library).
    const COPIES = 60;
    const dir = join(work, 'many');
    await mkdir(dir);
    for (let i = 0; i < COPIES; i++)
      await copyFile(samplePath(i % 2 ? 1 : 3), join(dir, `p${String(i).padStart(2, '0')}.jpg`));
    const run = startCli(['tag', dir, '--everyone', '--library', library, '--lanes', '1']);
    let stdout = '';
    await new Promise<void>((resolve) => {
      run.child.stdout!.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('written')) resolve();
      });
    });
    run.child.kill('SIGINT');
    const result = await run.done;

    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/stopping after the photos in flight/);
    const written = readdirSync(dir).filter((f) => f.endsWith('.xmp'));
    expect(written.length).toBeGreaterThan(0);
    expect(written.length).toBeLessThan(COPIES);
    expect(hiddenTemps(dir)).toEqual([]);
    for (const x of written) {
      const raw = await rawFaceTags(join(dir, x));
      expect(raw['ExifTool:Warning']).toBeUndefined();
      expect(regionsOf(raw).length).toBeGreaterThan(0);
    }

    const rerun = await tagJson(dir, '--everyone');
    expect(rerun.exitCode).toBe(0);
    expect(rerun.summary.counts.unchanged).toBe(written.length);
    expect(rerun.summary.counts.written).toBe(COPIES - written.length);
    expect(statSync(join(dir, written[0]!)).size).toBeGreaterThan(0);
  }, 120_000);
});
