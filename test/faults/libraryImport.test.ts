/**
 * Issue 18, item 10: embeddings and every other field of an import are validated, an import that
 * fails leaves nothing behind (one transaction), and a damaged face already in the library costs
 * that face (one warning line), never the whole `people`, `who` or `sort` command.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { engineIdentity, engineNamespace } from '../../cli/engineOptions.js';
import { exportLibrary } from '../../core/library/exportLibrary.js';
import { importLibrary } from '../../core/library/importLibrary.js';
import { LabelKind } from '../../core/library/LabelKind.js';
import { Library } from '../../core/library/Library.js';
import { libraryStats } from '../../core/library/libraryStats.js';
import { readBoundedLines } from '../../core/library/readBoundedLines.js';
import type { Box, Face, FivePoints } from '../../core/types.js';
import { aFace, lcgUnit as unit } from '../helpers/factories.js';
import { samplePath } from '../helpers/imageFixtures.js';
import { runCliProcess } from '../helpers/spawnCli.js';

const b64 = (v: Float32Array): string => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
/** A parsed line or face, edited by a test. */
type Obj = Record<string, unknown>;
const box: Box = { x1: 100, y1: 100, x2: 200, y2: 220 };
const points = [0, 1, 2, 3, 4].map((i) => ({ x: 110 + i * 10, y: 150 + i })) as unknown as FivePoints;
const face = (seed: number): Face => aFace({ box, points, quality: 0.8, embedding: unit(seed) });

let work: string;
let ns: string;
/** A good export: a header, Ann, one photo with two faces, Ann's two labels. */
let good: string[];
let sample1Sha: string;

async function* linesOf(lines: readonly string[]): AsyncGenerator<string> {
  for (const l of lines) yield l;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mespotter-import-'));
  ns = engineNamespace(await engineIdentity({}));
  sample1Sha = createHash('sha256')
    .update(await readFile(samplePath(1)))
    .digest('hex');
  const lib = Library.open(join(work, 'source.db'));
  const saved = lib.saveAnalysis({ sha256: 'a'.repeat(64), size: 10 }, ns, {
    width: 800,
    height: 600,
    rejected: 0,
    faces: [face(1), face(2)],
  });
  const ann = lib.ensurePerson('Ann');
  for (const f of saved.faces) lib.setLabel(f.id, ann.id, LabelKind.Enrolled, { source: 'ann.jpg' });
  good = [...exportLibrary(lib)].map((l) => JSON.stringify(l));
  lib.close();
}, 60_000);

/** The good export with line `i` (0-based) changed by `edit`. */
const edited = (i: number, edit: (line: Obj) => void): string[] =>
  good.map((l, j) => {
    if (j !== i) return l;
    const o = JSON.parse(l);
    edit(o);
    return JSON.stringify(o);
  });
const lineOf = (type: string): number => good.findIndex((l) => JSON.parse(l).type === type);

let fresh = 0;
/** Imports `lines` into a new library; returns the error (if any) and what the library then holds. */
const importInto = async (lines: string[]) => {
  const lib = Library.open(join(work, `target-${++fresh}.db`));
  try {
    const error = await importLibrary(lib, linesOf(lines)).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    const s = libraryStats(lib);
    return { error, people: lib.allPeople().map((p) => p.name), photos: s.photos, faces: s.faces };
  } finally {
    lib.close();
  }
};

describe('fault: library import validates every line and leaves nothing behind', () => {
  it('imports the good export (the baseline every refusal below differs from by one field)', async () => {
    const r = await importInto(good);
    expect(r.error).toBeUndefined();
    expect(r).toMatchObject({ people: ['Ann'], photos: 1, faces: 2 });
  });

  it.each([
    [
      'a NaN embedding',
      (f: Obj) => (f['embedding'] = b64(new Float32Array(512).fill(Number.NaN))),
      /face 1: embedding holds a value that is not a finite number/,
    ],
    [
      'a wrong-length embedding',
      (f: Obj) => (f['embedding'] = b64(unit(3, 256))),
      /face 1: embedding has 256 values where the models make 512/,
    ],
    [
      'an all-zero embedding',
      (f: Obj) => (f['embedding'] = b64(new Float32Array(512))),
      /face 1: embedding is all zeros/,
    ],
    [
      'a ragged embedding',
      (f: Obj) => (f['embedding'] = Buffer.alloc(2045, 1).toString('base64')),
      /not whole float32 values/,
    ],
    [
      'a NaN descriptor',
      (f: Obj) => (f['descriptor'] = b64(new Float32Array(128).fill(Number.NaN))),
      /face 1: descriptor holds a value/,
    ],
  ])(
    'refuses a photo line with %s, naming the line and face, and stores nothing',
    async (_, edit, message) => {
      const photo = lineOf('photo');
      const r = await importInto(edited(photo, (l) => edit((l['faces'] as Obj[])[1]!)));
      expect(r.error?.message).toMatch(new RegExp(`^import line ${photo + 1}: `));
      expect(r.error?.message).toMatch(message);
      expect(r.error?.message).toMatch(/nothing was imported$/);
      // Nothing behind: not Ann (the person line came before), not the photo.
      expect(r).toMatchObject({ people: [], photos: 0, faces: 0 });
    },
  );

  it('a label for a face that does not exist leaves neither the label nor its person behind', async () => {
    const label = lineOf('label');
    const lines = edited(label, (l) => {
      l['sha256'] = 'f'.repeat(64);
      l['person'] = 'Zed';
    });
    const r = await importInto(lines);
    expect(r.error?.message).toMatch(
      new RegExp(`import line ${label + 1}: label for a face that is not in the file`),
    );
    expect(r).toMatchObject({ people: [], photos: 0, faces: 0 });
  });

  it.each([
    ['a threshold of 5', (l: Obj) => (l['threshold'] = 5), /threshold: Too big/],
    ['a threshold of -3', (l: Obj) => (l['threshold'] = -3), /threshold: Too small/],
    ['a 60 MB name', (l: Obj) => (l['name'] = 'A'.repeat(60 * 1024 * 1024)), /longer than \d+ characters/],
    ['a 300-character name', (l: Obj) => (l['name'] = 'A'.repeat(300)), /name: /],
    ['a name with a path in it', (l: Obj) => (l['name'] = '../../etc'), /invalid person name/],
    ['a huge calibration', (l: Obj) => (l['calibration'] = { x: 'y'.repeat(70_000) }), /calibration over/],
  ])('refuses a person line with %s', async (_, edit, message) => {
    const person = lineOf('person');
    const r = await importInto(edited(person, edit));
    expect(r.error?.message).toMatch(new RegExp(`^import line ${person + 1}: `));
    expect(r.error?.message).toMatch(message);
    expect(r).toMatchObject({ people: [], photos: 0 });
  });

  it('library import exits 2 with one line and the library unchanged', async () => {
    const file = join(work, 'bad.jsonl');
    const photo = lineOf('photo');
    await writeFile(
      file,
      `${edited(photo, (l) => {
        (l['faces'] as Obj[])[0]!['embedding'] = b64(new Float32Array(512).fill(Number.NaN));
      }).join('\n')}\n`,
    );
    const library = join(work, 'cli.db');

    const run = await runCliProcess(['library', 'import', file, '--library', library]);

    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(
      /import line \d+: face 0: embedding holds a value that is not a finite number/,
    );
    const lib = Library.open(library);
    expect(lib.allPeople()).toEqual([]);
    lib.close();
  });
});

describe('the import reads lines with a bound, never a whole huge line', () => {
  const collect = async (chunks: (string | Buffer)[], max: number): Promise<string[]> => {
    const out: string[] = [];
    for await (const l of readBoundedLines(
      (async function* () {
        yield* chunks;
      })(),
      max,
    ))
      out.push(l);
    return out;
  };

  it('splits LF and CRLF lines, keeps a character split across chunks, cuts an overlong line', async () => {
    const e = Buffer.from('é');
    expect(
      await collect(
        ['ab\r\ncd\n', Buffer.concat([Buffer.from('x'), e.subarray(0, 1)]), e.subarray(1), '\nlast'],
        10,
      ),
    ).toEqual(['ab', 'cd', 'xé', 'last']);
    expect(await collect(['0123456789abc', 'def\nok\n'], 10)).toEqual(['0123456789a', 'ok']);
  });

  it('library import refuses a 40 MB line by its number, exit 2, nothing imported', async () => {
    const file = join(work, 'huge.jsonl');
    const person = JSON.parse(good[lineOf('person')]!);
    await writeFile(
      file,
      `${good[0]}\n${JSON.stringify({ ...person, name: 'A'.repeat(40 * 1024 * 1024) })}\n`,
    );
    const library = join(work, 'huge.db');

    const run = await runCliProcess(['library', 'import', file, '--library', library]);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^mespotter: import line 2: the line is longer than 16777216 characters; nothing was imported$/m,
    );
  });
});

describe('fault: a damaged stored face is skipped with one line; people, who and sort go on', () => {
  let library: string;
  let input: string;

  beforeAll(async () => {
    library = join(work, 'damaged.db');
    input = join(work, 'photos');
    await mkdir(input);
    await copyFile(samplePath(1), join(input, 'sample1.jpg'));
    const lib = Library.open(library);
    // sample1 as if indexed (its analysis is in the library, so no model runs): Ann's face first.
    lib.saveAnalysis({ sha256: sample1Sha, size: 1 }, ns, {
      width: 1920,
      height: 1280,
      rejected: 0,
      faces: [face(1), face(9)],
    });
    const refs = lib.saveAnalysis({ sha256: 'b'.repeat(64), size: 1 }, ns, {
      width: 800,
      height: 600,
      rejected: 0,
      faces: [face(1), face(2)],
    });
    const ann = lib.ensurePerson('Ann');
    for (const f of refs.faces) lib.setLabel(f.id, ann.id, LabelKind.Enrolled, { source: 'ann.jpg' });
    // One of Ann's references damaged in the file, as a bug or an edit would leave it.
    lib.db
      .prepare('UPDATE faces SET embedding = ? WHERE id = ?')
      .run(Buffer.from(new Float32Array(512).fill(Number.NaN).buffer), refs.faces[1]!.id);
    lib.close();
  });

  const warning =
    /^warning: face \d+ \(photo bbbbbbbbbbbb, face 1\) is skipped: its embedding holds a value that is not a finite number/m;

  it('people lists Ann and says which face it skipped', async () => {
    const run = await runCliProcess(['people', '--library', library]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Ann: /m);
    expect(`${run.stdout}${run.stderr}`.match(new RegExp(warning.source, 'gm'))).toHaveLength(1);
  });

  it('who still finds Ann in the photo', async () => {
    const run = await runCliProcess(['who', input, '--library', library]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/sample1\.jpg: Ann/);
    expect(`${run.stdout}${run.stderr}`).toMatch(warning);
  });

  it('sort still copies the photo Ann is in', async () => {
    const out = join(work, 'out');
    const run = await runCliProcess(['sort', input, '--out', out, '--person', 'Ann', '--library', library]);
    expect(run.code, run.stderr).toBe(0);
    expect(`${run.stdout}${run.stderr}`).toMatch(warning);
    await expect(readFile(join(out, 'sample1.jpg'))).resolves.toBeInstanceOf(Buffer);
  });
});
