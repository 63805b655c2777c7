/**
 * Issue 18 item 7, `enroll --from-tags`: an import is one undoable action like any enrolment, and
 * a tag on a face that is another person's reference is left out (saying so) unless --force, which
 * says what it took; undo gives it back.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exiftool } from '../helpers/exiftoolCli.js';
import { PERSON_BOX } from '../helpers/imageFixtures.js';
import { runCliStatus } from '../helpers/runCli.js';
import { RIGHT_BOX } from '../helpers/twoPeople.js';
import { faceCrop, mwgArg, mwgItem } from '../helpers/xmpRegions.js';

let work: string;
let library: string;
let photos: string;
const mia: string[] = [];

const cli = (...args: string[]) => runCliStatus(...args, '--library', library);

/** Everyone's reference counts, as `people --json` reports them. */
const references = async (): Promise<Record<string, number>> =>
  Object.fromEntries(
    (await cli('people', '--json')).output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { name: string; references: number })
      .map((r) => [r.name, r.references]),
  );

/** A crop of the face, tagged NAME in a digiKam sidecar (photo.jpg.xmp) when a name is given. */
const photo = async (
  file: string,
  b: typeof PERSON_BOX,
  v: { margin: number; size: number; brightness?: number },
  name?: string,
): Promise<string> => {
  const crop = await faceCrop(1, b, v);
  const path = join(photos, file);
  await writeFile(path, crop.jpeg);
  if (name) await exiftool(['-q', '-o', `${path}.xmp`, mwgArg([mwgItem(name, crop.rect)]), path]);
  return path;
};

const variants = [
  { margin: 0.8, size: 300 },
  { margin: 1.2, size: 420, brightness: 1.1 },
  { margin: 1.6, size: 260 },
];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mespotter-enroll-from-tags-'));
  library = join(work, 'library.db');
  photos = join(work, 'photos');
  await mkdir(photos);
  // Mia's three reference photos; two of them tagged "Bea" by another program.
  for (const [i, v] of variants.entries())
    mia.push(await photo(`mia-${i}.jpg`, PERSON_BOX, v, i === 0 ? undefined : 'Bea'));
  for (const [i, v] of variants.entries()) await photo(`rose-${i}.jpg`, RIGHT_BOX, v, 'Rose');
  expect((await cli('enroll', '--person', 'Mia', ...mia)).exitCode).toBe(0);
}, 180_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('fault: enroll --from-tags was no action and took references silently', () => {
  it('an import is one action that undo takes back', async () => {
    const run = await cli('enroll', '--from-tags', photos, '--person', 'Rose');
    expect(run.output).toMatch(/^imported Rose: 3 new reference\(s\) from tags$/m);
    expect(await references()).toEqual({ Mia: 3, Rose: 3 });
    expect((await cli('undo')).output).toMatch(/undid: imported Rose from tags \(3 references\)/);
    expect(await references()).toEqual({ Mia: 3 });
  }, 180_000);

  it('leaves out tags on Mia’s references unless --force, which says what it took; undo gives them back', async () => {
    const run = await cli('enroll', '--from-tags', photos);
    expect(run.exitCode).toBe(1);
    for (const i of [1, 2])
      expect(run.output).toMatch(
        new RegExp(`rejected mia-${i}\\.jpg#\\d+: already Mia's reference \\(--force takes it\\)`),
      );
    expect(run.output).toMatch(/not imported Bea: no usable face in the tagged regions/);
    expect(await references()).toEqual({ Mia: 3, Rose: 3 });

    const forced = await cli('enroll', '--from-tags', photos, '--force');
    expect(forced.exitCode).toBe(0);
    expect(forced.output).toMatch(
      /^imported Bea: 2 new reference\(s\) from tags; took 2 reference\(s\) from Mia$/m,
    );
    expect(forced.output).toMatch(/imported Rose: 0 new reference\(s\) from tags, 3 already imported/);
    expect(await references()).toEqual({ Bea: 2, Mia: 1, Rose: 3 });

    expect((await cli('undo')).output).toMatch(
      /undid: imported Bea from tags \(2 references, 2 taken from Mia\)/,
    );
    expect(await references()).toEqual({ Mia: 3, Rose: 3 });
  }, 180_000);
});
