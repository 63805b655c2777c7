import { execFile } from 'node:child_process';
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
});
