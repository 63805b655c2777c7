import { lstat, mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FolderError, MespotterError } from '../../core/errors.js';
import { describeFsError } from '../../core/fs/describeFsError.js';
import { FolderLock } from '../../core/fs/FolderLock.js';
import { markOutputFolder } from '../../core/fs/mespotterFolder.js';
import { removeStaleTemps } from '../../core/fs/removeStaleTemps.js';
import { ReportFolder } from '../report/ReportFolder.js';

/** Makes sure the output folder exists and is a folder, with one clear message when it cannot be. */
const prepareOutput = async (output: string): Promise<void> => {
  const s = await lstat(output).catch(() => undefined);
  if (s && !s.isDirectory() && !(await stat(output).catch(() => undefined))?.isDirectory()) {
    throw new FolderError(`output path ${output} exists and is not a folder`);
  }
  try {
    await mkdir(output, { recursive: true });
  } catch (error) {
    throw new FolderError(`cannot create the output folder ${output}: ${describeFsError(error)}`, {
      cause: error,
    });
  }
};

/** The folder's lock, with a folder problem (read-only, not writable) as one clear usage error. */
const lockFolder = async (dir: string, command: string): Promise<FolderLock> => {
  try {
    return await FolderLock.acquire(dir, command);
  } catch (error) {
    if (error instanceof MespotterError) throw error;
    throw new FolderError(`cannot write to ${dir}: ${describeFsError(error)}`, { cause: error });
  }
};

/** The folders of one sort run, checked and locked before any model is loaded. */
export interface SortFolders {
  input: string;
  output: string;
  reportDir: string;
  folder: ReportFolder;
  locks: readonly FolderLock[];
  release(): void;
}

/**
 * Checks the input, prepares the output and report folders and takes their locks, so a second run
 * into the same folders is refused at once and a bad folder costs no model loading.
 */
export const prepareSortFolders = async (o: {
  input: string;
  output: string;
  reportDir?: string;
  dryRun: boolean;
  command?: string;
}): Promise<SortFolders> => {
  const input = resolve(o.input);
  const output = resolve(o.output);
  const inputStat = await stat(input).catch(() => undefined);
  if (!inputStat?.isDirectory()) throw new FolderError(`input folder not found: ${input}`);
  if (input === output) throw new FolderError('the output folder must differ from the input folder');
  const defaultReport = join(output, '.mespotter');
  const reportDir = resolve(o.reportDir ?? defaultReport);
  if (!o.dryRun) await prepareOutput(output);
  const folder = await ReportFolder.open(reportDir, { input, isDefault: reportDir === defaultReport });
  const command = o.command ?? 'mespotter sort';
  const locks: FolderLock[] = [];
  const release = (): void => {
    for (const lock of locks) lock.release();
  };
  try {
    if (!o.dryRun) locks.push(await lockFolder(output, command));
    if (reportDir !== output) locks.push(await lockFolder(reportDir, command));
    // With the lock held, any temporary under OUT is a killed run's leftover.
    if (!o.dryRun) await removeStaleTemps(output);
    // So that a later run over a folder above OUT does not take the copies for more photos.
    if (!o.dryRun) await markOutputFolder(output, command);
  } catch (error) {
    release();
    throw error;
  }
  return { input, output, reportDir, folder, locks, release };
};
