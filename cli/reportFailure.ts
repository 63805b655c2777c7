import { CommanderError } from 'commander';
import { MespotterError } from '../core/errors.js';
import { describeFsError, isFsError } from '../core/fs/describeFsError.js';
import { CommandExit } from './CommandExit.js';
import { ExitCode } from './exitCodes.js';

/**
 * Turns whatever ended a command into its exit status and at most one line on stderr: usage and
 * configuration problems exit 2, a failure midway exits 1 (with the stack only when
 * MESPOTTER_DEBUG is set, since it is a bug to report), a finished command's own status passes through.
 */
export const reportFailure = (error: unknown, stderr: NodeJS.WritableStream = process.stderr): ExitCode => {
  if (error instanceof CommandExit) return error.exitCode;
  // Commander has printed its own message (unknown option, missing argument) or the help.
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
  if (error instanceof MespotterError) {
    stderr.write(`mespotter: ${error.message}\n`);
    return ExitCode.Usage;
  }
  if (isFsError(error)) {
    stderr.write(`mespotter: ${describeFsError(error)}\n`);
    return ExitCode.Incomplete;
  }
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(`mespotter: internal error: ${message}\n`);
  if (process.env['MESPOTTER_DEBUG'] && error instanceof Error && error.stack)
    stderr.write(`${error.stack}\n`);
  else stderr.write('mespotter: set MESPOTTER_DEBUG=1 for the stack trace, and please report it\n');
  return ExitCode.Incomplete;
};
