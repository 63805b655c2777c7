import type { ExitCode } from './exitCodes.js';

/**
 * Thrown by a command that finished its work but must end with a non-zero status (some photos
 * errored, the run was interrupted). Its output is already printed; main only sets the status.
 */
export class CommandExit extends Error {
  readonly exitCode: ExitCode;
  constructor(exitCode: ExitCode, message = `exit ${exitCode}`) {
    super(message);
    this.name = 'CommandExit';
    this.exitCode = exitCode;
  }
}
