/**
 * Forward-only schema migrations; `user_version` records how many have run. Never edit a shipped
 * migration: add the next one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: photos, where they were seen, their faces, people and the labels between faces and people.
  `
  CREATE TABLE photos (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    width INTEGER,
    height INTEGER,
    taken_at TEXT,
    analysis_ns TEXT,
    analysed_at TEXT,
    rejected INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE photo_paths (
    id INTEGER PRIMARY KEY,
    photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    root TEXT NOT NULL,
    rel TEXT NOT NULL,
    raw_rel BLOB,
    size INTEGER NOT NULL,
    mtime_ms INTEGER NOT NULL,
    seen_at TEXT NOT NULL,
    missing_since TEXT,
    UNIQUE (root, rel)
  );
  CREATE INDEX photo_paths_photo ON photo_paths (photo_id);
  CREATE TABLE faces (
    id INTEGER PRIMARY KEY,
    photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    x1 REAL NOT NULL, y1 REAL NOT NULL, x2 REAL NOT NULL, y2 REAL NOT NULL,
    points BLOB NOT NULL,
    score REAL NOT NULL,
    quality REAL NOT NULL,
    roll REAL NOT NULL,
    embedding BLOB NOT NULL,
    descriptor BLOB,
    UNIQUE (photo_id, idx)
  );
  CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    threshold REAL,
    calibration TEXT
  );
  CREATE TABLE labels (
    id INTEGER PRIMARY KEY,
    face_id INTEGER NOT NULL REFERENCES faces(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('enrolled', 'auto', 'confirmed', 'rejected', 'imported')),
    score REAL,
    source TEXT,
    run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    UNIQUE (face_id, person_id, kind)
  );
  CREATE INDEX labels_person ON labels (person_id, kind);
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    run_key TEXT NOT NULL UNIQUE,
    command TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    summary TEXT
  );
  `,
  // 2: clusters and undo. A cluster is a person row: unnamed ones (named = 0) are called person-0001…
  // after their number, which is never reused (meta.next_cluster_no) and kept when the cluster is
  // named. Cluster membership is a label (kind 'auto', source 'cluster'). Every user action
  // (name, merge, split, confirm, reject, a cluster run) is an actions row holding what undoing it restores.
  `
  ALTER TABLE people ADD COLUMN named INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE people ADD COLUMN cluster_no INTEGER;
  CREATE UNIQUE INDEX people_cluster_no ON people (cluster_no);
  CREATE INDEX labels_run ON labels (run_id);
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  INSERT INTO meta (key, value) VALUES ('next_cluster_no', '1');
  CREATE TABLE actions (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    summary TEXT NOT NULL,
    undo TEXT NOT NULL,
    created_at TEXT NOT NULL,
    undone_at TEXT
  );
  `,
];
