import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../core/library/Library.js';
import { RIGHT_BOX } from '../helpers/clusterPhotos.js';
import * as fx from '../helpers/imageFixtures.js';
import { runCliProcess, startCli } from '../helpers/spawnCli.js';

let work: string;
let known: string;
let library: string;

/** How many photos the running enroll has analysed into the library so far. */
const photosStored = (): number => {
  try {
    const lib = Library.open(library, { readonly: true });
    try {
      return lib.db.prepare<{ n: number }>('SELECT COUNT(*) AS n FROM photos').get()?.n ?? 0;
    } finally {
      lib.close();
    }
  } catch {
    return 0; // not created or migrated yet
  }
};

const referencesOf = (name: string): number | undefined => {
  const lib = Library.open(library, { readonly: true });
  try {
    const p = lib.person(name);
    return p
      ? lib.db
          .prepare<{ n: number }>(
            `SELECT COUNT(*) AS n FROM labels WHERE person_id = ? AND kind = 'enrolled'`,
          )
          .get(p.id)?.n
      : undefined;
  } finally {
    lib.close();
  }
};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mespotter-enroll-int-'));
  known = join(work, 'known');
  library = join(work, 'library.db');
  await mkdir(join(known, 'Ann'), { recursive: true });
  await mkdir(join(known, 'Bea'), { recursive: true });
  const variants = [
    { margin: 0.8, size: 300 },
    { margin: 1.2, size: 420, brightness: 1.1 },
    { margin: 1.6, size: 260 },
  ];
  for (const [i, v] of variants.entries())
    await writeFile(join(known, 'Ann', `${i}.jpg`), await fx.cropAround(fx.samplePath(1), fx.PERSON_BOX, v));
  // Bea has many photos (her face at different places): her folder is still being read at Ctrl-C.
  const face = await fx.cropAround(fx.samplePath(1), RIGHT_BOX, { margin: 1, size: 320 });
  for (let i = 0; i < 16; i++)
    await writeFile(
      join(known, 'Bea', `${String(i).padStart(2, '0')}.jpg`),
      await fx.pasteOnCanvas(face, { width: 1200, height: 900, left: 40 + i * 40, top: 30 + i * 25 }),
    );
}, 120_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('fault: Ctrl-C during enroll --folders', () => {
  it('enrols only the people whose photos were all read, says who was and was not, exit 130', async () => {
    const args = ['enroll', '--folders', known, '--library', library, '--lanes', '1'];
    const run = startCli(args);
    // Ann's three photos come first; once a fourth is stored, Ann is read (or in flight) and Bea is not.
    const end = Date.now() + 90_000;
    while (photosStored() < 4) {
      if (Date.now() > end) throw new Error('enroll did not get going');
      await sleep(20);
    }
    run.child.kill('SIGINT');
    const result = await run.done;

    expect(result.code).toBe(130);
    expect(result.stdout).toMatch(/^enrolled Ann: 3 reference\(s\)$/m);
    expect(result.stdout).toMatch(/^not enrolled Bea: interrupted before all their photos were read$/m);
    expect(result.stderr).toMatch(
      /interrupted: enrolled Ann; not enrolled Bea \(their earlier references are unchanged\); run the same command again/,
    );
    expect(referencesOf('Ann')).toBe(3);
    expect(referencesOf('Bea')).toBeUndefined();

    // The same command finishes the job.
    const again = await runCliProcess(args);
    expect(again.code).toBe(0);
    expect(referencesOf('Ann')).toBe(3);
    expect(referencesOf('Bea')).toBeGreaterThanOrEqual(3);
  }, 180_000);
});
