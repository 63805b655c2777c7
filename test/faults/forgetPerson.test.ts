/**
 * Issue 18, item 14: `people --forget NAME --yes` forgets for good. Their faces' embeddings, their
 * labels and their name (runs, undo journal, label sources, reference paths) are gone; after
 * `library vacuum` neither the .db nor the -wal file holds a byte of them; the next `cluster` has
 * nothing to rebuild them from; and `undo` does not pretend to bring them back.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { engineIdentity, engineNamespace } from '../../cli/engineOptions.js';
import { LabelKind } from '../../core/library/LabelKind.js';
import { Library } from '../../core/library/Library.js';
import { LibraryEdits } from '../../core/library/LibraryEdits.js';
import type { Box, Face } from '../../core/types.js';
import { aFace, bytesOf, frontalPoints, faceOfPerson as of } from '../helpers/factories.js';
import { type CliResult, runCliProcess } from '../helpers/spawnCli.js';

/** Long and rare, so finding it in the raw bytes is never a coincidence. */
const NAME = 'Mirabelle';

const box = (x: number): Box => ({ x1: x, y1: 100, x2: x + 300, y2: 460 });
/** A frontal face (a turned one never starts a cluster). */
const faceAt = (x: number, embedding: Float32Array): Face =>
  aFace({ box: box(x), points: frontalPoints(x), score: 0.95, embedding });
const sha = (n: number): string => n.toString(16).padStart(64, '0');

let work: string;
let library: string;
/** Every embedding of the forgotten person the library held. */
const herEmbeddings: Float32Array[] = [];

const cli = (...args: string[]): Promise<CliResult> => runCliProcess([...args, '--library', library]);

/** The .db and its -wal (when there is one), as bytes. */
const rawFiles = async (): Promise<Buffer> =>
  Buffer.concat([await readFile(library), await readFile(`${library}-wal`).catch(() => Buffer.alloc(0))]);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mespotter-forget-'));
  library = join(work, 'library.db');
  const ns = engineNamespace(await engineIdentity({}));
  const lib = Library.open(library);
  const edits = new LibraryEdits(lib);
  const her = lib.ensurePerson(NAME);
  const rose = lib.ensurePerson('Rose');
  let n = 0;
  // Three reference crops each, enrolled from known/<name>/ (the paths carry the name).
  for (const [person, who, base] of [
    [her, NAME, 1],
    [rose, 'Rose', 2],
  ] as const)
    for (let i = 0; i < 3; i++) {
      const embedding = of(base, 100 * base + i);
      if (who === NAME) herEmbeddings.push(embedding);
      const saved = lib.saveAnalysis({ sha256: sha(++n), size: 1 }, ns, {
        width: 600,
        height: 600,
        rejected: 0,
        faces: [faceAt(100, embedding)],
      });
      lib.recordPath(saved.photoId, {
        root: join(work, 'known'),
        rel: `${who}/${i}.jpg`,
        size: 1,
        mtimeMs: 1,
      });
      lib.setLabel(saved.faces[0]!.id, person.id, LabelKind.Enrolled, { source: `known/${who}/${i}.jpg` });
    }
  // A group photo of the collection: her (confirmed in review), Rose, and Rose's reference named after both.
  const herInGroup = of(1, 900);
  herEmbeddings.push(herInGroup);
  const group = lib.saveAnalysis({ sha256: sha(++n), size: 1 }, ns, {
    width: 1600,
    height: 800,
    rejected: 0,
    faces: [faceAt(100, herInGroup), faceAt(800, of(2, 901))],
  });
  lib.recordPath(group.photoId, { root: join(work, 'photos'), rel: 'party.jpg', size: 1, mtimeMs: 1 });
  edits.confirm(her.id, [group.faces[0]!.id], { source: 'review' });
  lib.setLabel(group.faces[1]!.id, rose.id, LabelKind.Confirmed, { source: `party with ${NAME}.jpg` });
  // Rose's review said that face is not her: an edit about the forgotten person's face.
  edits.reject(rose.id, [group.faces[0]!.id]);
  // A sort run that searched for both.
  const run = lib.startRun(
    'run-1',
    `mespotter sort photos --out "by ${NAME}" --person ${NAME} --person Rose`,
  );
  lib.finishRun(run, { people: [NAME, 'Rose'], counts: { matched: 1 }, out: `by ${NAME}` });
  lib.close();
  // Her name and embeddings are in the file to begin with (what the checks below look for).
  const raw = await rawFiles();
  expect(raw.includes(Buffer.from(NAME))).toBe(true);
  expect(raw.includes(bytesOf(herEmbeddings[0]!))).toBe(true);
}, 60_000);

describe('fault: people --forget forgets for good', () => {
  it('forget then vacuum leaves neither her name nor her embeddings in the .db or the -wal', async () => {
    const forgot = await cli('people', '--forget', NAME, '--yes');
    expect(forgot.code, forgot.stderr).toBe(0);
    const vacuumed = await cli('library', 'vacuum');
    expect(vacuumed.code, vacuumed.stderr).toBe(0);

    const raw = await rawFiles();
    expect(raw.includes(Buffer.from(NAME)), 'name in the raw bytes').toBe(false);
    expect(raw.includes(Buffer.from(NAME.toLowerCase())), 'name in the raw bytes').toBe(false);
    for (const [i, e] of herEmbeddings.entries())
      expect(raw.includes(bytesOf(e).subarray(0, 64)), `embedding ${i} in the raw bytes`).toBe(false);
    expect(forgot.stdout).toMatch(/forgot Mirabelle: 4 face\(s\) deleted .*cannot be undone/);
  });

  it('keeps everyone else: Rose, her references and labels, the run (with the name replaced)', () => {
    const lib = Library.open(library);
    try {
      expect(lib.allPeople().map((p) => p.name)).toEqual(['Rose']);
      const run = lib.db
        .prepare<{ command: string; summary: string }>('SELECT command, summary FROM runs')
        .get()!;
      expect(run.command).toBe(
        'mespotter sort photos --out "by [forgotten]" --person [forgotten] --person Rose',
      );
      expect(JSON.parse(run.summary)).toEqual({
        people: ['[forgotten]', 'Rose'],
        counts: { matched: 1 },
        out: 'by [forgotten]',
      });
      const rose = lib.person('Rose')!;
      expect(lib.labelCount(rose.id, LabelKind.Enrolled)).toBe(3);
      // Her reference crops are gone with their paths (known/Mirabelle/…); the party photo stays, with
      // Rose's face and label, and is analysed afresh when next seen (its analysis lost a face).
      const photos = lib.db
        .prepare<{ rel: string; analysis_ns: string | null; faces: number }>(
          `SELECT pp.rel, p.analysis_ns, (SELECT COUNT(*) FROM faces f WHERE f.photo_id = p.id) AS faces
           FROM photo_paths pp JOIN photos p ON p.id = pp.photo_id ORDER BY pp.rel`,
        )
        .all();
      expect(photos.map((p) => [p.rel, p.analysis_ns === null, p.faces])).toEqual([
        ['Rose/0.jpg', false, 1],
        ['Rose/1.jpg', false, 1],
        ['Rose/2.jpg', false, 1],
        ['party.jpg', true, 1],
      ]);
      expect(lib.labelCount(rose.id, LabelKind.Confirmed)).toBe(1);
      expect(lib.db.prepare<{ n: number }>('SELECT COUNT(*) AS n FROM photos').get()!.n).toBe(4);
    } finally {
      lib.close();
    }
  });

  it('the next cluster run has nothing to rebuild her from', async () => {
    const run = await cli('cluster');
    expect(run.code, run.stderr).toBe(0);
    const listed = await cli('cluster', 'list', '--json');
    const rows = listed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { name: string });
    expect(rows.map((r) => r.name)).toEqual(['Rose']);
  });

  it('undo does not claim to restore her: it says forgetting cannot be undone', async () => {
    const run = await cli('undo');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /action \d+ \(forgot a person \(4 faces deleted, for good\)\) cannot be undone/,
    );
    expect(run.stdout).not.toMatch(/undid/);
    // The edits about her (her confirm, Rose's reject of her face) went with her: only the forget is left.
    const list = await cli('undo', '--list');
    expect(list.stdout).not.toMatch(new RegExp(NAME, 'i'));
    const actions = list.stdout.split('\n').filter((l) => /^\d+ /.test(l));
    expect(actions).toEqual([expect.stringMatching(/^\d+ .* forgot a person/)]);
  });
});
