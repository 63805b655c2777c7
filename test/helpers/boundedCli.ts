import { type CliResult, startCli } from './spawnCli.js';

/**
 * Runs `mespotter ...args` as its own process and kills it after `ms`: a command that hangs (on a
 * FIFO, say) ends the test with `timedOut` instead of hanging the suite.
 */
export const runCliBounded = async (
  args: readonly string[],
  ms: number,
): Promise<CliResult & { timedOut: boolean }> => {
  const { child, done } = startCli(args);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, ms);
  try {
    return { ...(await done), timedOut };
  } finally {
    clearTimeout(timer);
  }
};
