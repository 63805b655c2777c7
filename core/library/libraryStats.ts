import { statSync } from 'node:fs';
import type { Library } from './Library.js';

export interface LibraryStats {
  path: string;
  schemaVersion: number;
  bytes: number;
  photos: number;
  paths: number;
  missingPaths: number;
  faces: number;
  people: number;
  labels: Record<string, number>;
  runs: number;
  /** Photos per analysis namespace (several after a model or settings change). */
  namespaces: Record<string, number>;
}

const count = (library: Library, sql: string): number => library.db.prepare<{ n: number }>(sql).get()?.n ?? 0;

/** What the library holds, for `mespotter library stats`. */
export const libraryStats = (library: Library): LibraryStats => {
  const labels: Record<string, number> = {};
  for (const r of library.db
    .prepare<{ kind: string; n: number }>('SELECT kind, COUNT(*) AS n FROM labels GROUP BY kind')
    .all())
    labels[r.kind] = r.n;
  const namespaces: Record<string, number> = {};
  for (const r of library.db
    .prepare<{ ns: string | null; n: number }>(
      'SELECT analysis_ns AS ns, COUNT(*) AS n FROM photos GROUP BY analysis_ns',
    )
    .all())
    namespaces[r.ns ?? 'none'] = r.n;
  let bytes = 0;
  for (const suffix of ['', '-wal'])
    bytes += statSync(`${library.path}${suffix}`, { throwIfNoEntry: false })?.size ?? 0;
  return {
    path: library.path,
    schemaVersion: library.schemaVersion,
    bytes,
    photos: count(library, 'SELECT COUNT(*) AS n FROM photos'),
    paths: count(library, 'SELECT COUNT(*) AS n FROM photo_paths'),
    missingPaths: count(library, 'SELECT COUNT(*) AS n FROM photo_paths WHERE missing_since IS NOT NULL'),
    faces: count(library, 'SELECT COUNT(*) AS n FROM faces'),
    people: count(library, 'SELECT COUNT(*) AS n FROM people'),
    labels,
    runs: count(library, 'SELECT COUNT(*) AS n FROM runs'),
    namespaces,
  };
};
