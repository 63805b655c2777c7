import Database from 'better-sqlite3';

/**
 * The one file that imports the database driver. The rest of the library talks to these small
 * interfaces, so the driver can change (or be mocked) in one place.
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
  /** How long a writer waits for another writer before SQLITE_BUSY (ms). */
  busyTimeoutMs?: number;
}

export const openSqlite = (path: string, o: OpenOptions = {}): SqlDatabase => {
  const db = new Database(path, { readonly: Boolean(o.readonly), fileMustExist: Boolean(o.readonly) });
  db.pragma(`busy_timeout = ${Math.max(0, Math.round(o.busyTimeoutMs ?? 10_000))}`);
  if (!o.readonly) {
    // WAL: readers never block the writer and a killed writer loses at most its open transaction.
    db.pragma('journal_mode = WAL');
    // NORMAL is durable across process crashes in WAL mode; only a power cut can lose the last commits.
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('foreign_keys = ON');
  return {
    path,
    exec: (sql) => {
      db.exec(sql);
    },
    prepare: <Row>(sql: string) => db.prepare(sql) as unknown as SqlStatement<Row>,
    transaction: <T>(fn: () => T): T => db.transaction(fn).immediate(),
    pragma: (sql) => db.pragma(sql),
    backup: async (target) => {
      await db.backup(target);
    },
    close: () => {
      db.close();
    },
  };
};
