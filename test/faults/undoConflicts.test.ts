import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { startReviewServer } from '../../cli/review/startReviewServer.js';
import { resolveEngineConfig } from '../../core/config.js';
import { Library } from '../../core/library/Library.js';
import { LibraryEdits } from '../../core/library/LibraryEdits.js';
import type { Box, Face, FivePoints } from '../../core/types.js';
import { randomUnitVector, seededRng } from '../helpers/random.js';
import { openReviewSession, reviewRequest } from '../helpers/reviewSession.js';
import { runCliProcess } from '../helpers/spawnCli.js';

const rng = seededRng(18);
const face = (i: number): Face => {
  const box: Box = { x1: 100 * i, y1: 50, x2: 100 * i + 80, y2: 150 };
  return {
    box,
    score: 0.9,
    points: [0, 1, 2, 3, 4].map((k) => ({ x: box.x1 + 10 + k * 10, y: 80 + k * 5 })) as unknown as FivePoints,
    roll: 0,
    quality: 0.9,
    embedding: randomUnitVector(rng),
  };
};

/** Everything an undo could change, to show a refusal changed nothing. */
const snapshot = (library: Library): string =>
  JSON.stringify({
    people: library.db.prepare('SELECT * FROM people ORDER BY id').all(),
    labels: library.db.prepare('SELECT * FROM labels ORDER BY id').all(),
    actions: library.db.prepare('SELECT id, undone_at FROM actions ORDER BY id').all(),
  });

describe('undo of an older action whose person rows no longer fit (issue 18)', () => {
  let dbPath: string;
  let library: Library;
  let edits: LibraryEdits;
  let faceIds: number[];

  /** Two unnamed clusters of two faces each, as a cluster run leaves them. */
  const twoClusters = (): [number, number] => {
    const [a, b] = library.transaction(() => [edits.createCluster(), edits.createCluster()]);
    const put = library.db.prepare(
      `INSERT INTO labels (face_id, person_id, kind, source, created_at) VALUES (?, ?, 'auto', 'cluster', ?)`,
    );
    for (const [i, p] of [a!.id, a!.id, b!.id, b!.id].entries())
      put.run(faceIds[i], p, new Date().toISOString());
    return [a!.id, b!.id];
  };

  beforeEach(async () => {
    dbPath = join(await mkdtemp(join(tmpdir(), 'mespotter-undo-conflict-')), 'library.db');
    library = Library.open(dbPath);
    edits = new LibraryEdits(library);
    faceIds = library
      .saveAnalysis({ sha256: 'c'.repeat(64), size: 1 }, 'ns1', {
        width: 1000,
        height: 400,
        rejected: 0,
        faces: [0, 1, 2, 3, 4].map(face),
      })
      .faces.map((f) => f.id);
    return () => library.close();
  });

  it('undo --action of a rename whose old name was given to someone else since: exit 2 with the reason, nothing changed', async () => {
    const [a, b] = twoClusters();
    edits.nameCluster(a, 'Alice');
    const rename = edits.nameCluster(a, 'Carol').action;
    // Another cluster (the fifth face is nobody's) takes the freed name: an action on other people, so no later-action clash.
    edits.nameCluster(b, 'Alice');
    const before = snapshot(library);
    library.close();

    const run = await runCliProcess(['undo', '--action', String(rename.id), '--library', dbPath]);
    expect(run.stderr).not.toMatch(/internal error|UNIQUE/);
    expect(run.stderr).toMatch(
      new RegExp(
        `cannot undo action ${rename.id} \\(named Alice Carol.*\\): the name Alice is someone else's now`,
      ),
    );
    expect(run.code).toBe(2);

    library = Library.open(dbPath);
    edits = new LibraryEdits(library);
    expect(snapshot(library)).toBe(before);
    expect(library.personById(a)?.name).toBe('Carol');
    expect(library.personById(b)?.name).toBe('Alice');
  });

  it('the same undo on the review page: 409 with the reason, nothing changed', async () => {
    const [a, b] = twoClusters();
    edits.nameCluster(a, 'Alice');
    const rename = edits.nameCluster(a, 'Carol').action;
    edits.nameCluster(b, 'Alice');
    const before = snapshot(library);
    const server = await startReviewServer({
      library,
      engine: { modelSetId: 'undo-conflict', config: resolveEngineConfig() },
    });
    try {
      const login = await openReviewSession(server);
      const r = await reviewRequest(
        server.port,
        'POST',
        `${login.base}api/undo`,
        {
          cookie: login.cookie,
          origin: `http://127.0.0.1:${server.port}`,
          'x-mespotter-token': login.csrf,
          'content-type': 'application/json',
        },
        JSON.stringify({ action: rename.id }),
      );
      expect(r.body).toMatch(/the name Alice is someone else's now/);
      expect(r.status).toBe(409);
    } finally {
      await server.close();
    }
    expect(snapshot(library)).toBe(before);
  });

  it('undo of a merge whose merged-away name was reused by an enrolment: refused as a conflict, not a constraint failure', () => {
    const [a, b] = twoClusters();
    edits.nameCluster(a, 'Alice');
    edits.nameCluster(b, 'Bob');
    const merge = edits.merge(b, [a]).action;
    // Not an action: an enrolment creates a new Alice.
    library.enrol('Alice', [{ faceId: faceIds[4]!, source: 'alice.jpg' }], { replace: false });
    const before = snapshot(library);
    expect(() => edits.undo(merge.id)).toThrow(
      expect.objectContaining({
        code: 'edit_conflict',
        message: expect.stringMatching(/name Alice is someone else's now/),
      }),
    );
    expect(snapshot(library)).toBe(before);
  });

  it('undo of a merge whose merged-away person id was reused by a new person: refused, the new person kept', async () => {
    const [a, b] = twoClusters();
    edits.nameCluster(a, 'Alice');
    edits.nameCluster(b, 'Bob');
    const merge = edits.merge(a, [b]).action;
    await new Promise((r) => setTimeout(r, 5));
    // SQLite gives the next row the largest id + 1: Bob's.
    const dan = library.enrol('Dan', [{ faceId: faceIds[4]!, source: 'dan.jpg' }], { replace: false });
    expect(dan.id).toBe(b);
    const before = snapshot(library);
    expect(() => edits.undo(merge.id)).toThrow(
      expect.objectContaining({
        code: 'edit_conflict',
        message: expect.stringMatching(/Bob was deleted since and Dan is a new person in its place/),
      }),
    );
    expect(snapshot(library)).toBe(before);
    expect(library.person('Dan')?.id).toBe(b);
  });

  it('undo --list shows the actions still in force ahead of any number of undone ones', async () => {
    const [a] = twoClusters();
    const kept = edits.nameCluster(a, 'Alice').action;
    for (let i = 0; i < 60; i++) {
      edits.reject(a, [faceIds[0]!]);
      edits.undo();
    }
    library.close();
    const run = await runCliProcess(['undo', '--list', '--library', dbPath]);
    expect(run.code).toBe(0);
    // Before: 50 undone rejections, and the name, the one action undo can take back, not shown.
    expect(run.stdout).toMatch(new RegExp(`^${kept.id}  \\S+  named person-0001 Alice`, 'm'));
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe('in force, newest first:');
    expect(lines[1]).toMatch(new RegExp(`^${kept.id}  \\S+  named person-0001 Alice`));
    expect(lines[2]).toBe('undone, newest first:');
    expect(lines.slice(3)).toHaveLength(10);
    for (const l of lines.slice(3)) expect(l).toMatch(/face marked not Alice {2}\(undone /);
    const json = await runCliProcess(['undo', '--list', '--json', '--library', dbPath]);
    const records = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records[0]).toMatchObject({ id: kept.id, undoneAt: null });
    library = Library.open(dbPath);
  });
});
