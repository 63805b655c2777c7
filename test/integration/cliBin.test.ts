import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('bin: mespotter', () => {
  it('runs from the built package and lists its commands', async () => {
    // npm ci builds dist/ through `prepare`; this is what `npx mespotter` executes.
    const { stdout } = await run(process.execPath, ['dist/cli/main.js', '--help']);
    for (const cmd of ['enroll', 'sort', 'compare', 'calibrate']) expect(stdout).toContain(cmd);
  });

  it('exits with status 2 and one clear line on a user error', async () => {
    const error = await run(process.execPath, [
      'dist/cli/main.js',
      'sort',
      '/nonexistent/photos',
      '--person',
      'me',
      '--gallery',
      '/nonexistent/galleries',
      '--out',
      '/tmp/mespotter-never',
    ]).catch((e: { code: number; stderr: string }) => e);
    expect((error as { code: number }).code).toBe(2);
    expect((error as { stderr: string }).stderr).toMatch(
      /^mespotter: input folder not found: \/nonexistent\/photos\n$/,
    );
  });

  it("`npm run example`, the README's third command, copies sample1.jpg and sample3.jpg out", async () => {
    // The script exactly as package.json has it, run in a fresh folder so it starts from nothing.
    const script = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> })
      .scripts['example']!;
    const at = await mkdtemp(join(tmpdir(), 'mespotter-example-'));
    for (const p of ['node_modules', 'dist', 'layers']) await symlink(resolve(p), join(at, p));
    await run('sh', ['-c', script], { cwd: at });
    expect(existsSync(join(at, 'example-out/matches/sample1.jpg'))).toBe(true);
    expect(existsSync(join(at, 'example-out/matches/sample3.jpg'))).toBe(true);
  }, 60_000);
});
