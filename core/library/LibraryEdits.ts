import { checkPersonName, clusterName } from './clusterNames.js';
import { EditError, EditErrorCode } from './EditError.js';
import { type FaceOwner, faceOwner } from './faceOwner.js';
import { LabelKind, REFERENCE_KINDS } from './LabelKind.js';
import { LabelSource, SORT_LABEL_SQL } from './LabelSource.js';
import type { Library, PersonRecord, PersonRow } from './Library.js';

/** What a user did; every kind but Forget can be undone. */
export const ActionKind = {
  Name: 'name',
  Merge: 'merge',
  Split: 'split',
  Confirm: 'confirm',
  Reject: 'reject',
  /** Gave faces to a person ("change a face's person"). */
  Assign: 'assign',
  /** Said faces are not whoever they were given to. */
  Unassign: 'unassign',
  /** A `mespotter cluster` run: new clusters and new members of existing ones. */
  ClusterRun: 'cluster_run',
  /** `mespotter enroll`: a person's references set (replaced or added to). */
  Enroll: 'enroll',
  /** `mespotter enroll --from-tags`: tagged faces added as a person's imported references. */
  Import: 'import',
  /** `people --forget`: recorded so the journal tells the truth, but never undone (the data is gone). */
  Forget: 'forget',
} as const;
export type ActionKind = (typeof ActionKind)[keyof typeof ActionKind];

export interface ActionRecord {
  id: number;
  kind: ActionKind;
  /** One line for people: "named person-0003 Alice (12 faces)". */
  summary: string;
  createdAt: string;
  undoneAt: string | null;
}

export interface EditResult {
  action: ActionRecord;
  /** The person the edit ended on (the named, merged-into or split-off person), when there is one. */
  person?: PersonRecord;
}

/** One person to enrol: the chosen face of each reference photo, with the file it came from. */
export interface EnrolRequest {
  name: string;
  faces: readonly { faceId: number; source: string }[];
}

/** A face asked for that is already another person's reference (or claimed twice in one call). */
export interface TakenReference {
  faceId: number;
  source: string;
  /** Whose reference it is. */
  owner: string;
  /** Who asked for it. */
  claimant: string;
}

export interface EnrolOptions {
  /** Drop each person's earlier enrolled references first (never their reviewed or imported ones). */
  replace: boolean;
  /** Take faces that are another person's references instead of refusing. */
  force?: boolean;
  /** What the new references are: enrolled (default) or imported from tags. */
  kind?: typeof LabelKind.Enrolled | typeof LabelKind.Imported;
}

export interface EnrolResult {
  action: ActionRecord;
  person: PersonRecord;
  /** Earlier enrolled references of the person that are no longer theirs (replaced). */
  replaced: number;
  /** Reference faces taken from other people (only when forced), per person. */
  taken: { from: string; faces: number }[];
}

/** Who made an edit: stored as the labels' source. */
export interface EditOptions {
  source?: string;
}

interface LabelRow {
  face_id: number;
  person_id: number;
  kind: LabelKind;
  score: number | null;
  source: string | null;
  run_id: number | null;
  created_at: string;
}

/**
 * What undoing an action restores: the labels its faces had before (everything but a sort run's
 * own decisions, which the next run recomputes), the person rows it changed or deleted, the
 * people it created (deleted again), and for a cluster run the run whose memberships to remove.
 */
interface UndoPayload {
  faces: { faceId: number; labels: Omit<LabelRow, 'face_id'>[] }[];
  people: PersonRow[];
  created: number[];
  clusterRun?: number;
  /** People a cluster run added faces to (for conflict checks only). */
  touched?: number[];
}

const nowIso = (): string => new Date().toISOString();

/** A sort run's own decision (SORT_LABEL_SQL in TypeScript). */
const isSortLabel = (l: Pick<LabelRow, 'kind' | 'source'>): boolean =>
  l.kind === LabelKind.Auto && l.source !== LabelSource.Cluster;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

const inList = (n: number): string => Array.from({ length: n }, () => '?').join(',');

/**
 * The user's edits of people and clusters, each one transaction recorded in `actions` with what
 * undoing it restores. Two editors (two review tabs, a tab and the CLI) never interleave inside an
 * edit; the later edit wins. Unnamed clusters are person rows (named = 0) called after their
 * stable number; membership is a label (kind auto, source cluster), so `sort` and `index` runs
 * never lose it (Library.replaceAutoLabels and saveAnalysis keep it).
 */
export class LibraryEdits {
  readonly #library: Library;

  constructor(library: Library) {
    this.#library = library;
  }

  // ---- reading --------------------------------------------------------------------------

  /** Whose each face is (faceOwner over all its labels). */
  ownersOf(faceIds: readonly number[]): Map<number, FaceOwner> {
    const byFace = new Map<number, LabelRow[]>();
    for (const id of faceIds) byFace.set(id, []);
    for (const r of this.#labelRows(faceIds)) byFace.get(r.face_id)?.push(r);
    return new Map(
      [...byFace].map(([id, rows]) => [
        id,
        faceOwner(
          rows.map((r) => ({
            personId: r.person_id,
            kind: r.kind,
            source: r.source,
            score: r.score,
            createdAt: r.created_at,
          })),
        ),
      ]),
    );
  }

  /** The faces that are this person's (human, cluster or sort), by face id. */
  membersOf(personId: number): number[] {
    const candidates = this.#library.db
      .prepare<{ face_id: number }>(
        `SELECT DISTINCT face_id FROM labels WHERE person_id = ? AND kind != 'rejected' ORDER BY face_id`,
      )
      .all(personId)
      .map((r) => r.face_id);
    const owners = this.ownersOf(candidates);
    return candidates.filter((id) => owners.get(id)?.personId === personId);
  }

  /**
   * Recent actions, newest first: all of them, or only those still in force (`undone: false`) or
   * only the undone ones, so a listing can show what `undo` can still take back however many
   * undone actions came after.
   */
  actions(limit = 50, o: { undone?: boolean } = {}): ActionRecord[] {
    const where =
      o.undone === undefined ? '' : o.undone ? 'WHERE undone_at IS NOT NULL' : 'WHERE undone_at IS NULL';
    return this.#library.db
      .prepare<{
        id: number;
        kind: ActionKind;
        summary: string;
        created_at: string;
        undone_at: string | null;
      }>(`SELECT id, kind, summary, created_at, undone_at FROM actions ${where} ORDER BY id DESC LIMIT ?`)
      .all(limit)
      .map(actionFromRow);
  }

  /** The newest action not undone yet: what `undo` undoes. */
  lastAction(): ActionRecord | undefined {
    const row = this.#library.db
      .prepare<{
        id: number;
        kind: ActionKind;
        summary: string;
        created_at: string;
        undone_at: string | null;
      }>(
        'SELECT id, kind, summary, created_at, undone_at FROM actions WHERE undone_at IS NULL ORDER BY id DESC LIMIT 1',
      )
      .get();
    return row ? actionFromRow(row) : undefined;
  }

  // ---- clusters -------------------------------------------------------------------------

  /**
   * A new unnamed cluster with the next number (numbers are never reused, even after a merge or an
   * undo). Call inside a transaction.
   */
  createCluster(): PersonRecord {
    const db = this.#library.db;
    let no = Number(
      db.prepare<{ value: string }>(`SELECT value FROM meta WHERE key = 'next_cluster_no'`).get()?.value ?? 1,
    );
    const taken = db.prepare<{ n: number }>(
      'SELECT COUNT(*) AS n FROM people WHERE cluster_no = ? OR name = ?',
    );
    while ((taken.get(no, clusterName(no))?.n ?? 0) > 0) no++;
    db.prepare('INSERT INTO people (name, created_at, named, cluster_no) VALUES (?, ?, 0, ?)').run(
      clusterName(no),
      nowIso(),
      no,
    );
    db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('next_cluster_no', ?)`).run(String(no + 1));
    return this.#library.person(clusterName(no))!;
  }

  /** Records a cluster run as one undoable action (its memberships carry the run's id). */
  recordClusterRun(
    runId: number,
    created: readonly number[],
    touched: readonly number[],
    summary: string,
  ): ActionRecord {
    return this.#record(ActionKind.ClusterRun, summary, {
      faces: [],
      people: [],
      created: [...created],
      clusterRun: runId,
      touched: [...touched],
    });
  }

  /** Records that a person was forgotten (forgetPerson); `undo` refuses it. Call inside its transaction. */
  recordForget(summary: string): ActionRecord {
    return this.#record(ActionKind.Forget, summary, { faces: [], people: [], created: [] });
  }

  // ---- edits ----------------------------------------------------------------------------

  /**
   * Names a cluster (or renames a person). With a name nobody has, the cluster becomes that person
   * and keeps its number; with the name of someone else, the cluster is merged into them. Its
   * faces become `confirmed` with `confirm`, else they stay automatic members.
   */
  nameCluster(personId: number, name: string, o: EditOptions & { confirm?: boolean } = {}): EditResult {
    checkPersonName(name);
    return this.#library.transaction(() => {
      const cluster = this.#person(personId);
      const other = this.#library.person(name);
      if (other && other.id !== cluster.id) {
        const result = this.#merge(other, [cluster], o, Boolean(o.confirm), `named ${cluster.name} ${name}`);
        return result;
      }
      const members = this.membersOf(cluster.id);
      if (other && !o.confirm)
        throw new EditError(EditErrorCode.Invalid, `${cluster.name} is already called ${name}`);
      const payload = this.#snapshot(o.confirm ? members : [], [cluster.id]);
      this.#library.db.prepare('UPDATE people SET name = ?, named = 1 WHERE id = ?').run(name, cluster.id);
      if (o.confirm) this.#confirmAll(members, cluster.id, o);
      const what = `${plural(members.length, 'face')}${o.confirm ? ', confirmed' : ''}`;
      const summary = other ? `confirmed ${name} (${what})` : `named ${cluster.name} ${name} (${what})`;
      return { action: this.#record(ActionKind.Name, summary, payload), person: this.#person(cluster.id) };
    });
  }

  /**
   * Merges `fromIds` into `intoId` (one person tagged twice): every label moves, the others are
   * deleted. When only a source is named, the named one is kept instead, so a name is never lost.
   */
  merge(intoId: number, fromIds: readonly number[], o: EditOptions = {}): EditResult {
    return this.#library.transaction(() => {
      const into = this.#person(intoId);
      const from = [...new Set(fromIds)].map((id) => this.#person(id));
      if (from.length === 0) throw new EditError(EditErrorCode.Invalid, 'say which people to merge');
      if (from.some((p) => p.id === into.id))
        throw new EditError(EditErrorCode.Invalid, `cannot merge ${into.name} into itself`);
      let target = into;
      let sources = from;
      if (!into.named) {
        const named = from.find((p) => p.named);
        if (named) {
          target = named;
          sources = [into, ...from.filter((p) => p.id !== named.id)];
        }
      }
      return this.#merge(
        target,
        sources,
        o,
        false,
        `merged ${sources.map((s) => s.name).join(', ')} into ${target.name}`,
      );
    });
  }

  /**
   * Moves some of a person's faces to a new unnamed cluster, or to the person called `name`; the
   * moved faces are remembered as not the old person, so no later run puts them back.
   */
  split(personId: number, faceIds: readonly number[], o: EditOptions & { name?: string } = {}): EditResult {
    if (o.name !== undefined) checkPersonName(o.name);
    return this.#library.transaction(() => {
      const person = this.#person(personId);
      const faces = this.#faces(faceIds);
      const members = new Set(this.membersOf(person.id));
      for (const f of faces)
        if (!members.has(f)) throw new EditError(EditErrorCode.Invalid, `face ${f} is not in ${person.name}`);
      if (faces.length === members.size)
        throw new EditError(
          EditErrorCode.Invalid,
          `a split of ${person.name} needs some but not all of its ${members.size} faces (to rename it, name it)`,
        );
      const existing = o.name !== undefined ? this.#library.person(o.name) : undefined;
      if (existing?.id === person.id)
        throw new EditError(EditErrorCode.Invalid, `cannot split ${person.name} into itself`);
      const payload = this.#snapshot(faces, existing ? [existing.id] : []);
      const target = existing ?? (o.name !== undefined ? this.#createNamed(o.name) : this.createCluster());
      if (!existing) payload.created.push(target.id);
      const db = this.#library.db;
      const rows = this.#labelRows(faces);
      for (const f of faces) {
        const human = rows.some(
          (r) => r.face_id === f && r.person_id === person.id && REFERENCE_KINDS.includes(r.kind),
        );
        db.prepare(`DELETE FROM labels WHERE face_id = ? AND person_id = ? AND kind != 'rejected'`).run(
          f,
          person.id,
        );
        this.#library.setLabel(f, person.id, LabelKind.Rejected, { source: o.source ?? null });
        if (human) this.#library.setLabel(f, target.id, LabelKind.Confirmed, { source: o.source ?? null });
        else this.#putCluster(f, target.id);
      }
      const summary = `split ${plural(faces.length, 'face')} of ${person.name} into ${target.name}`;
      return { action: this.#record(ActionKind.Split, summary, payload), person: target };
    });
  }

  /**
   * Enrols people from their reference faces, all or none, one undoable action each. `replace`
   * drops each person's earlier enrolled references (reviewed and imported faces stay); how many
   * is reported. A face that is already someone else's reference (enrolled, confirmed, imported)
   * is refused, naming them, unless `force`: then it becomes this person's, and undo gives it back.
   * `kind: imported` (`enroll --from-tags`) stores the faces as imported references instead.
   */
  enrol(requests: readonly EnrolRequest[], o: EnrolOptions): EnrolResult[] {
    for (const r of requests) checkPersonName(r.name);
    return this.#library.transaction(() => {
      const taken = this.takenReferences(requests);
      if (taken.length > 0 && !o.force) {
        const shown = taken
          .slice(0, 3)
          .map((t) => `the face in ${t.source} is already ${t.owner}'s reference`)
          .join('; ');
        const more = taken.length > 3 ? ` (and ${taken.length - 3} more)` : '';
        const claimants = [...new Set(taken.map((t) => t.claimant))].join(', ');
        throw new EditError(
          EditErrorCode.Taken,
          `not enrolled: ${shown}${more}; nothing was changed (--force makes ${taken.length === 1 ? 'it' : 'them'} ${claimants}'s)`,
        );
      }
      return requests.map((r) => this.#enrolOne(r, taken, o));
    });
  }

  /** Says these faces are the person (they join the person's references). */
  confirm(personId: number, faceIds: readonly number[], o: EditOptions = {}): EditResult {
    return this.#library.transaction(() => {
      const person = this.#person(personId);
      const faces = this.#faces(faceIds);
      const payload = this.#snapshot(faces, []);
      this.#confirmAll(faces, person.id, o);
      const summary = `confirmed ${plural(faces.length, 'face')} as ${person.name}`;
      return { action: this.#record(ActionKind.Confirm, summary, payload), person };
    });
  }

  /** Says these faces are NOT the person: remembered, never proposed again (a negative for them). */
  reject(personId: number, faceIds: readonly number[], o: EditOptions = {}): EditResult {
    return this.#library.transaction(() => {
      const person = this.#person(personId);
      const faces = this.#faces(faceIds);
      const payload = this.#snapshot(faces, []);
      for (const f of faces)
        this.#library.setLabel(f, person.id, LabelKind.Rejected, { source: o.source ?? null });
      const summary = `${plural(faces.length, 'face')} marked not ${person.name}`;
      return { action: this.#record(ActionKind.Reject, summary, payload), person };
    });
  }

  /** Gives faces to a person (by id, or by name: a new name creates the person). */
  assign(
    faceIds: readonly number[],
    to: { personId: number } | { name: string },
    o: EditOptions = {},
  ): EditResult {
    if ('name' in to) checkPersonName(to.name);
    return this.#library.transaction(() => {
      const faces = this.#faces(faceIds);
      const existing = 'personId' in to ? this.#person(to.personId) : this.#library.person(to.name);
      const payload = this.#snapshot(faces, []);
      const person = existing ?? this.#createNamed((to as { name: string }).name);
      if (!existing) payload.created.push(person.id);
      this.#confirmAll(faces, person.id, o);
      const summary = `gave ${plural(faces.length, 'face')} to ${person.name}`;
      return { action: this.#record(ActionKind.Assign, summary, payload), person };
    });
  }

  /** Says faces are not whoever they were given to: each is rejected for its current person. */
  unassign(faceIds: readonly number[], o: EditOptions = {}): EditResult {
    return this.#library.transaction(() => {
      const faces = this.#faces(faceIds);
      const owners = this.ownersOf(faces);
      const owned = faces.filter((f) => owners.get(f)?.personId != null);
      if (owned.length === 0)
        throw new EditError(EditErrorCode.Invalid, 'none of these faces is given to anyone');
      const payload = this.#snapshot(owned, []);
      for (const f of owned)
        this.#library.setLabel(f, owners.get(f)!.personId!, LabelKind.Rejected, { source: o.source ?? null });
      const summary = `${plural(owned.length, 'face')} marked as nobody known`;
      return { action: this.#record(ActionKind.Unassign, summary, payload) };
    });
  }

  /**
   * Undoes an action (default: the newest not undone). Refused when a later action, still in
   * force, changed the same faces or people: undoing this one would silently undo part of it.
   */
  undo(actionId?: number): { undone: ActionRecord } {
    return this.#library.transaction(() => {
      const db = this.#library.db;
      const row = db
        .prepare<{
          id: number;
          kind: ActionKind;
          summary: string;
          undo: string;
          created_at: string;
          undone_at: string | null;
        }>(
          actionId === undefined
            ? 'SELECT * FROM actions WHERE undone_at IS NULL ORDER BY id DESC LIMIT 1'
            : 'SELECT * FROM actions WHERE id = ?',
        )
        .get(...(actionId === undefined ? [] : [actionId]));
      if (!row)
        throw new EditError(
          EditErrorCode.NotFound,
          actionId === undefined ? 'nothing to undo' : `there is no action ${actionId}`,
        );
      if (row.undone_at)
        throw new EditError(EditErrorCode.Conflict, `action ${row.id} (${row.summary}) is already undone`);
      // Refused like a conflicting undo (exit 2, HTTP 409 on the review page): nothing to restore.
      if (row.kind === ActionKind.Forget)
        throw new EditError(
          EditErrorCode.Conflict,
          `action ${row.id} (${row.summary}) cannot be undone: the person's faces and labels were deleted for good; ` +
            'to undo an earlier action, name it with --action ID ("mespotter undo --list")',
        );
      const payload = JSON.parse(row.undo) as UndoPayload;
      this.#checkUndoable(row, payload);
      this.#checkRestorable(row, payload);

      // People first, so restored labels have someone to point at.
      for (const p of payload.people) {
        const exists = db.prepare<{ named: number }>('SELECT named FROM people WHERE id = ?').get(p.id);
        if (exists) {
          db.prepare(
            'UPDATE people SET name = ?, created_at = ?, threshold = ?, calibration = ?, named = ?, cluster_no = ? WHERE id = ?',
          ).run(p.name, p.created_at, p.threshold, p.calibration, p.named, p.cluster_no, p.id);
          // A sort run's decisions for someone who is no longer named are not worth keeping.
          if (exists.named === 1 && p.named === 0)
            db.prepare(`DELETE FROM labels AS l WHERE l.person_id = ? AND ${SORT_LABEL_SQL}`).run(p.id);
        } else {
          db.prepare(
            'INSERT INTO people (id, name, created_at, threshold, calibration, named, cluster_no) VALUES (?, ?, ?, ?, ?, ?, ?)',
          ).run(p.id, p.name, p.created_at, p.threshold, p.calibration, p.named, p.cluster_no);
        }
      }
      if (payload.clusterRun !== undefined)
        db.prepare(`DELETE FROM labels WHERE run_id = ? AND kind = 'auto' AND source = ?`).run(
          payload.clusterRun,
          LabelSource.Cluster,
        );
      const hasPerson = db.prepare<{ n: number }>('SELECT COUNT(*) AS n FROM people WHERE id = ?');
      const hasFace = db.prepare<{ n: number }>('SELECT COUNT(*) AS n FROM faces WHERE id = ?');
      const insert = db.prepare(
        `INSERT OR REPLACE INTO labels (face_id, person_id, kind, score, source, run_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const f of payload.faces) {
        // A face re-analysed since has a new id: its labels moved with it and stay as they are.
        if ((hasFace.get(f.faceId)?.n ?? 0) === 0) continue;
        db.prepare(`DELETE FROM labels AS l WHERE l.face_id = ? AND NOT ${SORT_LABEL_SQL}`).run(f.faceId);
        for (const l of f.labels) {
          if ((hasPerson.get(l.person_id)?.n ?? 0) === 0) continue;
          insert.run(f.faceId, l.person_id, l.kind, l.score, l.source, l.run_id, l.created_at);
        }
      }
      if (payload.created.length)
        db.prepare(`DELETE FROM people WHERE id IN (${inList(payload.created.length)})`).run(
          ...payload.created,
        );
      const undoneAt = nowIso();
      db.prepare('UPDATE actions SET undone_at = ? WHERE id = ?').run(undoneAt, row.id);
      return { undone: actionFromRow({ ...row, undone_at: undoneAt }) };
    });
  }

  // ---- internals ------------------------------------------------------------------------

  #checkUndoable(row: { id: number; created_at: string }, payload: UndoPayload): void {
    const db = this.#library.db;
    const later = db
      .prepare<{ id: number; summary: string; undo: string }>(
        'SELECT id, summary, undo FROM actions WHERE id > ? AND undone_at IS NULL ORDER BY id',
      )
      .all(row.id);
    const faces = new Set(payload.faces.map((f) => f.faceId));
    const people = new Set([
      ...payload.people.map((p) => p.id),
      ...payload.created,
      ...(payload.touched ?? []),
    ]);
    for (const l of later) {
      const p = JSON.parse(l.undo) as UndoPayload;
      const clash =
        p.faces.some((f) => faces.has(f.faceId)) ||
        [...p.people.map((x) => x.id), ...p.created, ...(p.touched ?? [])].some((id) => people.has(id)) ||
        (payload.clusterRun !== undefined &&
          p.faces.some((f) => f.labels.some((x) => x.run_id === payload.clusterRun)));
      if (clash)
        throw new EditError(
          EditErrorCode.Conflict,
          `action ${l.id} (${l.summary}) changed the same faces or people since; undo it first`,
        );
    }
    // Labels written on these faces after the action by something that is not an action (none
    // today but a cluster run, which is one) would be lost: refuse rather than guess.
    if (faces.size) {
      const ids = [...faces];
      const newer = db
        .prepare<{ n: number }>(
          `SELECT COUNT(*) AS n FROM labels AS l WHERE l.face_id IN (${inList(ids.length)}) AND l.created_at > ?
           AND NOT ${SORT_LABEL_SQL}`,
        )
        .get(...ids, row.created_at);
      if ((newer?.n ?? 0) > 0)
        throw new EditError(
          EditErrorCode.Conflict,
          `the faces of action ${row.id} were labelled again since; undo the later change first`,
        );
    }
  }

  /**
   * The person rows undo would put back must still fit: a name or cluster number taken since by
   * someone else (a later edit that is not on the same people, an enrolment, an import), or an id
   * reused by a new person, is a refusal here instead of a constraint failure midway.
   */
  #checkRestorable(row: { id: number; summary: string }, payload: UndoPayload): void {
    const db = this.#library.db;
    const restored = new Set(payload.people.map((p) => p.id));
    const refuse = (why: string): never => {
      throw new EditError(
        EditErrorCode.Conflict,
        `cannot undo action ${row.id} (${row.summary}): ${why}; rename or merge them first`,
      );
    };
    const byName = db.prepare<{ id: number; name: string }>('SELECT id, name FROM people WHERE name = ?');
    const byNumber = db.prepare<{ id: number; name: string }>(
      'SELECT id, name FROM people WHERE cluster_no = ?',
    );
    const byId = db.prepare<{ name: string; created_at: string }>(
      'SELECT name, created_at FROM people WHERE id = ?',
    );
    for (const p of payload.people) {
      const now = byId.get(p.id);
      if (now && now.created_at !== p.created_at)
        refuse(`${p.name} was deleted since and ${now.name} is a new person in its place`);
      const holder = byName.get(p.name);
      if (holder && holder.id !== p.id && !restored.has(holder.id))
        refuse(`the name ${p.name} is someone else's now (person ${holder.id})`);
      if (p.cluster_no !== null) {
        const other = byNumber.get(p.cluster_no);
        if (other && other.id !== p.id && !restored.has(other.id))
          refuse(`cluster number ${p.cluster_no} of ${p.name} now belongs to ${other.name}`);
      }
    }
  }

  #merge(
    target: PersonRecord,
    sources: readonly PersonRecord[],
    o: EditOptions,
    confirm: boolean,
    summaryHead: string,
  ): EditResult {
    const db = this.#library.db;
    const ids = sources.map((s) => s.id);
    const faces = db
      .prepare<{ face_id: number }>(
        `SELECT DISTINCT face_id FROM labels WHERE person_id IN (${inList(ids.length)}) ORDER BY face_id`,
      )
      .all(...ids)
      .map((r) => r.face_id);
    const targetFaces = confirm ? this.membersOf(target.id) : [];
    const payload = this.#snapshot([...new Set([...faces, ...targetFaces])], [target.id, ...ids]);
    const moved = db
      .prepare<LabelRow>(
        `SELECT l.face_id, l.person_id, l.kind, l.score, l.source, l.run_id, l.created_at FROM labels AS l
         WHERE l.person_id IN (${inList(ids.length)}) AND NOT ${SORT_LABEL_SQL}`,
      )
      .all(...ids);
    const insert = db.prepare(
      `INSERT OR IGNORE INTO labels (face_id, person_id, kind, score, source, run_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const l of moved)
      insert.run(l.face_id, target.id, l.kind, l.score, l.source, l.run_id, l.created_at);
    this.#settleMerged(target.id, moved);
    const clusterNo = target.clusterNo ?? sources.map((s) => s.clusterNo).find((n) => n !== null) ?? null;
    db.prepare(`DELETE FROM people WHERE id IN (${inList(ids.length)})`).run(...ids);
    // A named person that absorbs a cluster takes its number, so later cluster runs add to them.
    if (clusterNo !== target.clusterNo)
      db.prepare('UPDATE people SET cluster_no = ? WHERE id = ?').run(clusterNo, target.id);
    const members = this.membersOf(target.id);
    if (confirm) this.#confirmAll(members, target.id, o);
    const summary = `${summaryHead} (${plural(members.length, 'face')}${confirm ? ', confirmed' : ''})`;
    return {
      action: this.#record(confirm ? ActionKind.Name : ActionKind.Merge, summary, payload),
      person: this.#person(target.id),
    };
  }

  /**
   * After a merge a face can hold both a yes and a no for the target: the target's "not them" (say
   * from an earlier split) and a source's membership, or the other way round. Saying the source IS
   * the target is the newest human decision about the source's members, so their membership wins
   * over the target's rejection; a rejection moved from a source wins over the target's own yes only
   * when it is the newer of the two. Nothing is left both confirmed and rejected for one person.
   */
  #settleMerged(targetId: number, moved: readonly LabelRow[]): void {
    const db = this.#library.db;
    const movedYes = new Set(moved.filter((l) => l.kind !== LabelKind.Rejected).map((l) => l.face_id));
    const faces = [...new Set(moved.map((l) => l.face_id))];
    const byFace = new Map<number, LabelRow[]>();
    for (const r of this.#labelRows(faces))
      if (r.person_id === targetId) byFace.set(r.face_id, [...(byFace.get(r.face_id) ?? []), r]);
    const dropNo = db.prepare(`DELETE FROM labels WHERE face_id = ? AND person_id = ? AND kind = 'rejected'`);
    const dropYes = db.prepare(
      `DELETE FROM labels WHERE face_id = ? AND person_id = ? AND kind != 'rejected'`,
    );
    for (const f of faces) {
      const mine = byFace.get(f) ?? [];
      const no = mine.filter((r) => r.kind === LabelKind.Rejected);
      // A sort run's own decision is no human "yes": a rejection simply outweighs it.
      const yes = mine.filter((r) => r.kind !== LabelKind.Rejected && !isSortLabel(r));
      if (no.length === 0 || yes.length === 0) continue;
      const newest = (xs: LabelRow[]): string =>
        xs
          .map((r) => r.created_at)
          .sort()
          .at(-1) ?? '';
      if (movedYes.has(f) || newest(yes) > newest(no)) dropNo.run(f, targetId);
      else dropYes.run(f, targetId);
    }
  }

  /**
   * The requested faces that are already another person's references (or claimed twice here): the
   * faces `enrol` refuses unless forced. `enroll --from-tags` asks first, to leave such a tag out.
   */
  takenReferences(requests: readonly EnrolRequest[]): TakenReference[] {
    const out: TakenReference[] = [];
    const claimedBy = new Map<number, string>();
    for (const r of requests) {
      const self = this.#library.person(r.name)?.id;
      const rows = this.#labelRows(r.faces.map((f) => f.faceId));
      for (const f of r.faces) {
        const other = rows.find(
          (l) => l.face_id === f.faceId && l.person_id !== self && REFERENCE_KINDS.includes(l.kind),
        );
        const owner =
          claimedBy.get(f.faceId) ?? (other ? this.#library.personById(other.person_id)?.name : undefined);
        if (owner !== undefined && owner !== r.name)
          out.push({ faceId: f.faceId, source: f.source, owner, claimant: r.name });
        claimedBy.set(f.faceId, r.name);
      }
    }
    return out;
  }

  #enrolOne(r: EnrolRequest, taken: readonly TakenReference[], o: EnrolOptions): EnrolResult {
    const replace = o.replace;
    const imported = o.kind === LabelKind.Imported;
    const db = this.#library.db;
    const existing = this.#library.person(r.name);
    const ids = [...new Set(r.faces.map((f) => f.faceId))];
    const earlier = existing
      ? db
          .prepare<{ face_id: number }>(
            `SELECT face_id FROM labels WHERE person_id = ? AND kind = 'enrolled' ORDER BY face_id`,
          )
          .all(existing.id)
          .map((x) => x.face_id)
      : [];
    const kept = new Set(ids);
    const replaced = replace ? earlier.filter((id) => !kept.has(id)).length : 0;
    const payload = this.#snapshot(
      [...new Set([...ids, ...(replace ? earlier : [])])],
      existing ? [existing.id] : [],
    );
    const person = this.#library.enrol(r.name, r.faces, { replace, kind: o.kind ?? LabelKind.Enrolled });
    if (!existing) payload.created.push(person.id);
    const from = new Map<string, number>();
    for (const t of taken)
      if (t.claimant === r.name && kept.has(t.faceId)) from.set(t.owner, (from.get(t.owner) ?? 0) + 1);
    const parts = [
      plural(ids.length, 'reference'),
      ...(replaced ? [`replacing ${plural(replaced, 'earlier one')}`] : []),
      ...[...from].map(([name, n]) => `${n} taken from ${name}`),
    ];
    return {
      action: imported
        ? this.#record(ActionKind.Import, `imported ${r.name} from tags (${parts.join(', ')})`, payload)
        : this.#record(ActionKind.Enroll, `enrolled ${r.name} (${parts.join(', ')})`, payload),
      person,
      replaced,
      taken: [...from].map(([name, n]) => ({ from: name, faces: n })),
    };
  }

  #confirmAll(faces: readonly number[], personId: number, o: EditOptions): void {
    for (const f of faces)
      this.#library.setLabel(f, personId, LabelKind.Confirmed, { source: o.source ?? null });
  }

  #putCluster(faceId: number, personId: number): void {
    this.#library.db
      .prepare(
        `INSERT INTO labels (face_id, person_id, kind, score, source, run_id, created_at) VALUES (?, ?, 'auto', NULL, ?, NULL, ?)
         ON CONFLICT (face_id, person_id, kind) DO UPDATE SET source = excluded.source, run_id = NULL,
           created_at = excluded.created_at`,
      )
      .run(faceId, personId, LabelSource.Cluster, nowIso());
  }

  #createNamed(name: string): PersonRecord {
    this.#library.db
      .prepare('INSERT INTO people (name, created_at, named) VALUES (?, ?, 1)')
      .run(name, nowIso());
    return this.#library.person(name)!;
  }

  #person(id: number): PersonRecord {
    const p = Number.isInteger(id) ? this.#library.personById(id) : undefined;
    if (!p) throw new EditError(EditErrorCode.NotFound, `there is no person or cluster ${id}`);
    return p;
  }

  /** The distinct face ids, all of which must exist. */
  #faces(faceIds: readonly number[]): number[] {
    const ids = [...new Set(faceIds)];
    if (ids.length === 0) throw new EditError(EditErrorCode.Invalid, 'no face selected');
    for (const id of ids)
      if (!Number.isInteger(id)) throw new EditError(EditErrorCode.Invalid, `face id ${id} is not a number`);
    const found = new Set<number>();
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      for (const r of this.#library.db
        .prepare<{ id: number }>(`SELECT id FROM faces WHERE id IN (${inList(chunk.length)})`)
        .all(...chunk))
        found.add(r.id);
    }
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length)
      throw new EditError(EditErrorCode.NotFound, `there is no face ${missing.slice(0, 5).join(', ')}`);
    return ids;
  }

  #labelRows(faceIds: readonly number[]): LabelRow[] {
    const out: LabelRow[] = [];
    for (let i = 0; i < faceIds.length; i += 500) {
      const chunk = faceIds.slice(i, i + 500);
      out.push(
        ...this.#library.db
          .prepare<LabelRow>(
            `SELECT face_id, person_id, kind, score, source, run_id, created_at FROM labels
             WHERE face_id IN (${inList(chunk.length)}) ORDER BY id`,
          )
          .all(...chunk),
      );
    }
    return out;
  }

  #snapshot(faceIds: readonly number[], personIds: readonly number[]): UndoPayload {
    const rows = this.#labelRows(faceIds);
    const faces = faceIds.map((faceId) => ({
      faceId,
      labels: rows
        .filter(
          (r) => r.face_id === faceId && !(r.kind === LabelKind.Auto && r.source !== LabelSource.Cluster),
        )
        .map(({ face_id: _, ...rest }) => rest),
    }));
    const people = [...new Set(personIds)].flatMap((id) => {
      const p = this.#library.db.prepare<PersonRow>('SELECT * FROM people WHERE id = ?').get(id);
      return p ? [p] : [];
    });
    return { faces, people, created: [] };
  }

  #record(kind: ActionKind, summary: string, payload: UndoPayload): ActionRecord {
    // Stamped after the edit's labels, so "labelled since" (a conflict) means after all of them.
    const at = nowIso();
    const id = Number(
      this.#library.db
        .prepare('INSERT INTO actions (kind, summary, undo, created_at) VALUES (?, ?, ?, ?)')
        .run(kind, summary, JSON.stringify(payload), at).lastInsertRowid,
    );
    return { id, kind, summary, createdAt: at, undoneAt: null };
  }
}

const actionFromRow = (r: {
  id: number;
  kind: ActionKind;
  summary: string;
  created_at: string;
  undone_at: string | null;
}): ActionRecord => ({
  id: r.id,
  kind: r.kind,
  summary: r.summary,
  createdAt: r.created_at,
  undoneAt: r.undone_at,
});
