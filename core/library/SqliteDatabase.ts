import Database from 'better-sqlite3';
import { LibraryUnusableCode, LibraryUnusableError } from './LibraryUnusableError.js';

/**
 * The one file that imports the database driver. The rest of the library talks to these small
 * interfaces, so the driver can change (or be mocked) in one place. A driver error that means the
 * file itself cannot be used (corrupt, read-only, disk full, locked) comes out as a
 * LibraryUnusableError, so every caller can stop at once instead of failing row by row.
 */
export interface SqlRunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface SqlStatement<Row = unknown> {
  run(...params: unknown[]): SqlRunResult;
  get(...params: unknown[]): Row | undefined;
  all(...params: unknown[]): Row[];
  iterate(...params: unknown[]): IterableIterator<Row>;
}

export interface SqlDatabase {
  readonly path: string;
  exec(sql: string): void;
  prepare<Row = unknown>(sql: string): SqlStatement<Row>;
  /** Runs `fn` in one IMMEDIATE transaction (takes the write lock at once: no upgrade deadlocks). */
  transaction<T>(fn: () => T): T;
  pragma(sql: string): unknown;
  /** Copies the database to `path` while it is in use (SQLite's online backup). */
  backup(path: string): Promise<void>;
  close(): void;
}

export interface OpenOptions {
  readonly?: boolean;
  /** How long a writer waits for another writer before SQLITE_BUSY (ms); DEFAULT_BUSY_TIMEOUT_MS if absent. */
  busyTimeoutMs?: number;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 10_000;

/** The driver's result codes that say the file cannot be used, whatever the statement. */
const unusableCodeOf = (sqliteCode: string): LibraryUnusableCode | undefined => {
  if (sqliteCode === 'SQLITE_NOTADB' || sqliteCode.startsWith('SQLITE_CORRUPT'))
    return LibraryUnusableCode.Corrupt;
  if (sqliteCode.startsWith('SQLITE_READONLY')) return LibraryUnusableCode.ReadOnly;
  if (sqliteCode === 'SQLITE_FULL') return LibraryUnusableCode.Full;
  // SQLITE_BUSY only: another process kept the lock past the busy timeout. (SQLITE_LOCKED is a
  // conflict inside this connection, a bug, and stays as it is.)
  if (sqliteCode.startsWith('SQLITE_BUSY')) return LibraryUnusableCode.Locked;
  return undefined;
};

const translated = (path: string, error: unknown): unknown => {
  if (!(error instanceof Database.SqliteError)) return error;
  const code = unusableCodeOf(error.code);
  return code
    ? new LibraryUnusableError(code, path, `${error.message}, ${error.code}`, { cause: error })
    : error;
};

const guard =
  (path: string) =>
  <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      throw translated(path, error);
    }
  };

function* guardedIterator<Row>(path: string, it: IterableIterator<Row>): IterableIterator<Row> {
  try {
    for (;;) {
      let next: IteratorResult<Row>;
      try {
        next = it.next();
      } catch (error) {
        throw translated(path, error);
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    // A caller that stops early releases the statement.
    it.return?.();
  }
}

export const openSqlite = (path: string, o: OpenOptions = {}): SqlDatabase => {
  const g = guard(path);
  const db = g(
    () => new Database(path, { readonly: Boolean(o.readonly), fileMustExist: Boolean(o.readonly) }),
  );
  // Only connection settings here: nothing that writes to the file (the journal mode is the
  // library's to set, once it knows the file is a library it may change).
  db.pragma(`busy_timeout = ${Math.max(0, Math.round(o.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS))}`);
  db.pragma('foreign_keys = ON');
  return {
    path,
    exec: (sql) => {
      g(() => db.exec(sql));
    },
    prepare: <Row>(sql: string) => {
      const statement = g(() => db.prepare(sql));
      return {
        run: (...params: unknown[]) => g(() => statement.run(...params)),
        get: (...params: unknown[]) => g(() => statement.get(...params) as Row | undefined),
        all: (...params: unknown[]) => g(() => statement.all(...params) as Row[]),
        iterate: (...params: unknown[]) =>
          guardedIterator(
            path,
            g(() => statement.iterate(...params) as IterableIterator<Row>),
          ),
      };
    },
    transaction: <T>(fn: () => T): T => g(() => db.transaction(fn).immediate()),
    pragma: (sql) => g(() => db.pragma(sql)),
    backup: async (target) => {
      try {
        await db.backup(target);
      } catch (error) {
        throw translated(path, error);
      }
    },
    close: () => {
      db.close();
    },
  };
};
