import { copyFile, mkdir, mkdtemp, readFile, rename, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineIdentity, engineNamespace } from '../../cli/engineOptions.js';
import { startReviewServer } from '../../cli/review/startReviewServer.js';
import { resolveEngineConfig } from '../../core/config.js';
import { LabelKind } from '../../core/library/LabelKind.js';
import { Library, type StoredFace } from '../../core/library/Library.js';
import { LibraryEdits } from '../../core/library/LibraryEdits.js';
import { sha256Hex } from '../../core/models/manifest.js';
import type { Box, Face, FivePoints } from '../../core/types.js';
import { samplePath } from '../helpers/imageFixtures.js';
import { randomUnitVector, seededRng, unitNear } from '../helpers/random.js';
import {
  openReviewSession,
  type ReviewLogin,
  type ReviewReply,
  reviewRequest,
} from '../helpers/reviewSession.js';

/** Face boxes of sample1 and sample3 (from the engine), so crops show real faces. */
const BOXES: Record<number, Box[]> = {
  1: [
    { x1: 1436, y1: 203, x2: 1690, y2: 447 },
    { x1: 408, y1: 352, x2: 598, y2: 588 },
    { x1: 829, y1: 431, x2: 1030, y2: 641 },
  ],
  3: [
    { x1: 1072, y1: 207, x2: 1305, y2: 516 },
    { x1: 587, y1: 328, x2: 775, y2: 606 },
    { x1: 1500, y1: 289, x2: 1692, y2: 565 },
  ],
};

const rng = seededRng(3);
const randomUnit = (): Float32Array => randomUnitVector(rng);
const around = (c: Float32Array, k: number): Float32Array => unitNear(rng, c, k);
const faceAt = (box: Box, embedding: Float32Array): Face => ({
  box,
  score: 0.99,
  points: [0, 1, 2, 3, 4].map((i) => ({ x: box.x1 + 10 * i, y: box.y1 + 5 * i })) as unknown as FivePoints,
  roll: 0,
  quality: 0.95,
  embedding,
});

describe('the review server (real HTTP on 127.0.0.1)', () => {
  let dir: string;
  let library: Library;
  let edits: LibraryEdits;
  let server: Awaited<ReturnType<typeof startReviewServer>>;
  let login: ReviewLogin;
  const faces: StoredFace[] = [];
  const photoIds: number[] = [];
  let ann: number;
  let cluster: number;
  const identity: EngineIdentity = { modelSetId: 'review-test', config: resolveEngineConfig() };

  /**
   * A request as the page makes it: under the session's path (unless `raw`), with its cookie, its
   * Origin on changes, and with `token` the page's CSRF header.
   */
  const send = (
    method: string,
    path: string,
    o: {
      headers?: Record<string, string>;
      body?: string;
      cookie?: boolean;
      token?: boolean;
      raw?: boolean;
    } = {},
  ): Promise<ReviewReply> =>
    reviewRequest(
      server.port,
      method,
      o.raw ? path : `${login.base}${path.slice(1)}`,
      {
        ...(o.cookie === false ? {} : { cookie: login.cookie }),
        ...(o.token ? { 'x-mespotter-token': login.csrf } : {}),
        ...(method !== 'GET' ? { origin: `http://127.0.0.1:${server.port}` } : {}),
        ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...o.headers,
      },
      o.body,
    );
  const post = (
    action: string,
    body: unknown,
    o: { headers?: Record<string, string>; cookie?: boolean } = {},
  ) => send('POST', `/api/${action}`, { ...o, token: true, body: JSON.stringify(body) });

  /** Everything an edit can change, without row ids (undo re-inserts rows). */
  const snapshot = (): string =>
    JSON.stringify({
      labels: library.db
        .prepare(
          'SELECT face_id, person_id, kind, source, created_at FROM labels ORDER BY face_id, person_id, kind',
        )
        .all(),
      people: library.db.prepare('SELECT id, name, named, cluster_no FROM people ORDER BY id').all(),
    });
  const liveActions = (): number =>
    library.db.prepare<{ n: number }>('SELECT COUNT(*) AS n FROM actions WHERE undone_at IS NULL').get()!.n;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mespotter-review-'));
    await mkdir(join(dir, 'photos'));
    library = Library.open(join(dir, 'library.db'));
    edits = new LibraryEdits(library);
    const ns = engineNamespace(identity);
    const annCentre = randomUnit();
    const cluCentre = randomUnit();
    for (const n of [1, 3, 5]) {
      const file = join(dir, 'photos', `sample${n}.jpg`);
      await copyFile(samplePath(n), file);
      const bytes = await readFile(file);
      const boxes = BOXES[n] ?? BOXES[1]!;
      const saved = library.saveAnalysis({ sha256: sha256Hex(bytes), size: bytes.byteLength }, ns, {
        width: 1920,
        height: 1280,
        rejected: 0,
        faces: boxes.map((b, i) =>
          faceAt(b, i === 0 ? around(annCentre, 0.8) : i === 1 ? around(cluCentre, 0.8) : randomUnit()),
        ),
      });
      const s = await stat(file);
      library.recordPath(saved.photoId, {
        root: join(dir, 'photos'),
        rel: `sample${n}.jpg`,
        size: s.size,
        mtimeMs: s.mtimeMs,
      });
      faces.push(...saved.faces);
      photoIds.push(saved.photoId);
    }
    // Ann is enrolled from the first face of sample1; faces 1 of the others form a cluster.
    ann = library.enrol('Ann', [{ faceId: faces[0]!.id, source: 'ref.jpg' }], { replace: false }).id;
    cluster = library.transaction(() => edits.createCluster()).id;
    for (const f of [faces[1]!, faces[4]!, faces[7]!])
      library.db
        .prepare(
          `INSERT INTO labels (face_id, person_id, kind, source, created_at) VALUES (?, ?, 'auto', 'cluster', ?)`,
        )
        .run(f.id, cluster, new Date().toISOString());
    server = await startReviewServer({ library, engine: identity });
    login = await openReviewSession(server);
  });

  afterAll(async () => {
    await server?.close();
    library?.close();
  });

  it('listens on 127.0.0.1 only, on a free port, and prints a URL with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(40);
  });

  it('refuses a request without the session, with a wrong or used token, from another host name or another site', async () => {
    // The exchange (beforeAll): a cookie of its own, for the session's secret path only.
    expect(login.base).toMatch(/^\/[\w-]{20,}\/$/);
    expect(login.setCookie).toMatch(
      new RegExp(
        `^mespotter_review_${server.port}=[\\w-]{40,}; Path=${login.base}; HttpOnly; SameSite=Strict$`,
      ),
    );
    expect(login.cookie).not.toContain(server.token);
    expect(login.csrf).not.toBe(server.token);
    expect(login.cookie).not.toContain(login.csrf);
    expect(login.base).not.toContain(server.token);
    expect((await send('GET', '/', { cookie: false })).status).toBe(403);
    expect((await send('GET', '/', { raw: true })).status).toBe(403);
    expect((await send('GET', '/?token=wrong', { cookie: false, raw: true })).status).toBe(403);
    const again = await send('GET', `/?token=${server.token}`, { cookie: false, raw: true });
    expect(again.status).toBe(403);
    expect(again.body).toMatch(/used already/);
    expect(again.headers['set-cookie']).toBeUndefined();
    const ok = await send('GET', '/');
    expect(ok.status).toBe(200);
    expect(ok.headers['content-security-policy']).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
    // DNS rebinding: a page of evil.example resolving to 127.0.0.1 sends its own Host.
    expect((await send('GET', '/', { headers: { host: `evil.example:${server.port}` } })).status).toBe(403);
    for (const site of ['cross-site', 'same-site'])
      expect((await send('GET', '/', { headers: { 'sec-fetch-site': site } })).status).toBe(403);
    expect((await send('GET', '/face/1.jpg', { cookie: false })).status).toBe(403);
  });

  it('takes a change only with the CSRF header and its own Origin: the cookie alone (a cross-site form), another or no Origin changes nothing', async () => {
    const before = snapshot();
    const body = JSON.stringify({ person: ann, faces: [faces[3]!.id] });
    const cookieOnly = await send('POST', '/api/confirm', { body });
    expect(cookieOnly.status).toBe(403);
    const foreign = await send('POST', '/api/confirm', {
      body,
      token: true,
      headers: { origin: 'http://127.0.0.1:1' },
    });
    expect(foreign.status).toBe(403);
    const forged: Record<string, string>[] = [
      { origin: '' },
      { 'sec-fetch-site': 'same-site' },
      // The entry token is no CSRF token.
      { 'x-mespotter-token': server.token },
    ];
    for (const headers of forged)
      expect((await send('POST', '/api/confirm', { body, token: true, headers })).status).toBe(403);
    const form = await send('POST', '/api/confirm', {
      body: `person=${ann}&faces=${faces[3]!.id}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(403);
    expect(snapshot()).toBe(before);
  });

  it('answers unknown ids and malformed bodies with a 4xx and changes nothing', async () => {
    const before = snapshot();
    const actions = liveActions();
    const f = faces[3]!.id;
    const cases: [string, string, number][] = [
      ['confirm', JSON.stringify({ person: 999_999, faces: [f] }), 404],
      ['confirm', JSON.stringify({ person: ann, faces: [f, 999_999] }), 404],
      ['reject', JSON.stringify({ person: 'Ann', faces: [f] }), 400],
      ['reject', JSON.stringify({ person: ann, faces: [] }), 400],
      ['reject', JSON.stringify({ person: ann, faces: ['1; DROP TABLE labels'] }), 400],
      ['name', JSON.stringify({ person: cluster, name: '../../etc' }), 400],
      ['name', JSON.stringify({ person: cluster, name: 'person-0042' }), 400],
      ['merge', JSON.stringify({ merge: [ann] }), 400],
      ['merge', JSON.stringify({ merge: [ann, ann] }), 400],
      ['split', JSON.stringify({ person: cluster, faces: [f] }), 400],
      ['assign', JSON.stringify({ faces: [f] }), 400],
      ['unassign', JSON.stringify({ faces: [faces[8]!.id] }), 400],
      ['confirm', '{"person": 1, "faces": [', 400],
      ['undo', JSON.stringify({ action: 999_999 }), 404],
    ];
    for (const [action, body, status] of cases) {
      const r = await send('POST', `/api/${action}`, { body, token: true });
      expect([action, body, r.status]).toEqual([action, body, status]);
    }
    const plain = await send('POST', '/api/confirm', {
      body: 'person=1',
      token: true,
      headers: { 'content-type': 'text/plain' },
    });
    expect(plain.status).toBe(400);
    const huge = await send('POST', '/api/confirm', {
      body: JSON.stringify({ x: 'a'.repeat(300_000) }),
      token: true,
    });
    expect(huge.status).toBe(413);
    for (const path of [
      '/person/999999',
      '/photo/999999',
      '/runs/999999',
      '/face/999999.jpg',
      '/nope',
      '/person/abc',
    ])
      expect([path, (await send('GET', path)).status]).toEqual([path, 404]);
    expect((await send('DELETE', '/api/confirm', { token: true })).status).toBe(404);
    expect(snapshot()).toBe(before);
    expect(liveActions()).toBe(actions);
  });

  it('two tabs: the later edit wins and each page shows what is stored, even under concurrent posts', async () => {
    const f = faces[6]!.id;
    const page = `/person/${ann}`;
    const a = await post('confirm', { person: ann, faces: [f], back: page });
    expect(a.status).toBe(200);
    expect(a.body).toContain(`data-face="${f}"`);
    const b = await post('reject', { person: ann, faces: [f], back: page });
    expect(b.status).toBe(200);
    // Tab A reloads: the face is not Ann's, and "not Ann" keeps it out of her near misses too.
    const reload = await send('GET', page);
    expect(reload.body).not.toContain(`data-face="${f}"`);
    expect(edits.ownersOf([f]).get(f)).toMatchObject({ personId: null });

    const g = faces[5]!.id;
    const before = liveActions();
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) => post(i % 2 ? 'reject' : 'confirm', { person: ann, faces: [g] })),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(liveActions()).toBe(before + 10);
    const kinds = library
      .labelsOfFaces([g])
      .filter((l) => l.person === 'Ann')
      .map((l) => l.kind);
    expect(kinds.length).toBe(1);
    expect([LabelKind.Confirmed, LabelKind.Rejected]).toContain(kinds[0]);
  });

  it('undo takes back every kind of action, one at a time, to the state before', async () => {
    // Earlier tests' actions first, so the sequence below starts from a clean slate.
    while (liveActions() > 0) expect((await post('undo', {})).status).toBe(200);
    const start = snapshot();
    const steps: [string, unknown][] = [
      ['name', { person: cluster, name: 'Cleo', confirm: '1' }],
      ['split', { person: cluster, faces: [faces[7]!.id] }],
      ['assign', { faces: [faces[2]!.id], name: 'Dora' }],
      ['assign', { faces: [faces[5]!.id], to: cluster }],
      ['unassign', { faces: [faces[2]!.id] }],
      ['confirm', { person: ann, faces: [faces[3]!.id] }],
      ['reject', { person: ann, faces: [faces[6]!.id] }],
      ['merge', { merge: [cluster, ann] }],
    ];
    for (const [action, body] of steps) {
      const r = await post(action, body);
      expect([action, r.status]).toEqual([action, 200]);
    }
    // Both named: the first given is kept.
    expect(library.person('Cleo')).toBeDefined();
    expect(library.person('Ann')).toBeUndefined();
    for (let i = 0; i < steps.length; i++) {
      const r = await post('undo', { back: '/' });
      expect(r.status).toBe(200);
      expect(r.body).toContain('undid: ');
    }
    expect(snapshot()).toBe(start);
    expect((await post('undo', {})).status).toBe(404);
  });

  it('cuts face crops on demand, and shows a moved photo as moved instead of failing', async () => {
    const crop = await send('GET', `/face/${faces[0]!.id}.jpg`);
    expect(crop.status).toBe(200);
    expect(crop.headers['content-type']).toBe('image/jpeg');
    expect(crop.body.slice(0, 2)).toBe('\xff\xd8');
    const view = await send('GET', `/photo/${photoIds[0]}.jpg`);
    expect(view.headers['content-type']).toBe('image/jpeg');

    await rename(join(dir, 'photos', 'sample5.jpg'), join(dir, 'photos', 'moved.jpg'));
    const page = await send('GET', `/photo/${photoIds[2]}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('This photo is not where the library last saw it');
    expect(page.body).toContain('moved or deleted');
    const missingCrop = await send('GET', `/face/${faces[8]!.id}.jpg`);
    expect(missingCrop.status).toBe(200);
    expect(missingCrop.headers['content-type']).toBe('image/svg+xml');
    expect((await send('GET', `/photo/${photoIds[2]}.jpg`)).status).toBe(404);
  });
});
