import { analysisProblem } from '../analysis/analysisProblem.js';
import type { ImageAnalysis } from '../types.js';
import { Library } from './Library.js';
import { LibraryUnusableCode, LibraryUnusableError } from './LibraryUnusableError.js';

export interface LibraryProblem {
  kind: 'integrity' | 'foreign_key' | 'face' | 'orphan_photo';
  detail: string;
}

/**
 * Everything `mespotter library check` verifies: SQLite's own integrity and foreign keys, every
 * stored analysis (box, landmarks, finite unit embeddings of the right length), and photos that
 * no path leads to any more. Returns the problems found (none is healthy).
 */
const checkLibrary = (library: Library, embeddingDim: number, limit = 100): LibraryProblem[] => {
  const problems: LibraryProblem[] = [];
  try {
    scan(library, embeddingDim, limit, problems);
  } catch (error) {
    // A page too damaged to read ends the scan; what was found so far stays in the report.
    if (!(error instanceof LibraryUnusableError) || error.code !== LibraryUnusableCode.Corrupt) throw error;
    problems.push({ kind: 'integrity', detail: error.detail });
  }
  return problems.slice(0, limit);
};

/**
 * `library check` on the file at `path`: opened without the health check every other command
 * makes (that check would refuse the very damage this one reports), and a file too damaged to open
 * is one integrity problem, not a crash.
 */
export const checkLibraryAt = (path: string, embeddingDim: number, limit = 100): LibraryProblem[] => {
  let library: Library;
  try {
    library = Library.open(path, { readonly: true, healthCheck: false });
  } catch (error) {
    if (error instanceof LibraryUnusableError && error.code === LibraryUnusableCode.Corrupt)
      return [{ kind: 'integrity', detail: error.detail }];
    throw error;
  }
  try {
    return checkLibrary(library, embeddingDim, limit);
  } finally {
    library.close();
  }
};

const scan = (library: Library, embeddingDim: number, limit: number, problems: LibraryProblem[]): void => {
  const integrity = library.db.pragma('integrity_check') as { integrity_check: string }[];
  for (const r of integrity)
    if (r.integrity_check !== 'ok') problems.push({ kind: 'integrity', detail: r.integrity_check });
  const fk = library.db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[];
  for (const r of fk)
    problems.push({
      kind: 'foreign_key',
      detail: `${r.table} row ${r.rowid} points at a missing ${r.parent}`,
    });
  for (const p of library.db
    .prepare<{ id: number; sha256: string; width: number; height: number; rejected: number }>(
      'SELECT id, sha256, width, height, rejected FROM photos WHERE analysis_ns IS NOT NULL',
    )
    .iterate()) {
    if (problems.length >= limit) break;
    const faces = library.facesOfPhoto(p.id);
    const analysis: ImageAnalysis = { width: p.width, height: p.height, rejected: p.rejected, faces };
    const problem = analysisProblem(analysis, embeddingDim);
    if (problem) problems.push({ kind: 'face', detail: `photo ${p.sha256.slice(0, 12)}: ${problem}` });
  }
  for (const r of library.db
    .prepare<{ sha256: string }>(
      'SELECT sha256 FROM photos p WHERE NOT EXISTS (SELECT 1 FROM photo_paths pp WHERE pp.photo_id = p.id) LIMIT ?',
    )
    .all(limit))
    problems.push({ kind: 'orphan_photo', detail: `photo ${r.sha256.slice(0, 12)} has no known path` });
};
