import { vi } from 'vitest';
import { CommandExit } from '../../cli/CommandExit.js';
import { createProgram } from '../../cli/program.js';

export interface CliRun {
  /** What it printed with console.log and console.warn. */
  output: string;
  /** The status `mespotter` would exit with (0 when the command ended normally). */
  exitCode: number;
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
  const log = vi.spyOn(console, 'log').mockImplementation(capture);
  const warn = vi.spyOn(console, 'warn').mockImplementation(capture);
  try {
    await createProgram().parseAsync(['node', 'mespotter', ...args]);
    return { output: out.join('\n'), exitCode: 0 };
  } catch (error) {
    if (error instanceof CommandExit) return { output: out.join('\n'), exitCode: error.exitCode };
    throw error;
  } finally {
    log.mockRestore();
    warn.mockRestore();
  }
};

/** Runs `mespotter ...args` in-process and returns what it printed (console.log and console.warn). */
export const runCli = async (...args: string[]): Promise<string> => (await runCliStatus(...args)).output;
