import type { Library } from './Library.js';

/**
 * Compacts the library file. The WAL is checkpointed and emptied before and after the rewrite, so
 * neither the file nor the WAL keeps a copy of deleted content (a forgotten person's embeddings):
 * VACUUM leaves no free pages, and its own pages pass through the WAL, which the last step empties.
 */
export const vacuumLibrary = (library: Library): void => {
  const db = library.db;
  db.pragma('secure_delete = ON');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('VACUUM');
  db.exec('ANALYZE');
  db.pragma('wal_checkpoint(TRUNCATE)');
};
