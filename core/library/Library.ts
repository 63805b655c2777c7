import { statSync } from 'node:fs';
import { faceProblem } from '../analysis/faceProblem.js';
import { iou } from '../detect/boxMath.js';
import { LibraryError } from '../errors.js';
import { embeddingProblem } from '../match/checkEmbedding.js';
import { EMBEDDING_DIM } from '../match/embeddingDim.js';
import { personNameProblem } from '../match/personName.js';
import type { Box, Face, FivePoints, ImageAnalysis } from '../types.js';
import { blobToFloats, floatsToBlob } from './blobs.js';
import { checkLibraryPath, readOnlyFolderError } from './checkLibraryPath.js';
import { isHumanKind, LabelKind, REFERENCE_KINDS } from './LabelKind.js';
import { SORT_LABEL_SQL } from './LabelSource.js';
import { LibraryUnusableCode, LibraryUnusableError } from './LibraryUnusableError.js';
import { MIGRATIONS } from './migrations.js';
import { DEFAULT_BUSY_TIMEOUT_MS, openSqlite, type SqlDatabase } from './SqliteDatabase.js';

/**
 * Libraries up to this size are quick-checked at every open (a quarter of a second at most). A
 * larger one (millions of faces) would pay seconds on every command, so it relies on SQLite
 * reporting damage on the pages a command reads, which stops the command the same way, and on
 * `library check` for the whole file.
 */
export const QUICK_CHECK_MAX_BYTES = 256 * 1024 * 1024;

export interface LibraryOpenOptions {
  readonly?: boolean;
  /** Create the library's folder when it is missing (only for the default location). */
  createFolder?: boolean;
  /** How long to wait for another process's write lock (ms); 10 s by default. */
  busyTimeoutMs?: number;
  /** False for `library check`, which reports damage itself instead of being refused. */
  healthCheck?: boolean;
  /** Told once per stored face that cannot be compared; the readers matching uses skip it. */
  onBadFace?: (message: string) => void;
}

export interface PhotoRecord {
  id: number;
  sha256: string;
  size: number;
  width: number | null;
  height: number | null;
  takenAt: string | null;
  analysisNs: string | null;
}

export interface PathRecord {
  photoId: number;
  sha256: string;
  size: number;
  mtimeMs: number;
  analysisNs: string | null;
}

/** A stored face: the engine's Face plus its identity in the library. */
export interface StoredFace extends Face {
  id: number;
  photoId: number;
  idx: number;
}

export interface PersonRecord {
  id: number;
  name: string;
  createdAt: string;
  threshold: number | null;
  calibration: Record<string, unknown> | null;
  /** False for an unnamed cluster ("person-0001"): not a person the matcher searches for. */
  named: boolean;
  /** The cluster's stable number when the person came from (or joined) clustering. */
  clusterNo: number | null;
}

export interface LabelRecord {
  faceId: number;
  personId: number;
  person: string;
  kind: LabelKind;
  score: number | null;
  source: string | null;
  createdAt: string;
}

/** A face labelled as one of a person's references, with where it came from. */
export interface ReferenceFace {
  face: StoredFace;
  kind: LabelKind;
  sha256: string;
  source: string | null;
}

export interface SeenPath {
  root: string;
  rel: string;
  rawRel?: Buffer;
  size: number;
  mtimeMs: number;
}

interface FaceRow {
  id: number;
  photo_id: number;
  idx: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  points: Buffer;
  score: number;
  quality: number;
  roll: number;
  embedding: Buffer;
  descriptor: Buffer | null;
}

const FACE_COLUMNS =
  'f.id, f.photo_id, f.idx, f.x1, f.y1, f.x2, f.y2, f.points, f.score, f.quality, f.roll, f.embedding, f.descriptor';

const faceFromRow = (r: FaceRow): StoredFace => {
  const p = blobToFloats(r.points);
  const points = [0, 1, 2, 3, 4].map((i) => ({ x: p[2 * i]!, y: p[2 * i + 1]! })) as unknown as FivePoints;
  return {
    id: r.id,
    photoId: r.photo_id,
    idx: r.idx,
    box: { x1: r.x1, y1: r.y1, x2: r.x2, y2: r.y2 },
    points,
    score: r.score,
    quality: r.quality,
    roll: r.roll,
    embedding: blobToFloats(r.embedding),
    ...(r.descriptor ? { descriptor: blobToFloats(r.descriptor) } : {}),
  };
};

const pointsBlob = (points: FivePoints): Buffer =>
  floatsToBlob(new Float32Array(points.flatMap((p) => [p.x, p.y])));

/** A human label is carried to the new analysis's face that overlaps the old one at least this much. */
const CARRY_IOU = 0.5;

const nowIso = (): string => new Date().toISOString();

/**
 * The people library: one SQLite database of photos (by content), where each was seen, the faces
 * the engine found in it, people, and the labels between faces and people with their provenance.
 * Index once, then search, tag, cluster and review without decoding again. Safe for concurrent
 * readers and one writer at a time (WAL; writers wait for each other); every photo's analysis is its
 * own transaction, so a killed `index` loses only the photos in flight.
 */
export class Library {
  readonly path: string;
  readonly #db: SqlDatabase;
  readonly #onBadFace: (message: string) => void;
  /** Faces already reported as unusable, so each is told once per process. */
  readonly #reported = new Set<number>();

  private constructor(db: SqlDatabase, onBadFace: (message: string) => void) {
    this.#db = db;
    this.path = db.path;
    this.#onBadFace = onBadFace;
  }

  /**
   * Opens the library at `path`, creating and migrating it when it is new. The file is checked
   * before anything is written to it: a path that is not a regular file, a library from a newer
   * mespotter, a corrupt, read-only or locked file is refused (LibraryUnusableError) and left as it
   * is. Its folder must exist unless `createFolder` (the default location, whose folder is ours).
   *
   * `onBadFace` hears, once per face, about a stored face that cannot be compared (a NaN or
   * wrong-length embedding from a bug, an edit or an old import): the readers matching uses skip it.
   */
  static open(path: string, o: LibraryOpenOptions = {}): Library {
    const readonly = Boolean(o.readonly);
    checkLibraryPath(path, readonly, Boolean(o.createFolder));
    let db: SqlDatabase;
    try {
      db = openSqlite(path, {
        readonly,
        ...(o.busyTimeoutMs !== undefined ? { busyTimeoutMs: o.busyTimeoutMs } : {}),
      });
    } catch (error) {
      throw openFailure(path, error);
    }
    const library = new Library(db, o.onBadFace ?? (() => undefined));
    const started = Date.now();
    for (;;) {
      try {
        library.#prepare(readonly, o.healthCheck !== false);
        return library;
      } catch (error) {
        // SQLite answers some lock conflicts at once, without waiting (a process turning a new
        // file into WAL, or recovering its WAL, while this one reads it): try again for as long
        // as a writer would wait. Everything #prepare does is idempotent or rolled back.
        const busy = error instanceof LibraryUnusableError && error.code === LibraryUnusableCode.Locked;
        if (busy && Date.now() - started < (o.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS)) {
          sleepSync(20 + Math.random() * 30);
          continue;
        }
        db.close();
        throw openFailure(path, error);
      }
    }
  }

  close(): void {
    this.#db.close();
  }

  /** The schema version (number of migrations applied). */
  get schemaVersion(): number {
    return (this.#db.pragma('user_version') as { user_version: number }[])[0]?.user_version ?? 0;
  }

  /**
   * The version is read before anything is written, so a newer library is refused unchanged; then
   * WAL, the migrations, and the checks that the file can be read (and written) at all.
   */
  #prepare(readonly: boolean, healthCheck: boolean): void {
    const current = this.schemaVersion;
    if (current > MIGRATIONS.length) throw newerVersion(this.path, current);
    if (current < MIGRATIONS.length && readonly)
      throw new LibraryError(`the library ${this.path} needs an upgrade; open it once without --read-only`);
    if (!readonly) {
      // WAL: readers never block the writer and a killed writer loses at most its open transaction.
      this.#db.pragma('journal_mode = WAL');
      // NORMAL is durable across process crashes in WAL mode; only a power cut can lose the last commits.
      this.#db.pragma('synchronous = NORMAL');
    }
    if (current < MIGRATIONS.length) this.#migrate();
    if (healthCheck && statSync(this.path).size <= QUICK_CHECK_MAX_BYTES) {
      // Every page is read once (about 1 ms per MB): a damaged file is found here, not photo by photo.
      const rows = this.#db.pragma('quick_check') as { quick_check: string }[];
      const bad = rows.filter((r) => r.quick_check !== 'ok');
      if (bad.length > 0)
        throw new LibraryUnusableError(LibraryUnusableCode.Corrupt, this.path, bad[0]!.quick_check);
    }
    // Takes and drops the write lock: a read-only file or a lock held by another process is found
    // now, before a command analyses anything.
    if (!readonly) this.#db.transaction(() => undefined);
  }

  /**
   * All pending migrations in one IMMEDIATE transaction that reads the version again once it holds
   * the write lock: two processes creating the same new library both succeed, the second finding
   * the work done.
   */
  #migrate(): void {
    this.#db.transaction(() => {
      const current = this.schemaVersion;
      if (current > MIGRATIONS.length) throw newerVersion(this.path, current);
      for (let v = current; v < MIGRATIONS.length; v++) this.#db.exec(MIGRATIONS[v]!);
      this.#db.pragma(`user_version = ${MIGRATIONS.length}`);
    });
  }

  /** Runs `fn` as one write transaction. */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn);
  }

  /**
   * The faces of `rows` that matching can use. A damaged one is skipped, with one line for the user,
   * so one bad row costs that face, not the whole command.
   */
  #usable(rows: readonly FaceRow[]): StoredFace[] {
    const out: StoredFace[] = [];
    for (const r of rows) {
      const face = faceFromRow(r);
      const problem = faceProblem(face, EMBEDDING_DIM);
      if (!problem) {
        out.push(face);
        continue;
      }
      if (this.#reported.has(r.id)) continue;
      this.#reported.add(r.id);
      const photo = this.#db
        .prepare<{ sha256: string }>('SELECT sha256 FROM photos WHERE id = ?')
        .get(r.photo_id);
      this.#onBadFace(
        `face ${r.id} (photo ${photo?.sha256.slice(0, 12) ?? r.photo_id}, face ${r.idx}) is skipped: its ${problem}; ` +
          '"mespotter library check" lists such faces, re-index the photo to replace them',
      );
    }
    return out;
  }

  // ---- photos and analyses ----------------------------------------------------------------

  /** What the library knows about a path under an indexed root: enough to skip an unchanged file. */
  findPath(root: string, rel: string): PathRecord | undefined {
    const row = this.#db
      .prepare<{
        photo_id: number;
        sha256: string;
        size: number;
        mtime_ms: number;
        analysis_ns: string | null;
      }>(
        `SELECT pp.photo_id, p.sha256, pp.size, pp.mtime_ms, p.analysis_ns
         FROM photo_paths pp JOIN photos p ON p.id = pp.photo_id WHERE pp.root = ? AND pp.rel = ?`,
      )
      .get(root, rel);
    return row
      ? {
          photoId: row.photo_id,
          sha256: row.sha256,
          size: row.size,
          mtimeMs: row.mtime_ms,
          analysisNs: row.analysis_ns,
        }
      : undefined;
  }

  photoBySha(sha256: string): PhotoRecord | undefined {
    const row = this.#db
      .prepare<{
        id: number;
        sha256: string;
        size: number;
        width: number | null;
        height: number | null;
        taken_at: string | null;
        analysis_ns: string | null;
      }>('SELECT id, sha256, size, width, height, taken_at, analysis_ns FROM photos WHERE sha256 = ?')
      .get(sha256);
    return row
      ? {
          id: row.id,
          sha256: row.sha256,
          size: row.size,
          width: row.width,
          height: row.height,
          takenAt: row.taken_at,
          analysisNs: row.analysis_ns,
        }
      : undefined;
  }

  /** The stored analysis of a photo, if it was made in namespace `ns` (same models, settings, code). */
  analysis(
    sha256: string,
    ns: string,
  ): { photoId: number; analysis: ImageAnalysis; faces: StoredFace[] } | undefined {
    const photo = this.#db
      .prepare<{ id: number; width: number; height: number; rejected: number; analysis_ns: string | null }>(
        'SELECT id, width, height, rejected, analysis_ns FROM photos WHERE sha256 = ?',
      )
      .get(sha256);
    if (!photo || photo.analysis_ns !== ns) return undefined;
    const faces = this.facesOfPhoto(photo.id);
    return {
      photoId: photo.id,
      analysis: { width: photo.width, height: photo.height, rejected: photo.rejected, faces },
      faces,
    };
  }

  facesOfPhoto(photoId: number): StoredFace[] {
    return this.#db
      .prepare<FaceRow>(`SELECT ${FACE_COLUMNS} FROM faces f WHERE f.photo_id = ? ORDER BY f.idx`)
      .all(photoId)
      .map(faceFromRow);
  }

  /**
   * Every face analysed in namespace `ns`, by id (clustering and the review page read them all).
   * Collected into an array: the caller may write to the library while using them.
   */
  facesInNamespace(ns: string): StoredFace[] {
    return this.#usable(
      this.#db
        .prepare<FaceRow>(
          `SELECT ${FACE_COLUMNS} FROM faces f JOIN photos p ON p.id = f.photo_id WHERE p.analysis_ns = ? ORDER BY f.id`,
        )
        .all(ns),
    );
  }

  /** Every label on the faces of namespace `ns` (for whose-face-is-it over the whole library). */
  labelsInNamespace(ns: string): Omit<LabelRecord, 'person'>[] {
    return this.#db
      .prepare<{
        face_id: number;
        person_id: number;
        kind: LabelKind;
        score: number | null;
        source: string | null;
        created_at: string;
      }>(
        `SELECT l.face_id, l.person_id, l.kind, l.score, l.source, l.created_at FROM labels l
         JOIN faces f ON f.id = l.face_id JOIN photos p ON p.id = f.photo_id WHERE p.analysis_ns = ? ORDER BY l.id`,
      )
      .all(ns)
      .map((r) => ({
        faceId: r.face_id,
        personId: r.person_id,
        kind: r.kind,
        score: r.score,
        source: r.source,
        createdAt: r.created_at,
      }));
  }

  /** A face matching can use (a damaged one is reported and undefined). */
  face(faceId: number): StoredFace | undefined {
    const row = this.#db.prepare<FaceRow>(`SELECT ${FACE_COLUMNS} FROM faces f WHERE f.id = ?`).get(faceId);
    return row ? this.#usable([row])[0] : undefined;
  }

  /**
   * Stores a photo's analysis in namespace `ns`, replacing any earlier analysis of the same content.
   * Human labels on the old faces move to the new face that overlaps them (IoU ≥ 0.5), so a model
   * upgrade keeps every enrolment and review decision; automatic labels are recomputed by the next run.
   */
  saveAnalysis(
    photo: { sha256: string; size: number; takenAt?: string | undefined; analysedAt?: string | undefined },
    ns: string,
    analysis: ImageAnalysis,
  ): { photoId: number; faces: StoredFace[] } {
    const analysedAt = photo.analysedAt ?? nowIso();
    return this.#db.transaction(() => {
      const existing = this.#db
        .prepare<{ id: number }>('SELECT id FROM photos WHERE sha256 = ?')
        .get(photo.sha256);
      let photoId: number;
      let carried: CarriedFace[] = [];
      if (existing) {
        photoId = existing.id;
        carried = this.#carriedLabelsByFace(photoId);
        this.#db.prepare('DELETE FROM faces WHERE photo_id = ?').run(photoId);
        this.#db
          .prepare(
            `UPDATE photos SET size = ?, width = ?, height = ?, taken_at = COALESCE(?, taken_at), analysis_ns = ?,
             analysed_at = ?, rejected = ? WHERE id = ?`,
          )
          .run(
            photo.size,
            analysis.width,
            analysis.height,
            photo.takenAt ?? null,
            ns,
            analysedAt,
            analysis.rejected,
            photoId,
          );
      } else {
        photoId = Number(
          this.#db
            .prepare(
              `INSERT INTO photos (sha256, size, width, height, taken_at, analysis_ns, analysed_at, rejected)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(
              photo.sha256,
              photo.size,
              analysis.width,
              analysis.height,
              photo.takenAt ?? null,
              ns,
              analysedAt,
              analysis.rejected,
            ).lastInsertRowid,
        );
      }
      const insert = this.#db.prepare(
        `INSERT INTO faces (photo_id, idx, x1, y1, x2, y2, points, score, quality, roll, embedding, descriptor)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const faces: StoredFace[] = analysis.faces.map((f, idx) => {
        const id = Number(
          insert.run(
            photoId,
            idx,
            f.box.x1,
            f.box.y1,
            f.box.x2,
            f.box.y2,
            pointsBlob(f.points),
            f.score,
            f.quality,
            f.roll,
            floatsToBlob(f.embedding),
            f.descriptor ? floatsToBlob(f.descriptor) : null,
          ).lastInsertRowid,
        );
        return { ...f, id, photoId, idx };
      });
      const addLabel = this.#db.prepare(
        `INSERT OR IGNORE INTO labels (face_id, person_id, kind, score, source, run_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const old of carried) {
        let best: StoredFace | undefined;
        let bestIou = CARRY_IOU;
        for (const f of faces) {
          const o = iou(old.box, f.box);
          if (o >= bestIou) {
            best = f;
            bestIou = o;
          }
        }
        if (best)
          for (const l of old.labels)
            addLabel.run(best.id, l.personId, l.kind, l.score, l.source, l.runId, l.createdAt);
      }
      return { photoId, faces };
    });
  }

  /** Human labels and cluster membership (everything but a sort run's decisions) of a photo's faces. */
  #carriedLabelsByFace(photoId: number) {
    const rows = this.#db
      .prepare<{
        x1: number;
        y1: number;
        x2: number;
        y2: number;
        face_id: number;
        person_id: number;
        kind: string;
        score: number | null;
        source: string | null;
        run_id: number | null;
        created_at: string;
      }>(
        `SELECT f.x1, f.y1, f.x2, f.y2, l.face_id, l.person_id, l.kind, l.score, l.source, l.run_id, l.created_at
         FROM labels l JOIN faces f ON f.id = l.face_id WHERE f.photo_id = ? AND NOT ${SORT_LABEL_SQL}`,
      )
      .all(photoId);
    const byFace = new Map<number, CarriedFace>();
    for (const r of rows) {
      const entry = byFace.get(r.face_id) ?? { box: { x1: r.x1, y1: r.y1, x2: r.x2, y2: r.y2 }, labels: [] };
      entry.labels.push({
        personId: r.person_id,
        kind: r.kind,
        score: r.score,
        source: r.source,
        runId: r.run_id,
        createdAt: r.created_at,
      });
      byFace.set(r.face_id, entry);
    }
    return [...byFace.values()];
  }

  /**
   * Gives a photo its new content hash and size after an edit of its metadata only (`tag --in-place`:
   * same pixels, proven): the photo keeps its id, faces and labels, so nothing is copied or doubled.
   * False, changing nothing, when another photo already has that content.
   */
  changeContent(photoId: number, content: { sha256: string; size: number }): boolean {
    return (
      this.#db
        .prepare(
          'UPDATE photos SET sha256 = ?, size = ? WHERE id = ? AND NOT EXISTS (SELECT 1 FROM photos WHERE sha256 = ?)',
        )
        .run(content.sha256, content.size, photoId, content.sha256).changes === 1
    );
  }

  /** Records that a photo was seen at root/rel with this size and time (the next run's fast path). */
  recordPath(photoId: number, seen: SeenPath): void {
    this.#db
      .prepare(
        `INSERT INTO photo_paths (photo_id, root, rel, raw_rel, size, mtime_ms, seen_at, missing_since)
         VALUES (?, ?, ?, ?, ?, ?, ?, NULL)
         ON CONFLICT (root, rel) DO UPDATE SET photo_id = excluded.photo_id, raw_rel = excluded.raw_rel,
           size = excluded.size, mtime_ms = excluded.mtime_ms, seen_at = excluded.seen_at, missing_since = NULL`,
      )
      .run(photoId, seen.root, seen.rel, seen.rawRel ?? null, seen.size, Math.round(seen.mtimeMs), nowIso());
  }

  /** Marks paths under `root` not seen since `since` as missing (moved or deleted); returns how many. */
  markMissing(root: string, since: string): number {
    return this.#db
      .prepare(
        `UPDATE photo_paths SET missing_since = ? WHERE root = ? AND seen_at < ? AND missing_since IS NULL`,
      )
      .run(nowIso(), root, since).changes;
  }

  /** Where a photo was seen (present paths first). */
  pathsOf(
    photoId: number,
  ): { root: string; rel: string; rawRel: Buffer | null; missingSince: string | null }[] {
    return this.#db
      .prepare<{ root: string; rel: string; raw_rel: Buffer | null; missing_since: string | null }>(
        `SELECT root, rel, raw_rel, missing_since FROM photo_paths WHERE photo_id = ?
         ORDER BY missing_since IS NOT NULL, seen_at DESC`,
      )
      .all(photoId)
      .map((r) => ({ root: r.root, rel: r.rel, rawRel: r.raw_rel, missingSince: r.missing_since }));
  }

  // ---- people ----------------------------------------------------------------------------

  person(name: string): PersonRecord | undefined {
    const row = this.#db.prepare<PersonRow>(`SELECT ${PERSON_COLUMNS} FROM people WHERE name = ?`).get(name);
    return row ? personFromRow(row) : undefined;
  }

  personById(id: number): PersonRecord | undefined {
    const row = this.#db.prepare<PersonRow>(`SELECT ${PERSON_COLUMNS} FROM people WHERE id = ?`).get(id);
    return row ? personFromRow(row) : undefined;
  }

  /** Everyone named: enrolled people and named clusters (unnamed clusters are not people yet). */
  people(): PersonRecord[] {
    return this.#db
      .prepare<PersonRow>(`SELECT ${PERSON_COLUMNS} FROM people WHERE named = 1 ORDER BY name`)
      .all()
      .map(personFromRow);
  }

  /** Every person row, unnamed clusters included (named first, then by cluster number). */
  allPeople(): PersonRecord[] {
    return this.#db
      .prepare<PersonRow>(`SELECT ${PERSON_COLUMNS} FROM people ORDER BY named DESC, cluster_no, name`)
      .all()
      .map(personFromRow);
  }

  ensurePerson(name: string): PersonRecord {
    // The last guard of the name rule: whatever the caller, no person named `..` or `a/b` is created.
    const problem = personNameProblem(name, { cluster: true });
    if (problem) throw new LibraryError(problem);
    this.#db.prepare('INSERT OR IGNORE INTO people (name, created_at) VALUES (?, ?)').run(name, nowIso());
    return this.person(name)!;
  }

  setPersonThreshold(
    personId: number,
    threshold: number | null,
    calibration?: Record<string, unknown>,
  ): void {
    this.#db
      .prepare('UPDATE people SET threshold = ?, calibration = ? WHERE id = ?')
      .run(threshold, calibration ? JSON.stringify(calibration) : null, personId);
  }

  /** Deletes a person and every label naming them (their faces stay: they are still in the photos). */
  deletePerson(name: string): boolean {
    return this.#db.prepare('DELETE FROM people WHERE name = ?').run(name).changes > 0;
  }

  // ---- labels ----------------------------------------------------------------------------

  /**
   * Records a label. A human decision replaces the opposite human decision for the same face and
   * person (confirmed ↔ rejected), and a positive human label on a face removes that face's positive
   * labels for other people: a face is one person.
   */
  setLabel(
    faceId: number,
    personId: number,
    kind: LabelKind,
    o: { score?: number | null; source?: string | null; runId?: number | null } = {},
  ): void {
    const db = this.#db;
    db.transaction(() => {
      if (kind === LabelKind.Rejected) {
        db.prepare(`DELETE FROM labels WHERE face_id = ? AND person_id = ? AND kind != 'rejected'`).run(
          faceId,
          personId,
        );
      } else if (isHumanKind(kind)) {
        db.prepare(`DELETE FROM labels WHERE face_id = ? AND person_id = ? AND kind = 'rejected'`).run(
          faceId,
          personId,
        );
        db.prepare(
          `DELETE FROM labels WHERE face_id = ? AND person_id != ? AND kind IN ('enrolled', 'confirmed', 'imported', 'auto')`,
        ).run(faceId, personId);
      }
      db.prepare(
        `INSERT INTO labels (face_id, person_id, kind, score, source, run_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (face_id, person_id, kind) DO UPDATE SET score = excluded.score, source = excluded.source,
           run_id = excluded.run_id, created_at = excluded.created_at`,
      ).run(faceId, personId, kind, o.score ?? null, o.source ?? null, o.runId ?? null, nowIso());
    });
  }

  /**
   * Makes `faces` the person's enrolled (or imported) references (creating the person), in one
   * transaction; `replace` first drops their earlier enrolled references (reviewed and imported
   * faces stay).
   */
  enrol(
    name: string,
    faces: readonly { faceId: number; source: string }[],
    o: { replace: boolean; kind?: typeof LabelKind.Enrolled | typeof LabelKind.Imported },
  ): PersonRecord {
    return this.#db.transaction(() => {
      const person = this.ensurePerson(name);
      if (o.replace)
        this.#db.prepare(`DELETE FROM labels WHERE person_id = ? AND kind = 'enrolled'`).run(person.id);
      const kind = o.kind ?? LabelKind.Enrolled;
      for (const f of faces) this.setLabel(f.faceId, person.id, kind, { source: f.source });
      return person;
    });
  }

  /**
   * Replaces a photo's automatic labels from a sort run with the latest decision. Human labels and
   * cluster membership (auto labels with source 'cluster') are untouched: a run never undoes a
   * user's naming, merge or split. Where the run agrees with a cluster membership the membership
   * row stays as it is (one row per face, person and kind).
   */
  replaceAutoLabels(
    photoId: number,
    decided: readonly { faceId: number; personId: number; score: number }[],
    runId: number | null,
  ): void {
    const db = this.#db;
    db.transaction(() => {
      db.prepare(
        `DELETE FROM labels AS l WHERE ${SORT_LABEL_SQL} AND l.face_id IN (SELECT id FROM faces WHERE photo_id = ?)`,
      ).run(photoId);
      const insert = db.prepare(
        `INSERT INTO labels (face_id, person_id, kind, score, source, run_id, created_at)
         VALUES (?, ?, 'auto', ?, NULL, ?, ?)
         ON CONFLICT (face_id, person_id, kind) DO UPDATE SET score = excluded.score, run_id = excluded.run_id,
           created_at = excluded.created_at WHERE labels.source IS NULL`,
      );
      const at = nowIso();
      for (const d of decided) insert.run(d.faceId, d.personId, d.score, runId, at);
    });
  }

  removeLabel(faceId: number, personId: number, kind: LabelKind): boolean {
    return (
      this.#db
        .prepare('DELETE FROM labels WHERE face_id = ? AND person_id = ? AND kind = ?')
        .run(faceId, personId, kind).changes > 0
    );
  }

  /** Every label on these faces, newest first per face. */
  labelsOfFaces(faceIds: readonly number[]): LabelRecord[] {
    if (faceIds.length === 0) return [];
    const out: LabelRecord[] = [];
    // SQLite's default limit on bound parameters is 32766; photos have at most tens of faces.
    for (let i = 0; i < faceIds.length; i += 500) {
      const chunk = faceIds.slice(i, i + 500);
      out.push(
        ...this.#db
          .prepare<{
            face_id: number;
            person_id: number;
            name: string;
            kind: LabelKind;
            score: number | null;
            source: string | null;
            created_at: string;
          }>(
            `SELECT l.face_id, l.person_id, p.name, l.kind, l.score, l.source, l.created_at
             FROM labels l JOIN people p ON p.id = l.person_id
             WHERE l.face_id IN (${chunk.map(() => '?').join(',')}) ORDER BY l.created_at DESC, l.id DESC`,
          )
          .all(...chunk)
          .map((r) => ({
            faceId: r.face_id,
            personId: r.person_id,
            person: r.name,
            kind: r.kind,
            score: r.score,
            source: r.source,
            createdAt: r.created_at,
          })),
      );
    }
    return out;
  }

  /** The person's reference faces (enrolled, confirmed, imported) in analysis namespace `ns`. */
  references(personId: number, ns: string): ReferenceFace[] {
    return this.#facesLabelled(personId, ns, REFERENCE_KINDS);
  }

  /** Faces a person said are not this person (in namespace `ns`). */
  negatives(personId: number, ns: string): ReferenceFace[] {
    return this.#facesLabelled(personId, ns, [LabelKind.Rejected]);
  }

  #facesLabelled(personId: number, ns: string, kinds: readonly LabelKind[]): ReferenceFace[] {
    const rows = this.#db
      .prepare<FaceRow & { kind: LabelKind; sha256: string; source: string | null }>(
        `SELECT ${FACE_COLUMNS}, l.kind, p.sha256, l.source FROM labels l
         JOIN faces f ON f.id = l.face_id JOIN photos p ON p.id = f.photo_id
         WHERE l.person_id = ? AND p.analysis_ns = ? AND l.kind IN (${kinds.map(() => '?').join(',')})
         ORDER BY l.created_at, l.id`,
      )
      .all(personId, ns, ...kinds);
    const usable = new Set(this.#usable(rows).map((f) => f.id));
    return rows
      .filter((r) => usable.has(r.id))
      .map((r) => ({ face: faceFromRow(r), kind: r.kind, sha256: r.sha256, source: r.source }));
  }

  /** Photos whose human labels were made on an analysis from another namespace (models changed). */
  photosWithStaleReferences(ns: string): { photoId: number; sha256: string }[] {
    return this.#db
      .prepare<{ id: number; sha256: string }>(
        `SELECT DISTINCT p.id, p.sha256 FROM labels l JOIN faces f ON f.id = l.face_id JOIN photos p ON p.id = f.photo_id
         WHERE l.kind != 'auto' AND (p.analysis_ns IS NULL OR p.analysis_ns != ?)`,
      )
      .all(ns)
      .map((r) => ({ photoId: r.id, sha256: r.sha256 }));
  }

  /**
   * Up to `limit` faces of namespace `ns` that no person has claimed (no enrolled, confirmed or
   * imported label), spread evenly over the library by face id: the impostor cohort the people's
   * thresholds are calibrated on. It still holds people's own unlabelled faces; the calibration is
   * robust to that minority.
   */
  cohort(ns: string, limit: number): { embedding: Float32Array; descriptor?: Float32Array }[] {
    // Damaged faces are left out quietly: they are nobody's, and the cohort is a sample anyway.
    const total =
      this.#db
        .prepare<{ n: number }>(
          'SELECT COUNT(*) AS n FROM faces f JOIN photos p ON p.id = f.photo_id WHERE p.analysis_ns = ?',
        )
        .get(ns)?.n ?? 0;
    const step = Math.max(1, Math.floor(total / Math.max(1, limit)));
    return this.#db
      .prepare<{ embedding: Buffer; descriptor: Buffer | null }>(
        `SELECT f.embedding, f.descriptor FROM faces f JOIN photos p ON p.id = f.photo_id
         WHERE p.analysis_ns = ? AND f.id % ? = 0
           AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.face_id = f.id AND l.kind IN ('enrolled', 'confirmed', 'imported'))
         LIMIT ?`,
      )
      .all(ns, step, limit)
      .map((r) =>
        r.descriptor
          ? { embedding: blobToFloats(r.embedding), descriptor: blobToFloats(r.descriptor) }
          : { embedding: blobToFloats(r.embedding) },
      )
      .filter(
        (v) =>
          embeddingProblem(v.embedding, EMBEDDING_DIM) === undefined &&
          (v.descriptor === undefined || embeddingProblem(v.descriptor) === undefined),
      );
  }

  /** How many labels of this kind name the person. */
  labelCount(personId: number, kind: LabelKind): number {
    return (
      this.#db
        .prepare<{ n: number }>('SELECT COUNT(*) AS n FROM labels WHERE person_id = ? AND kind = ?')
        .get(personId, kind)?.n ?? 0
    );
  }

  /** Per person: reference faces, faces given to them (by anyone: matcher or human) and the photos those are in. */
  peopleStats(ns: string): { personId: number; references: number; faces: number; photos: number }[] {
    return this.#db
      .prepare<{ person_id: number; refs: number; faces: number; photos: number }>(
        `SELECT pe.id AS person_id,
           (SELECT COUNT(*) FROM labels l JOIN faces f ON f.id = l.face_id JOIN photos p ON p.id = f.photo_id
              WHERE l.person_id = pe.id AND l.kind IN ('enrolled', 'imported') AND p.analysis_ns = ?) AS refs,
           (SELECT COUNT(DISTINCT l.face_id) FROM labels l WHERE l.person_id = pe.id AND l.kind != 'rejected') AS faces,
           (SELECT COUNT(DISTINCT f.photo_id) FROM labels l JOIN faces f ON f.id = l.face_id
              WHERE l.person_id = pe.id AND l.kind != 'rejected') AS photos
         FROM people pe ORDER BY pe.name`,
      )
      .all(ns)
      .map((r) => ({ personId: r.person_id, references: r.refs, faces: r.faces, photos: r.photos }));
  }

  // ---- runs ------------------------------------------------------------------------------

  startRun(runKey: string, command: string): number {
    return Number(
      this.#db
        .prepare('INSERT INTO runs (run_key, command, started_at) VALUES (?, ?, ?)')
        .run(runKey, command, nowIso()).lastInsertRowid,
    );
  }

  finishRun(runId: number, summary: unknown): void {
    this.#db
      .prepare('UPDATE runs SET finished_at = ?, summary = ? WHERE id = ?')
      .run(nowIso(), JSON.stringify(summary), runId);
  }

  // ---- maintenance -----------------------------------------------------------------------

  /** Low-level access for the maintenance commands (stats, check, export, import). */
  get db(): SqlDatabase {
    return this.#db;
  }
}

/** Blocks this thread for `ms` (opening a library is synchronous, like the driver). */
const sleepSync = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

const newerVersion = (path: string, version: number): LibraryUnusableError =>
  new LibraryUnusableError(
    LibraryUnusableCode.NewerVersion,
    path,
    `schema version ${version}, newer than this mespotter (${MIGRATIONS.length})`,
  );

/** Why the library could not be opened, as one LibraryError with the reason. */
const openFailure = (path: string, error: unknown): LibraryError => {
  if (error instanceof LibraryError) return error;
  return (
    readOnlyFolderError(path, error) ??
    new LibraryError(`cannot open the library ${path}: ${(error as Error).message}`, { cause: error })
  );
};

/** A stored face's box and labels, carried onto the matching face when a photo is analysed again. */
interface CarriedFace {
  box: Box;
  labels: {
    personId: number;
    kind: string;
    score: number | null;
    source: string | null;
    runId: number | null;
    createdAt: string;
  }[];
}

/** A row of `people` as stored. */
export interface PersonRow {
  id: number;
  name: string;
  created_at: string;
  threshold: number | null;
  calibration: string | null;
  named: number;
  cluster_no: number | null;
}

const PERSON_COLUMNS = 'id, name, created_at, threshold, calibration, named, cluster_no';

const personFromRow = (row: PersonRow): PersonRecord => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  threshold: row.threshold,
  calibration: row.calibration ? (JSON.parse(row.calibration) as Record<string, unknown>) : null,
  named: row.named === 1,
  clusterNo: row.cluster_no,
});
