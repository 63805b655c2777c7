/**
 * Runs bench/cluster/scaleRun.js in a child process (its peak RSS is its own) and reads how busy
 * the rest of the machine was meanwhile from /proc/stat, since wall time suffers when others
 * share the cores and CPU time much less.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ScaleResult } from './scaleRun.js';

export interface ScaleRun extends ScaleResult {
  /** Wall seconds of the whole child (node start, generation, clustering). */
  childWallS: number;
  /** CPU seconds other processes used meanwhile, per second of wall time (2 = both cores busy). */
  othersLoad: number | null;
}

/** Busy CPU seconds of the whole machine so far (all processes), or null off Linux. */
const machineBusySeconds = async (): Promise<number | null> => {
  try {
    const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    const total = v.slice(0, 8).reduce((s, x) => s + x, 0);
    // USER_HZ is 100 on Linux.
    return (total - idle) / 100;
  } catch {
    return null;
  }
};

export const runScale = async (n: number, exact: boolean, add = 0): Promise<ScaleRun> => {
  const script = fileURLToPath(new URL('./scaleRun.js', import.meta.url));
  const busy0 = await machineBusySeconds();
  const t0 = performance.now();
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [script, String(n), ...(exact ? ['--exact'] : []), ...(add ? ['--add', String(add)] : [])],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`scale run ${n} exited ${code}`)),
    );
  });
  const wall = (performance.now() - t0) / 1000;
  const busy1 = await machineBusySeconds();
  const r = JSON.parse(stdout.trim().split('\n').pop()!) as ScaleResult;
  const othersLoad =
    busy0 !== null && busy1 !== null ? Math.max(0, busy1 - busy0 - r.processCpuS) / wall : null;
  return { ...r, childWallS: wall, othersLoad };
};
