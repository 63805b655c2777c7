import { type ChildProcess, spawn } from 'node:child_process';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The built command, exactly as `npx mespotter` runs it (npm ci builds dist/). MESPOTTER_TEST_CLI
 * points the suites at another build, e.g. an older commit's, to show a regression test fails there.
 */
export const CLI = process.env['MESPOTTER_TEST_CLI'] ?? 'dist/cli/main.js';

/** Starts `mespotter ...args` as its own process; `done` settles when it exits. */
export const startCli = (
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): { child: ChildProcess; done: Promise<CliResult> } => {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
};

export const runCliProcess = (args: readonly string[], env?: NodeJS.ProcessEnv): Promise<CliResult> =>
  startCli(args, env).done;
