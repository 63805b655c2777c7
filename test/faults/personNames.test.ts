import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPathInside } from '../../core/fs/pathInside.js';
import { Library } from '../../core/library/Library.js';
import { type FaultWorld, listAll, makeFaultWorld } from '../helpers/faultWorld.js';
import { runCliProcess } from '../helpers/spawnCli.js';

/** One line on stderr, no stack trace. */
const expectOneLine = (stderr: string, pattern: RegExp): void => {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^mespotter: /);
  expect(lines[0]).toMatch(pattern);
};

/** Names that would leave a folder once they are a path segment. */
const ESCAPING = ['..', '.', 'a/b', '/tmp/abs', '../up'];

describe('fault: person names that would escape --out (issue 18, item 1)', () => {
  let world: FaultWorld;
  /** The world's library as JSON lines (person "me", their photos and labels). */
  let exported: string[];

  beforeAll(async () => {
    world = await makeFaultWorld();
    const file = join(world.work, 'export.jsonl');
    const run = await runCliProcess(['library', 'export', '--out', file, '--library', world.library]);
    expect(run.code, run.stderr).toBe(0);
    exported = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
  }, 120_000);

  afterAll(async () => {
    await rm(world.work, { recursive: true, force: true });
  });

  /** A folder OUT two levels down in a fresh "jail": anything written beside OUT shows in the jail. */
  const jailedOut = async (name: string): Promise<{ jail: string; out: string }> => {
    const jail = join(world.work, `jail-${name}`);
    const out = join(jail, 'inner', 'out');
    await mkdir(jail);
    return { jail, out };
  };

  const everyoneByPerson = (out: string, library: string, ...extra: string[]): string[] => [
    'sort',
    world.input,
    '--everyone',
    '--layout',
    'by-person',
    '--library',
    library,
    '--out',
    out,
    '--quiet',
    ...extra,
  ];

  const outsideOut = async (jail: string): Promise<string[]> =>
    (await listAll(jail)).filter((p) => !p.startsWith(`${join('inner', 'out')}/`));

  it.each(ESCAPING)(
    'library import refuses a person named %j with one line and creates nobody',
    async (bad) => {
      const renamed = exported.map((l) => {
        const line = JSON.parse(l) as { type: string; name?: string; person?: string };
        if (line.type === 'person' && line.name === 'me') line.name = bad;
        if (line.type === 'label' && line.person === 'me') line.person = bad;
        return JSON.stringify(line);
      });
      const file = join(world.work, `import-${encodeURIComponent(bad)}.jsonl`);
      await writeFile(file, `${renamed.join('\n')}\n`);
      const library = join(world.work, `imported-${encodeURIComponent(bad)}.db`);

      const run = await runCliProcess(['library', 'import', file, '--library', library]);

      expect(run.code).toBe(2);
      expectOneLine(run.stderr, /import line \d+: invalid person name/);
      const opened = Library.open(library);
      expect(opened.allPeople().map((p) => p.name)).toEqual([]);
      opened.close();
    },
  );

  it('a gallery file giving the person ".." is refused by sort --everyone --layout by-person; nothing lands outside OUT', async () => {
    const dir = join(world.work, 'gallery-dotdot');
    await mkdir(dir);
    const g = JSON.parse(await readFile(join(world.gallery, 'me.gallery.json'), 'utf8'));
    g.person = '..';
    // `...gallery.json` is the file of person "..".
    await writeFile(join(dir, '...gallery.json'), JSON.stringify(g));
    const { jail, out } = await jailedOut('gallery');

    const run = await runCliProcess(everyoneByPerson(out, world.library, '--gallery', dir));

    expect(run.code).toBe(2);
    expectOneLine(run.stderr, /\.\.\.gallery\.json: invalid person name "\.\."/);
    expect(await outsideOut(jail)).toEqual([]);
  });

  it('a library that already holds a person ".." (an old import) makes sort refuse it; nothing lands outside OUT', async () => {
    const library = join(world.work, 'stored-dotdot.db');
    const file = join(world.work, 'export-copy.jsonl');
    await writeFile(file, `${exported.join('\n')}\n`);
    expect((await runCliProcess(['library', 'import', file, '--library', library])).code).toBe(0);
    const db = Library.open(library);
    db.db.prepare("UPDATE people SET name = '..' WHERE name = 'me'").run();
    db.close();
    const { jail, out } = await jailedOut('stored');

    const run = await runCliProcess(everyoneByPerson(out, library));

    expect(run.code).toBe(2);
    expectOneLine(run.stderr, /the library holds a person who cannot be used: invalid person name "\.\."/);
    expect(await outsideOut(jail)).toEqual([]);
  });

  it('sort --person refuses an escaping name by the name rule, not as someone not enrolled', async () => {
    const { jail, out } = await jailedOut('flag');

    const run = await runCliProcess(world.sortArgs(out, '--person', '../me'));

    expect(run.code).toBe(2);
    expectOneLine(run.stderr, /--person: invalid person name "\.\.\/me"/);
    expect(await listAll(jail)).toEqual([]);
  });

  it('cluster --out names the bad folder once, without empty parentheses', async () => {
    const library = join(world.work, 'cluster-dotdot.db');
    const file = join(world.work, 'export-cluster.jsonl');
    await writeFile(file, `${exported.join('\n')}\n`);
    expect((await runCliProcess(['library', 'import', file, '--library', library])).code).toBe(0);
    const db = Library.open(library);
    db.db.prepare("UPDATE people SET name = '..' WHERE name = 'me'").run();
    db.close();
    const { jail, out } = await jailedOut('cluster');
    // The enrolled references are the person's faces with a path: copies of them would go to OUT/../
    const refs = join(world.work, 'refs');

    const run = await runCliProcess(['cluster', refs, '--out', out, '--library', library]);

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/failed: invalid person name "\.\."/);
    expect(run.stderr).not.toMatch(/\(\)/);
    expect(await outsideOut(jail)).toEqual([]);
  });

  it('the library creates no person whose name fails the rule, whoever asks', () => {
    const library = Library.open(join(world.work, 'direct.db'));
    try {
      for (const bad of ESCAPING) expect(() => library.ensurePerson(bad), bad).toThrow(/invalid person name/);
      expect(library.allPeople()).toEqual([]);
    } finally {
      library.close();
    }
  });
});

describe('isPathInside', () => {
  it.each([
    ['/out/me/a.jpg', '/out', true],
    ['/out', '/out', true],
    ['/out/../a.jpg', '/out', false],
    ['/out/me/../../a.jpg', '/out', false],
    ['/outside/a.jpg', '/out', false],
    ['/etc/passwd', '/out', false],
    ['/out/..a/b.jpg', '/out', true],
  ])('%s inside %s: %s', (path, root, inside) => {
    expect(isPathInside(path, root)).toBe(inside);
  });

  it('works on non-UTF-8 byte paths', () => {
    const root = Buffer.from('/out');
    const escaping = Buffer.concat([Buffer.from('/out/../'), Buffer.from([0xe9]), Buffer.from('.jpg')]);
    const inside = Buffer.concat([Buffer.from('/out/'), Buffer.from([0xe9]), Buffer.from('/x.jpg')]);
    expect(isPathInside(escaping, root)).toBe(false);
    expect(isPathInside(inside, root)).toBe(true);
  });
});
