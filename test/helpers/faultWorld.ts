import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as fx from './imageFixtures.js';
import { runCliProcess } from './spawnCli.js';

export const sha256 = async (path: string | Buffer): Promise<string> =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

/** Every file under `dir` (relative paths, sorted), including hidden ones. */
export const listAll = async (dir: string, root = dir): Promise<string[]> => {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listAll(p, root)));
    else out.push(relative(root, p));
  }
  return out.sort();
};

export interface FaultWorld {
  work: string;
  input: string;
  /** The person's gallery file (enroll --gallery), for the tests of gallery files. */
  gallery: string;
  /** The people library the world's commands use. */
  library: string;
  /** Arguments of `mespotter sort` for this world into `out`, plus `extra`. */
  sortArgs(out: string, ...extra: string[]): string[];
}

/**
 * A small collection for fault tests: `n` copies of sample1 (the person is in them) and one photo
 * of other people, with the person enrolled from three crops of sample1.
 */
export const makeFaultWorld = async (
  o: { matching?: number; photo?: (i: number) => Promise<Buffer> } = {},
): Promise<FaultWorld> => {
  const work = await mkdtemp(join(tmpdir(), 'mespotter-faults-'));
  const input = join(work, 'photos');
  const refs = join(work, 'refs');
  const gallery = join(work, 'galleries');
  const library = join(work, 'library.db');
  await mkdir(input, { recursive: true });
  await mkdir(refs);
  const variants = [
    { margin: 0.8, size: 300 },
    { margin: 1.2, size: 420, brightness: 1.1 },
    { margin: 1.6, size: 260 },
  ];
  for (const [i, v] of variants.entries())
    await writeFile(join(refs, `me-${i + 1}.jpg`), await fx.cropAround(fx.samplePath(1), fx.PERSON_BOX, v));
  for (let i = 0; i < (o.matching ?? 2); i++) {
    const name = join(input, `me-${String(i).padStart(3, '0')}.jpg`);
    if (o.photo) await writeFile(name, await o.photo(i));
    else await copyFile(fx.samplePath(1), name);
  }
  await copyFile(fx.samplePath(2), join(input, 'others.jpg'));
  const enrolled = await runCliProcess([
    'enroll',
    '--person',
    'me',
    '--gallery',
    gallery,
    '--library',
    library,
    refs,
  ]);
  if (enrolled.code !== 0) throw new Error(`enroll failed: ${enrolled.stderr}`);
  return {
    work,
    input,
    gallery,
    library,
    sortArgs: (out, ...extra) => [
      'sort',
      input,
      '--person',
      'me',
      '--library',
      library,
      '--out',
      out,
      '--quiet',
      ...extra,
    ],
  };
};
