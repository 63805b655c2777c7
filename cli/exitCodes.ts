import { CopyOutcome, PhotoStatus, type RunSummary } from '../core/report/resultLine.js';

/** Exit statuses, the same for every command (README, "Exit codes"). */
export const ExitCode = {
  /** Everything asked for was done; every file is accounted for. */
  Ok: 0,
  /** The command ran, but some photos errored or could not be copied (see the report), or it failed midway. */
  Incomplete: 1,
  /**
   * Bad usage or configuration: a flag, a folder, a gallery, a lock held by another run, a library
   * that cannot be used (LibraryUnusableError: corrupt, read-only, full, locked, newer). Nothing was
   * done (a library that fails midway stops at once, keeping what was saved).
   */
  Usage: 2,
  /** Stopped by Ctrl-C or SIGTERM; what was done is recorded, and the same command continues it. */
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A finished run's status: any error line or copy that did not land makes it incomplete. */
export const exitCodeForRun = (summary: RunSummary): ExitCode => {
  if (summary.interrupted) return ExitCode.Interrupted;
  const copies = summary.copies;
  const failedCopies = (copies[CopyOutcome.Failed] ?? 0) + (copies[CopyOutcome.Conflict] ?? 0);
  return (summary.counts[PhotoStatus.Error] ?? 0) > 0 || failedCopies > 0 ? ExitCode.Incomplete : ExitCode.Ok;
};
