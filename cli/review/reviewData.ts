import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_CLUSTER_PARAMS } from '../../core/cluster/clusterParams.js';
import { suggestMerges } from '../../core/cluster/suggestMerges.js';
import { PeopleMatrix } from '../../core/decide/PeopleMatrix.js';
import { type FaceOwner, faceOwner, labelsByFace, type OwnerVia } from '../../core/library/faceOwner.js';
import type { PersonRecord, StoredFace } from '../../core/library/Library.js';
import { NEAR_MISS_MARGIN } from '../../core/match/defaults.js';
import { meanDirection } from '../../core/match/similarity.js';
import type { ReviewState } from './ReviewState.js';

/**
 * Two clusters whose mean faces are this alike are offered for merging: the clustering's own
 * merge level (DEFAULT_CLUSTER_PARAMS.mergeSimilarity), which kept them apart only because their
 * faces came in separate runs or were split by hand.
 */
const MERGE_HINT_SIMILARITY = DEFAULT_CLUSTER_PARAMS.mergeSimilarity;

/** Scores within this of a person's threshold are the gray zone the person view highlights. */
export const GRAY_ZONE = NEAR_MISS_MARGIN;

export interface FaceView {
  id: number;
  photoId: number;
  box: StoredFace['box'];
  quality: number;
  /** Score for the person of the page (null where the page has no person or no model). */
  score: number | null;
  gray: boolean;
  owner: { id: number; name: string; named: boolean } | null;
  via: OwnerVia | null;
}

export interface PersonCard {
  person: PersonRecord;
  faces: number;
  photos: number;
  /** Largest, clearest faces first. */
  top: { id: number; photoId: number }[];
}

/** Whose every face of the namespace is. */
export const ownersOfAll = (state: ReviewState): Map<number, FaceOwner> => {
  const byFace = labelsByFace(state.library, state.ns);
  return new Map([...byFace].map(([id, labels]) => [id, faceOwner(labels)]));
};

const clarity = (f: StoredFace): number => f.quality * (f.box.y2 - f.box.y1) * (f.box.x2 - f.box.x1);

/** The People view: named people, then unnamed clusters, each with their best faces; and how many faces nobody has. */
export interface MergeHint {
  into: PersonRecord;
  from: PersonRecord;
  similarity: number;
}

export const peopleOverview = (
  state: ReviewState,
): { people: PersonCard[]; clusters: PersonCard[]; unknown: number; faces: number; hints: MergeHint[] } => {
  const faces = state.faces();
  const owners = ownersOfAll(state);
  const byPerson = new Map<number, StoredFace[]>();
  let unknown = 0;
  for (const f of faces.values()) {
    const owner = owners.get(f.id)?.personId ?? null;
    if (owner === null) {
      unknown++;
      continue;
    }
    const list = byPerson.get(owner);
    if (list) list.push(f);
    else byPerson.set(owner, [f]);
  }
  const cards = state.library.allPeople().map((person) => {
    const own = (byPerson.get(person.id) ?? []).sort((a, b) => clarity(b) - clarity(a) || a.id - b.id);
    return {
      person,
      faces: own.length,
      photos: new Set(own.map((f) => f.photoId)).size,
      top: own.slice(0, 12).map((f) => ({ id: f.id, photoId: f.photoId })),
    };
  });
  // "One person found twice": clusters whose faces are as alike as one person's (suggestMerges).
  const live = cards.filter((c) => c.faces > 0);
  const byId = new Map(live.map((c) => [c.person.id, c.person]));
  const hints = suggestMerges(
    live.flatMap((c) =>
      (byPerson.get(c.person.id) ?? []).map((f) => ({
        id: String(f.id),
        embedding: f.embedding,
        quality: f.quality,
        size: f.box.y2 - f.box.y1,
      })),
    ),
    live.map((c) => ({
      id: c.person.id,
      members: (byPerson.get(c.person.id) ?? []).map((f) => String(f.id)),
      named: c.person.named,
    })),
    { minSimilarity: MERGE_HINT_SIMILARITY },
  )
    .slice(0, 12)
    .map((m) => ({ into: byId.get(m.into)!, from: byId.get(m.from)!, similarity: m.similarity }));
  return {
    hints,
    people: cards.filter((c) => c.person.named).sort((a, b) => a.person.name.localeCompare(b.person.name)),
    clusters: cards
      .filter((c) => !c.person.named && c.faces > 0)
      .sort((a, b) => b.faces - a.faces || (a.person.clusterNo ?? 0) - (b.person.clusterNo ?? 0)),
    unknown,
    faces: faces.size,
  };
};

export interface PersonView {
  person: PersonRecord;
  /** The decision's threshold for the person, when the matcher knows them. */
  threshold: number | null;
  thresholdSource: string | null;
  /** How the scores were made. */
  scoring: 'model' | 'cluster mean';
  members: FaceView[];
  nearMisses: FaceView[];
  /** Faces of the person in photos of other analyses (older models) not shown. */
  hiddenMembers: number;
}

const NEAR_MISS_LIMIT = 200;

/**
 * A person's faces, lowest score first (the likeliest mistakes on top), the gray zone marked,
 * and below them the near misses: faces nobody else has that score just under the person's
 * threshold and that nobody rejected for them ("not this person" is never proposed again).
 */
export const personView = async (state: ReviewState, person: PersonRecord): Promise<PersonView> => {
  const faces = state.faces();
  const owners = ownersOfAll(state);
  const people = await state.people();
  const memberIds = state.edits.membersOf(person.id);
  const members = memberIds.map((id) => faces.get(id)).filter((f): f is StoredFace => f !== undefined);
  const j = people.matrix.indexOf(person.name);
  let score: (fs: readonly StoredFace[]) => number[];
  let threshold: number | null = null;
  let thresholdSource: string | null = null;
  if (j >= 0) {
    const m = people.matrix;
    const single = PeopleMatrix.build([
      {
        name: person.name,
        template: m.hasDescriptor[j]
          ? {
              centroid: m.templates.slice(j * m.dim, (j + 1) * m.dim),
              descriptorCentroid: m.descriptors.slice(j * m.descriptorDim, (j + 1) * m.descriptorDim),
            }
          : { centroid: m.templates.slice(j * m.dim, (j + 1) * m.dim) },
        threshold: m.thresholds[j]!,
      },
    ]);
    score = (fs) => Array.from(single.score(fs));
    threshold = m.thresholds[j]!;
    thresholdSource = people.thresholds.get(person.name)?.source ?? null;
  } else if (members.length > 0) {
    const mean = meanDirection(members.map((f) => f.embedding));
    score = (fs) => fs.map((f) => f.embedding.reduce((s, x, d) => s + x * mean[d]!, 0));
  } else score = (fs) => fs.map(() => Number.NaN);
  const view = (f: StoredFace, s: number): FaceView => {
    const owner = owners.get(f.id);
    const p = owner?.personId != null ? state.library.personById(owner.personId) : undefined;
    return {
      id: f.id,
      photoId: f.photoId,
      box: f.box,
      quality: f.quality,
      score: Number.isFinite(s) ? s : null,
      gray: threshold !== null && Number.isFinite(s) && Math.abs(s - threshold) <= GRAY_ZONE,
      owner: p ? { id: p.id, name: p.name, named: p.named } : null,
      via: owner?.via ?? null,
    };
  };
  const memberScores = score(members);
  const memberViews = members
    .map((f, i) => view(f, memberScores[i]!))
    .sort(
      (a, b) => (a.score ?? Number.POSITIVE_INFINITY) - (b.score ?? Number.POSITIVE_INFINITY) || a.id - b.id,
    );
  let nearMisses: FaceView[] = [];
  if (threshold !== null) {
    const mine = new Set(memberIds);
    const candidates = [...faces.values()].filter((f) => {
      if (mine.has(f.id)) return false;
      const o = owners.get(f.id);
      // A human decided whose it is, or said it is not this person: never proposed again.
      return !(o && (o.rejected.has(person.id) || o.via === 'human'));
    });
    const s = score(candidates);
    nearMisses = candidates
      .map((f, i) => ({ f, s: s[i]! }))
      .filter((x) => x.s < threshold! && x.s >= threshold! - GRAY_ZONE)
      .sort((a, b) => b.s - a.s || a.f.id - b.f.id)
      .slice(0, NEAR_MISS_LIMIT)
      .map((x) => view(x.f, x.s));
  }
  return {
    person,
    threshold,
    thresholdSource,
    scoring: j >= 0 ? 'model' : 'cluster mean',
    members: memberViews,
    nearMisses,
    hiddenMembers: memberIds.length - members.length,
  };
};

export interface PhotoView {
  photoId: number;
  sha256: string;
  width: number;
  height: number;
  faces: FaceView[];
}

export const photoView = (state: ReviewState, photoId: number): PhotoView | undefined => {
  const photo = state.library.db
    .prepare<{ sha256: string; width: number | null; height: number | null }>(
      'SELECT sha256, width, height FROM photos WHERE id = ?',
    )
    .get(photoId);
  if (!photo) return undefined;
  const faces = state.library.facesOfPhoto(photoId);
  const owners = state.edits.ownersOf(faces.map((f) => f.id));
  return {
    photoId,
    sha256: photo.sha256,
    width: photo.width ?? 0,
    height: photo.height ?? 0,
    faces: faces.map((f) => {
      const o = owners.get(f.id);
      const p = o?.personId != null ? state.library.personById(o.personId) : undefined;
      return {
        id: f.id,
        photoId,
        box: f.box,
        quality: f.quality,
        score: null,
        gray: false,
        owner: p ? { id: p.id, name: p.name, named: p.named } : null,
        via: o?.via ?? null,
      };
    }),
  };
};

export interface RunRow {
  id: number;
  key: string;
  command: string;
  kind: 'sort' | 'cluster' | 'other';
  startedAt: string;
  finishedAt: string | null;
  summary: Record<string, unknown> | null;
}

/** A cluster run's summary says so; a sort run's is a RunSummary (people, counts). */
const runKind = (summary: Record<string, unknown> | null, command: string): RunRow['kind'] =>
  summary?.['kind'] === 'cluster' || /^mespotter cluster\b/.test(command)
    ? 'cluster'
    : (summary && 'counts' in summary && 'people' in summary) || /^mespotter sort\b/.test(command)
      ? 'sort'
      : 'other';

export const runsList = (state: ReviewState): RunRow[] =>
  state.library.db
    .prepare<{
      id: number;
      run_key: string;
      command: string;
      started_at: string;
      finished_at: string | null;
      summary: string | null;
    }>('SELECT id, run_key, command, started_at, finished_at, summary FROM runs ORDER BY id DESC LIMIT 500')
    .all()
    .map((r) => {
      const summary = parseSummary(r.summary);
      return {
        id: r.id,
        key: r.run_key,
        command: r.command,
        kind: runKind(summary, r.command),
        startedAt: r.started_at,
        finishedAt: r.finished_at,
        summary,
      };
    });

const parseSummary = (s: string | null): Record<string, unknown> | null => {
  if (!s) return null;
  try {
    const v = JSON.parse(s) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
};

export interface RunView {
  run: RunRow;
  /** Faces this run's labels still name (a later sort of the same photo replaces them), by person. */
  byPerson: { person: PersonRecord; faces: { id: number; photoId: number; score: number | null }[] }[];
  /** The run's report page on disk, when it is where a sort writes it by default. */
  report: string | null;
}

export const runView = async (state: ReviewState, runId: number): Promise<RunView | undefined> => {
  const run = runsList(state).find((r) => r.id === runId);
  if (!run) return undefined;
  const rows = state.library.db
    .prepare<{ face_id: number; person_id: number; score: number | null; photo_id: number }>(
      `SELECT l.face_id, l.person_id, l.score, f.photo_id FROM labels l JOIN faces f ON f.id = l.face_id
       WHERE l.run_id = ? ORDER BY l.person_id, l.score DESC, l.face_id`,
    )
    .all(runId);
  const byPerson = new Map<number, { id: number; photoId: number; score: number | null }[]>();
  for (const r of rows)
    byPerson.set(r.person_id, [
      ...(byPerson.get(r.person_id) ?? []),
      { id: r.face_id, photoId: r.photo_id, score: r.score },
    ]);
  const output = typeof run.summary?.['output'] === 'string' ? (run.summary['output'] as string) : null;
  const report = output ? join(output, '.mespotter', 'runs', run.key, 'report.html') : null;
  const reportExists = report ? Boolean(await stat(report).catch(() => undefined)) : false;
  return {
    run,
    byPerson: [...byPerson]
      .map(([id, faces]) => ({ person: state.library.personById(id)!, faces }))
      .filter((x) => x.person)
      .sort((a, b) => a.person.name.localeCompare(b.person.name)),
    report: reportExists ? report : null,
  };
};
