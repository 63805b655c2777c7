import { vi } from 'vitest';
import { createProgram } from '../../cli/program.js';

/** Runs `mespotter ...args` in-process and returns what it printed (console.log and console.warn). */
export const runCli = async (...args: string[]): Promise<string> => {
  const out: string[] = [];
  const capture = (...a: unknown[]): void => {
    out.push(a.join(' '));
  };
  const log = vi.spyOn(console, 'log').mockImplementation(capture);
  const warn = vi.spyOn(console, 'warn').mockImplementation(capture);
  try {
    await createProgram().parseAsync(['node', 'mespotter', ...args]);
  } finally {
    log.mockRestore();
    warn.mockRestore();
  }
  return out.join('\n');
};
