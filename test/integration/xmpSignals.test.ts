/**
 * Ctrl-C and SIGTERM end the exiftool child processes (exiftool never exits by itself when its
 * parent dies) and never leave a partial sidecar or a temp file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rawFaceTags } from '../helpers/exiftoolCli.js';
import { plainPhoto } from '../helpers/orientedPhotos.js';
import { freshDir, listDir } from '../helpers/xmpTestFiles.js';

const CHILD = 'test/helpers/xmpSessionChild.ts';

/** Dead, or a zombie waiting for init: either way no longer running. */
const running = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

const waitFor = async (check: () => boolean, ms: number): Promise<boolean> => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
};

interface Started {
  child: ChildProcess;
  pids: number[];
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const start = async (mode: string, photo = '', waitLine = 'READY'): Promise<Started> => {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, photo], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const seen = new Promise<void>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl = buf.indexOf('\n');
      while (nl !== -1) {
        lines.push(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        nl = buf.indexOf('\n');
      }
      if (lines.some((l) => l.startsWith(waitLine))) resolve();
    });
    void exited.then(() => reject(new Error(`child exited early: ${stderr}`)));
  });
  await seen;
  const ready = lines.find((l) => l.startsWith('READY '))!;
  const pids = JSON.parse(ready.slice(6)) as number[];
  return { child, pids, lines, exited };
};

describe('exiftool clean-up on signals', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('%s ends the exiftool process and the parent', async (signal) => {
    const { child, pids, exited } = await start('idle');
    expect(pids.length).toBeGreaterThan(0);
    expect(pids.every(running)).toBe(true);
    child.kill(signal);
    const { signal: how } = await exited;
    // The handler re-raises the signal, so the process ends the way it would have without us.
    expect(how).toBe(signal);
    expect(await waitFor(() => !pids.some(running), 3000)).toBe(true);
  });

  it('a program that never calls close() still exits by itself, taking exiftool with it', async () => {
    const { pids, exited } = await start('return');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(await waitFor(() => !pids.some(running), 3000)).toBe(true);
  });

  it('a program with its own SIGINT handler keeps control and closes the session itself', async () => {
    const { child, pids, exited, lines } = await start('own-handler');
    child.kill('SIGINT');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(lines).toContain('CLOSED');
    expect(await waitFor(() => !pids.some(running), 3000)).toBe(true);
  });

  it('a handler that calls process.exit() without closing still takes exiftool down', async () => {
    const { child, pids, exited } = await start('own-handler-exit');
    child.kill('SIGINT');
    expect(await exited).toEqual({ code: 3, signal: null });
    expect(await waitFor(() => !pids.some(running), 3000)).toBe(true);
  });

  it('Ctrl-C in the middle of writing leaves a whole sidecar and no temp file', async () => {
    const dir = freshDir();
    const photo = join(dir, 'loop.jpg');
    writeFileSync(photo, await plainPhoto(640, 480));
    const { child, pids, exited } = await start('write-loop', photo, 'WROTE');
    // Let it write a few more sidecars, then interrupt at an arbitrary point.
    await new Promise((r) => setTimeout(r, 400 + Math.floor(Math.random() * 300)));
    child.kill('SIGINT');
    expect((await exited).signal).toBe('SIGINT');
    expect(await waitFor(() => !pids.some(running), 3000)).toBe(true);
    expect(listDir(dir)).toEqual(['loop.jpg', 'loop.xmp']);
    const raw = await rawFaceTags(join(dir, 'loop.xmp'));
    expect(raw['ExifTool:Warning']).toBeUndefined();
    const names = (raw['XMP-mwg-rs:RegionInfo'] as { RegionList: { Name: string }[] }).RegionList.map(
      (r) => r.Name,
    );
    // Whole runs only: P0..Pk in order, keywords in step with the regions.
    expect(names.length).toBeGreaterThan(0);
    expect(names).toEqual(names.map((_, i) => `P${i}`));
    expect(raw['XMP-iptcExt:PersonInImage']).toEqual(names);
  });
});
