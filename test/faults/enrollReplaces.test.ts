import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RIGHT_BOX } from '../helpers/clusterPhotos.js';
import * as fx from '../helpers/imageFixtures.js';
import { runCliStatus } from '../helpers/runCli.js';

let work: string;
let library: string;
const mia: string[] = [];
const rose: string[] = [];

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

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mespotter-enroll-replaces-'));
  library = join(work, 'library.db');
  await mkdir(join(work, 'refs'));
  const variants = [
    { margin: 0.8, size: 300 },
    { margin: 1.2, size: 420, brightness: 1.1 },
    { margin: 1.6, size: 260 },
  ];
  for (const [i, v] of variants.entries()) {
    mia.push(join(work, 'refs', `mia-${i}.jpg`));
    rose.push(join(work, 'refs', `rose-${i}.jpg`));
    await writeFile(mia[i]!, await fx.cropAround(fx.samplePath(1), fx.PERSON_BOX, v));
    await writeFile(rose[i]!, await fx.cropAround(fx.samplePath(1), RIGHT_BOX, v));
  }
}, 120_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('fault: enrolling again replaces or takes references', () => {
  it('says how many earlier references an enrolment replaces, and undo brings them back', async () => {
    expect((await cli('enroll', '--person', 'Mia', ...mia)).output).toMatch(
      /^enrolled Mia: 3 reference\(s\)$/m,
    );
    const again = await cli('enroll', '--person', 'Mia', mia[0]!);
    expect(again.output).toMatch(
      /enrolled Mia: 1 reference\(s\); replaces 2 earlier reference\(s\) of Mia \(undo: mespotter undo\)/,
    );
    expect(await references()).toEqual({ Mia: 1 });
    expect((await cli('undo')).output).toMatch(
      /undid: enrolled Mia \(1 reference, replacing 2 earlier ones\)/,
    );
    expect(await references()).toEqual({ Mia: 3 });
  }, 120_000);

  it('refuses to take another person’s reference faces (exit 2, naming her) unless --force; undo gives them back', async () => {
    const refused = (await cli('enroll', '--person', 'Bea', mia[1]!).catch((e: Error) => e)) as Error;
    // An EditError: `mespotter` prints its one line and exits 2.
    expect(refused).toHaveProperty('code', 'reference_taken');
    expect(refused.message).toMatch(
      /not enrolled: the face in .*mia-1\.jpg is already Mia's reference; nothing was changed \(--force makes it Bea's\)/,
    );
    // Nothing changed: Mia keeps all three, Bea does not exist.
    expect(await references()).toEqual({ Mia: 3 });

    await cli('enroll', '--person', 'Rose', ...rose);
    const taken = await cli('enroll', '--person', 'Bea', '--force', mia[1]!, mia[2]!);
    expect(taken.output).toMatch(/enrolled Bea: 2 reference\(s\); took 2 reference\(s\) from Mia/);
    expect(await references()).toEqual({ Bea: 2, Mia: 1, Rose: 3 });

    expect((await cli('undo')).output).toMatch(/undid: enrolled Bea \(2 references, 2 taken from Mia\)/);
    expect(await references()).toEqual({ Mia: 3, Rose: 3 });
  }, 120_000);
});
