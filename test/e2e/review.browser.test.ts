import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rename } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineIdentity, engineNamespace } from '../../cli/engineOptions.js';
import { startReviewServer } from '../../cli/review/startReviewServer.js';
import { Library } from '../../core/library/Library.js';
import { LibraryEdits } from '../../core/library/LibraryEdits.js';
import { writeClusterPhotos } from '../helpers/clusterPhotos.js';
import { reviewRequest } from '../helpers/reviewSession.js';
import { runCliStatus } from '../helpers/runCli.js';

/** Debian's Chromium (`apt-get install chromium`); CHROMIUM_PATH points elsewhere. */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The review page in a real browser: Chromium driven by playwright-core clicks through naming a
 * cluster, rejecting a face with the keyboard, opening a photo, merging two people and undoing,
 * and the library is checked after each step. A screenshot of every view goes to the test's
 * output folder (printed), and also to $MESPOTTER_SCREENSHOTS when set.
 */
// Skipped only on a developer machine without chromium; in CI (.ci/run installs it) a missing
// browser fails the run instead of silently skipping it.
const NO_BROWSER = !existsSync(CHROMIUM) && process.env['CI'] !== 'true';
if (NO_BROWSER)
  console.warn(`review browser tests skipped: ${CHROMIUM} not found (apt-get install chromium)`);

describe.skipIf(NO_BROWSER)('the review page in Chromium', () => {
  let work: string;
  let photos: string;
  let library: Library;
  let edits: LibraryEdits;
  let server: Awaited<ReturnType<typeof startReviewServer>>;
  let context: BrowserContext;
  let page: Page;
  let shots: string;
  let ns: string;
  /** The session's path, where the printed URL landed. */
  let base: string;
  const problems: string[] = [];
  const clusters: { mid: string; right: string } = { mid: '', right: '' };

  const shoot = async (name: string): Promise<void> => {
    const path = join(shots, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    console.log(`screenshot: ${path}`);
    const extra = process.env['MESPOTTER_SCREENSHOTS'];
    if (extra) {
      await mkdir(extra, { recursive: true });
      await copyFile(path, join(extra, `${name}.png`));
    }
  };
  const flash = (text: string) => page.locator('#flash', { hasText: text }).waitFor({ timeout: 20_000 });
  const members = (name: string): number[] => edits.membersOf(library.person(name)!.id);

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'mespotter-review-browser-'));
    photos = join(work, 'photos');
    shots = join(work, 'screenshots');
    await mkdir(shots);
    await writeClusterPhotos(photos);
    const dbPath = join(work, 'library.db');
    const run = await runCliStatus('cluster', photos, '--library', dbPath, '--json');
    expect(run.exitCode).toBe(0);
    const lines = run.output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    clusters.mid = lines.find((l) => l.path.endsWith('mid-0.jpg')).cluster;
    clusters.right = lines.find((l) => l.path.endsWith('right-0.jpg')).cluster;
    library = Library.open(dbPath);
    edits = new LibraryEdits(library);
    const engine = await engineIdentity({});
    ns = engineNamespace(engine);
    server = await startReviewServer({ library, engine });
    context = await chromium.launchPersistentContext(await mkdtemp(join(tmpdir(), 'chromium-profile-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    // A CSP violation, a script error or a failed request shows here.
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    library?.close();
  });

  it('opens People with the token from the printed URL, which then leaves the address bar', async () => {
    await page.goto(server.url);
    expect(new URL(page.url()).search).toBe('');
    base = new URL(page.url()).pathname;
    await page.locator('h2', { hasText: 'Unnamed clusters' }).waitFor();
    expect(await page.locator('.card[data-name^="person-"]').count()).toBe(2);
    await page.waitForLoadState('networkidle');
    await shoot('people');
  });

  it('another local server on another port gets nothing it can act with, and the printed URL does not open twice', async () => {
    // What the library holds, to show nothing was renamed.
    const stored = () =>
      JSON.stringify([
        library.db.prepare('SELECT id, name, named FROM people ORDER BY id').all(),
        library.db.prepare('SELECT COUNT(*) AS n FROM actions').get(),
      ]);
    const before = stored();
    const received: string[] = [];
    const other: Server = createServer((req, res) => {
      received.push(req.headers.cookie ?? '');
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><title>another local app</title>');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const tab = await context.newPage();
      await tab.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
      // The printed URL's token was used up when the first tab opened it.
      const again = await tab.goto(server.url);
      expect(again?.status()).toBe(403);
      expect(await tab.locator('body').textContent()).toMatch(/used already/);
      await tab.close();
      expect(received.length).toBeGreaterThan(0);
      const cookies = received.join('; ');
      // The other server replays what it received against the review server, forging everything
      // else a page of the review server would send, at its root and (had it learnt it) under
      // the session's path: a page, and a rename.
      const values = cookies
        .split(';')
        .map((c) => c.split('=').slice(1).join('='))
        .filter(Boolean);
      const self = `http://127.0.0.1:${server.port}`;
      const cluster = library.person(clusters.right)!.id;
      for (const root of ['/', base]) {
        const headers = { cookie: cookies, 'sec-fetch-site': 'same-origin' };
        const read = await reviewRequest(server.port, 'GET', root, headers);
        expect([root, 'GET', read.status]).toEqual([root, 'GET', 403]);
        for (const token of ['', ...values]) {
          const rename = await reviewRequest(
            server.port,
            'POST',
            `${root}api/name`,
            {
              ...headers,
              origin: self,
              'x-mespotter-token': token,
              'content-type': 'application/x-www-form-urlencoded',
            },
            `person=${cluster}&name=Mallory`,
          );
          expect([root, 'POST', rename.status]).toEqual([root, 'POST', 403]);
        }
      }
      // Even the browser's real session cookie, had it leaked, opens nothing outside the session's path.
      const session = (await context.cookies()).find((c) => c.name === `mespotter_review_${server.port}`)!;
      expect(session.path).toBe(base);
      expect(session.value).not.toBe(server.token);
      // Scoped to the session's path, it never went to the other server.
      expect(cookies).not.toContain(session.value);
      const leaked = { cookie: `${session.name}=${session.value}`, origin: self };
      expect((await reviewRequest(server.port, 'GET', '/', leaked)).status).toBe(403);
      expect(
        (
          await reviewRequest(
            server.port,
            'POST',
            '/api/name',
            { ...leaked, 'x-mespotter-token': session.value, 'content-type': 'application/json' },
            JSON.stringify({ person: cluster, name: 'Mallory' }),
          )
        ).status,
      ).toBe(403);
      expect(library.person('Mallory')).toBeUndefined();
      expect(stored()).toBe(before);
    } finally {
      other.closeAllConnections();
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('names a cluster, its faces confirmed: the library has the person with those references', async () => {
    const card = page.locator(`.card[data-name="${clusters.right}"]`);
    await card.locator('input[name="name"]').fill('Rose');
    await card.locator('input[name="confirm"]').check();
    await card.getByRole('button', { name: 'Name' }).click();
    await flash(`named ${clusters.right} Rose (5 faces, confirmed)`);
    const rose = library.person('Rose')!;
    expect(rose).toMatchObject({ named: true });
    expect(library.references(rose.id, ns)).toHaveLength(5);
    expect(await page.locator('.card[data-name="Rose"]').count()).toBe(1);
  });

  it('rejects a face on the person page with the keyboard (arrows, n): it leaves and is not proposed again', async () => {
    await page.locator('.card[data-name="Rose"] h3 a').click();
    await page.locator('h1', { hasText: 'Rose' }).waitFor();
    await page.waitForLoadState('networkidle');
    await shoot('person');
    const cards = page.locator('#members .face[data-face]');
    expect(await cards.count()).toBe(5);
    await cards.first().focus();
    await page.keyboard.press('ArrowRight');
    const rejected = Number(await cards.nth(1).getAttribute('data-face'));
    await page.keyboard.press('n');
    await flash('1 face marked not Rose');
    expect(members('Rose')).not.toContain(rejected);
    expect(members('Rose')).toHaveLength(4);
    const owner = edits.ownersOf([rejected]).get(rejected)!;
    expect(owner.rejected.has(library.person('Rose')!.id)).toBe(true);
    expect(await page.locator(`.face[data-face="${rejected}"]`).count()).toBe(0);
  });

  it('shows a whole photo with every face boxed and labelled', async () => {
    await page.locator('#members .face a', { hasText: 'photo' }).first().click();
    await page.locator('h1', { hasText: 'Photo' }).waitFor();
    await page.waitForLoadState('networkidle');
    const boxes = await page.locator('.photo svg rect').count();
    expect(boxes).toBeGreaterThanOrEqual(1);
    expect(await page.locator('.facerow').count()).toBe(boxes);
    await shoot('photo');
  });

  it('merges two people and undoes it (u), then the rejection too (the Undo button)', async () => {
    await page.locator('header a', { hasText: 'People' }).click();
    await page.locator('h2', { hasText: 'Unnamed clusters' }).waitFor();
    await page.locator('.card[data-name="Rose"] input[name="merge"]').check();
    await page.locator(`.card[data-name="${clusters.mid}"] input[name="merge"]`).check();
    await page.getByRole('button', { name: 'Merge selected' }).click();
    await flash(`merged ${clusters.mid} into Rose`);
    expect(library.person(clusters.mid)).toBeUndefined();
    expect(members('Rose')).toHaveLength(8);

    await page.keyboard.press('u');
    await flash(`undid: merged ${clusters.mid} into Rose`);
    expect(members(clusters.mid)).toHaveLength(4);
    expect(members('Rose')).toHaveLength(4);

    await page.locator('#undo-form button').click();
    await flash('undid: 1 face marked not Rose');
    expect(members('Rose')).toHaveLength(5);
  });

  it('lists the runs, linking into the same views', async () => {
    await page.locator('header a', { hasText: 'Runs' }).click();
    await page.locator('h1', { hasText: 'Runs' }).waitFor();
    expect(await page.locator('tbody tr', { hasText: '2 new clusters' }).count()).toBe(1);
    await shoot('runs');
    await page.locator('tbody a').first().click();
    await page.locator('h1', { hasText: 'Run ' }).waitFor();
    await page.waitForLoadState('networkidle');
    expect(await page.locator('.faces .face').count()).toBeGreaterThan(0);
    await shoot('run');
  });

  it('shows a photo that moved away as moved, with its faces still listed', async () => {
    const face = members('Rose')[0]!;
    const photoId = library.face(face)!.photoId;
    const path = library.pathsOf(photoId)[0]!;
    await rename(join(path.root, path.rel), join(work, 'elsewhere.jpg'));
    await page.goto(`http://127.0.0.1:${server.port}${base}photo/${photoId}`);
    await page.locator('#missing').waitFor();
    expect(await page.locator('#missing').textContent()).toMatch(/not where the library last saw it/);
    expect(await page.locator('.facerow').count()).toBeGreaterThan(0);
    await shoot('photo-missing');
    expect(problems).toEqual([]);
  });
});
