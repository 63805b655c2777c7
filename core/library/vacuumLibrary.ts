import { statSync } from 'node:fs';
import type { Library } from './Library.js';

export interface VacuumResult {
  /** The database file's size before and after, each measured with the WAL written back into it. */
  bytesBefore: number;
  bytesAfter: number;
}

const mainFileBytes = (library: Library): number => statSync(library.path).size;

/**
 * Compacts the library file. Sizes are the main file's after a checkpoint, so the WAL (which
 * VACUUM fills with a copy of the whole database) never inflates either figure, and the WAL is
 * left empty.
 */
export const vacuumLibrary = (library: Library): VacuumResult => {
  library.db.pragma('wal_checkpoint(TRUNCATE)');
  const bytesBefore = mainFileBytes(library);
  library.db.exec('VACUUM');
  library.db.exec('ANALYZE');
  library.db.pragma('wal_checkpoint(TRUNCATE)');
  return { bytesBefore, bytesAfter: mainFileBytes(library) };
};
