import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { CLI, type CliResult } from './spawnCli.js';

/**
 * Runs `mespotter ...args` as its own process (in `cwd`, default this one) and kills it after `ms`:
 * a command that hangs (on a FIFO, say) ends the test with `timedOut` instead of hanging the suite.
 */
export const runCliBounded = (
  args: readonly string[],
  ms: number,
  o: { cwd?: string } = {},
): Promise<CliResult & { timedOut: boolean }> =>
  new Promise((done) => {
    const child = spawn(process.execPath, [resolve(CLI), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(o.cwd ? { cwd: o.cwd } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, ms);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr, timedOut });
    });
  });
