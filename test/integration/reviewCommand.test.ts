import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliProcess, startCli } from '../helpers/spawnCli.js';

/** `mespotter review` as users run it (dist/cli/main.js: `npm run build` first). */
describe('mespotter review (the command)', () => {
  it('prints a 127.0.0.1 URL with a token, serves it, and stops cleanly on Ctrl-C', async () => {
    const library = join(await mkdtemp(join(tmpdir(), 'mespotter-review-cmd-')), 'library.db');
    const { child, done } = startCli(['review', '--library', library]);
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /review at (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', () => reject(new Error(`exited before printing the URL: ${out}`)));
    });
    const port = Number(new URL(url).port);
    expect(port).toBeGreaterThan(0);
    const first = await fetch(url, { redirect: 'manual' });
    expect(first.status).toBe(303);
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    const base = first.headers.get('location')!;
    const page = await fetch(`http://127.0.0.1:${port}${base}`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h1>People</h1>');
    expect((await fetch(`http://127.0.0.1:${port}${base}`)).status).toBe(403);
    // The printed URL opens one browser, once.
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(403);
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(0);
  });

  it('refuses a port that is not a port, with exit 2', async () => {
    const r = await runCliProcess(['review', '--port', '70000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--port must be 0\.\.65535/);
  });
});
