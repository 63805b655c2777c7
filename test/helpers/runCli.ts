import { vi } from 'vitest';
import { CommandExit } from '../../cli/CommandExit.js';
import { createProgram } from '../../cli/program.js';

export interface CliRun {
  /** What it printed with console.log and console.warn. */
  output: string;
  /** The status `mespotter` would exit with (0 when the command ended normally). */
  exitCode: number;
  /** What it wrote to stderr (per-file problem lines, console.error), kept out of the test log. */
  stderr: string;
}

/**
 * Runs `mespotter ...args` in-process. A command that finished with a non-zero status (errors in
 * the run, interrupted) resolves with that status; a usage or other error rejects, as it would make
 * the real command print one line and exit.
 */
export const runCliStatus = async (...args: string[]): Promise<CliRun> => {
  const out: string[] = [];
  const capture = (...a: unknown[]): void => {
    out.push(a.join(' '));
  };
  const errs: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation(capture);
  const warn = vi.spyOn(console, 'warn').mockImplementation(capture);
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => {
    errs.push(`${a.join(' ')}\n`);
  });
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    errs.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  try {
    await createProgram().parseAsync(['node', 'mespotter', ...args]);
    return { output: out.join('\n'), exitCode: 0, stderr: errs.join('') };
  } catch (e) {
    if (e instanceof CommandExit)
      return { output: out.join('\n'), exitCode: e.exitCode, stderr: errs.join('') };
    throw e;
  } finally {
    log.mockRestore();
    warn.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
};

/** Runs `mespotter ...args` in-process and returns what it printed (console.log and console.warn). */
export const runCli = async (...args: string[]): Promise<string> => (await runCliStatus(...args)).output;
