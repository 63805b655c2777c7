import { statSync } from 'node:fs';
import type { Library } from './Library.js';

export interface VacuumResult {
  /** The database file's size before and after, each measured with the WAL written back into it. */
  bytesBefore: number;
  bytesAfter: number;
}

const mainFileBytes = (library: Library): number => statSync(library.path).size;

/**
 * Compacts the library file. The WAL is checkpointed and emptied before and after the rewrite, so
 * neither the file nor the WAL keeps a copy of deleted content (a forgotten person's embeddings):
 * VACUUM leaves no free pages, and its own pages pass through the WAL, which the last step empties.
 * Sizes are the main file's after a checkpoint, so the WAL never inflates either figure.
 */
export const vacuumLibrary = (library: Library): VacuumResult => {
  const db = library.db;
  db.pragma('secure_delete = ON');
  db.pragma('wal_checkpoint(TRUNCATE)');
  const bytesBefore = mainFileBytes(library);
  db.exec('VACUUM');
  db.exec('ANALYZE');
  db.pragma('wal_checkpoint(TRUNCATE)');
  return { bytesBefore, bytesAfter: mainFileBytes(library) };
};
