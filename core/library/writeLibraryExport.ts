import { checkOutputPath, type OutputFileOptions, writeOutputFile } from '../fs/writeOutputFile.js';
import { exportLibrary } from './exportLibrary.js';
import type { Library } from './Library.js';
import { isLibraryExportHead } from './libraryJsonl.js';

/** The rule for an export's path: new, or with `force` a previous export (recognised by its header line). */
export const libraryExportTarget = (force: boolean): OutputFileOptions => ({
  force,
  isPrevious: isLibraryExportHead,
  what: 'a previous library export',
});

/** Refuses an export path that is taken (see `checkOutputPath`) before anything is read or written. */
export const checkLibraryExportPath = async (path: string, force: boolean): Promise<void> => {
  await checkOutputPath(path, libraryExportTarget(force));
};

/**
 * Writes the library as JSON lines to `path`: a temporary beside it, renamed into place, so there is
 * never a partial export; never over anything but a previous export (and that only with `force`).
 */
export const writeLibraryExport = async (library: Library, path: string, force: boolean): Promise<void> => {
  const lines = (function* () {
    for (const l of exportLibrary(library)) yield `${JSON.stringify(l)}\n`;
  })();
  await writeOutputFile(path, lines, libraryExportTarget(force));
};
