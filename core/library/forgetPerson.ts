import { EditError, EditErrorCode } from './EditError.js';
import type { Library } from './Library.js';
import { type ActionRecord, LibraryEdits } from './LibraryEdits.js';

/** What a forgotten person's name becomes where it is kept in other records (runs, sources). */
export const FORGOTTEN = '[forgotten]';

export interface ForgetResult {
  /** Faces deleted: the person's references and every other face that was theirs. */
  faces: number;
  /** Photos left with no face (their reference crops, portraits): deleted, with their paths. */
  photos: number;
  /** Photos that also show others: their analysis is analysed afresh when next seen. */
  reanalysed: number;
  /** Runs whose command line or summary named the person (the name is replaced). */
  runs: number;
  /** Undo journal entries about the person (deleted: undoing one would bring them back). */
  actions: number;
  /** The journal's record that someone was forgotten (no name; it cannot be undone). */
  action: ActionRecord;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The name as a whole word, in any case: "Mia" in "known/Mia/1.jpg", not in "Miami". */
const nameIn = (name: string): RegExp =>
  new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(name)}(?![\\p{L}\\p{N}])`, 'giu');

/** Every string (and key) of a JSON value with the name replaced; numbers and structure untouched. */
const redactJson = (v: unknown, re: RegExp): unknown => {
  if (typeof v === 'string') return v.replace(re, FORGOTTEN);
  if (Array.isArray(v)) return v.map((x) => redactJson(x, re));
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k.replace(re, FORGOTTEN), redactJson(x, re)]),
    );
  return v;
};

const inList = (n: number): string => Array.from({ length: n }, () => '?').join(',');

interface JournalPayload {
  faces?: { labels?: { person_id?: number }[] }[];
  people?: { id?: number; name?: string }[];
  created?: number[];
  touched?: number[];
}

/**
 * Forgets a person for good, in one transaction: their biometric data (the faces, embeddings
 * included, of their references and of every other face that was theirs; a photo left with no
 * face is deleted with its paths, one that shows others too is analysed afresh when next seen), every
 * label naming them, their person row, the undo journal's entries about them, and their name in the
 * runs' command lines and summaries and in other labels' sources. The deleted content is zeroed in
 * the file (secure_delete) and the WAL is checkpointed and truncated, so no copy lingers there;
 * `library vacuum` then rewrites the file without free pages. Not undoable: the journal records
 * that someone was forgotten (without the name), and `undo` refuses that entry.
 */
export const forgetPerson = (library: Library, name: string): ForgetResult => {
  const db = library.db;
  // Deleted cells and pages are overwritten with zeros instead of left in the file.
  db.pragma('secure_delete = ON');
  const result = library.transaction((): ForgetResult => {
    const person = library.person(name);
    if (!person) throw new EditError(EditErrorCode.NotFound, `nobody called "${name}" is in the library`);
    const edits = new LibraryEdits(library);
    const references = db
      .prepare<{ face_id: number }>(
        `SELECT DISTINCT face_id FROM labels WHERE person_id = ? AND kind IN ('enrolled', 'confirmed', 'imported')`,
      )
      .all(person.id);
    const faces = [...new Set([...references.map((r) => r.face_id), ...edits.membersOf(person.id)])];
    const photoOf = db.prepare<{ photo_id: number }>('SELECT photo_id FROM faces WHERE id = ?');
    const touchedPhotos = new Set(faces.map((f) => photoOf.get(f)?.photo_id ?? -1).filter((id) => id >= 0));
    for (let i = 0; i < faces.length; i += 500) {
      const chunk = faces.slice(i, i + 500);
      db.prepare(`DELETE FROM faces WHERE id IN (${inList(chunk.length)})`).run(...chunk);
    }
    // A photo with no face left (a reference crop, a portrait) goes, with its paths, which often carry
    // the name (known/Mia/1.jpg). A photo that still shows others keeps their faces and labels, but
    // its analysis is no longer a complete one: the next run over it analyses it afresh.
    let photos = 0;
    let reanalysed = 0;
    const remaining = db.prepare<{ n: number }>('SELECT COUNT(*) AS n FROM faces WHERE photo_id = ?');
    for (const photoId of touchedPhotos)
      if ((remaining.get(photoId)?.n ?? 0) === 0) {
        db.prepare('DELETE FROM photos WHERE id = ?').run(photoId);
        photos++;
      } else {
        db.prepare('UPDATE photos SET analysis_ns = NULL WHERE id = ?').run(photoId);
        reanalysed++;
      }

    const re = nameIn(name);
    const mentions = (text: string | null | undefined): boolean => {
      re.lastIndex = 0;
      return text ? re.test(text) : false;
    };
    let actions = 0;
    for (const a of db
      .prepare<{ id: number; summary: string; undo: string }>('SELECT id, summary, undo FROM actions')
      .all()) {
      const p = JSON.parse(a.undo) as JournalPayload;
      // About them: every edit's summary names the person it edited, and a payload names who undoing
      // it would restore. Deleted, so no undo claims to bring any of it back.
      const about =
        mentions(a.summary) ||
        (p.people ?? []).some((x) => x.id === person.id || x.name === name) ||
        (p.created ?? []).includes(person.id) ||
        (p.touched ?? []).includes(person.id) ||
        (p.faces ?? []).some((f) => (f.labels ?? []).some((l) => l.person_id === person.id));
      if (about) {
        db.prepare('DELETE FROM actions WHERE id = ?').run(a.id);
        actions++;
      }
    }
    db.prepare('DELETE FROM people WHERE id = ?').run(person.id);

    let runs = 0;
    for (const r of db
      .prepare<{ id: number; command: string; summary: string | null }>(
        'SELECT id, command, summary FROM runs',
      )
      .all()) {
      if (!mentions(r.command) && !mentions(r.summary)) continue;
      const summary = r.summary === null ? null : JSON.stringify(redactJson(JSON.parse(r.summary), re));
      db.prepare('UPDATE runs SET command = ?, summary = ? WHERE id = ?').run(
        r.command.replace(re, FORGOTTEN),
        summary,
        r.id,
      );
      runs++;
    }
    for (const l of db
      .prepare<{ id: number; source: string }>('SELECT id, source FROM labels WHERE source IS NOT NULL')
      .all())
      if (mentions(l.source))
        db.prepare('UPDATE labels SET source = ? WHERE id = ?').run(l.source.replace(re, FORGOTTEN), l.id);

    const action = edits.recordForget(
      `forgot a person (${faces.length} face${faces.length === 1 ? '' : 's'} deleted, for good)`,
    );
    return { faces: faces.length, photos, reanalysed, runs, actions, action };
  });
  // The WAL still holds the pages as they were before: copy the new ones in and empty it. A reader
  // holding an old snapshot can keep it from finishing; `library vacuum` does it again.
  db.pragma('wal_checkpoint(TRUNCATE)');
  return result;
};
