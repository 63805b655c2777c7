import { clusterFaces } from '../cluster/clusterFaces.js';
import { resolveClusterParams } from '../cluster/clusterParams.js';
import type { ClusterFace, ClusterParams, ClusterStats, ExistingCluster } from '../cluster/clusterTypes.js';
import { poseScore } from '../cluster/facePose.js';
import { LibraryError } from '../errors.js';
import { type FaceOwner, faceOwner, OwnerVia } from './faceOwner.js';
import { LabelSource } from './LabelSource.js';
import type { Library, PersonRecord, StoredFace } from './Library.js';
import { LibraryEdits } from './LibraryEdits.js';
import { libraryFingerprint } from './libraryFingerprint.js';

export interface LibraryClusterResult {
  /** Faces analysed in this namespace. */
  faces: number;
  /** Faces given to the clustering (the rest belong to enrolled people). */
  considered: number;
  /** Existing clusters (named or not) the run kept. */
  existing: number;
  /** Clusters this run created, by name, largest first. */
  created: string[];
  /** New members of existing clusters. */
  joinedExisting: number;
  /** Faces in the clusters this run created. */
  inNewClusters: number;
  /** Considered faces that are in no cluster. */
  unknown: number;
  /** Faces that could not seed a cluster (small, low quality or strongly turned). */
  lowQuality: number;
  stats: ClusterStats;
  /** The undoable action recording this run, or null when it changed nothing. */
  actionId: number | null;
  seconds: number;
}

/**
 * What clustering sees of a face's quality: the engine's (detector score x landmark geometry),
 * or 0 when the landmarks say the head is turned or tilted to the limits of `poseScore` (|yaw| 0.8,
 * |pitch| 0.3), so such a face may join a cluster but never starts one. A gate rather than a
 * factor: in five_celebrity's web photos the median face already has pose score ~0.6 (|yaw| 0.2,
 * pitch +0.05), and a factor would keep half of ordinary faces from seeding; only ~8 % are past the limits.
 */
export const clusterQuality = (f: Pick<StoredFace, 'quality' | 'points'>): number =>
  poseScore(f.points) > 0 ? f.quality : 0;

interface Snapshot {
  faces: StoredFace[];
  owners: Map<number, FaceOwner>;
  people: PersonRecord[];
  /** Changes when a label (other than a sort run's), a person or an action changes. */
  fingerprint: string;
}

const snapshot = (library: Library, ns: string): Snapshot => {
  const fingerprint = libraryFingerprint(library);
  const faces = library.facesInNamespace(ns);
  const byFace = new Map<number, Parameters<typeof faceOwner>[0][number][]>();
  for (const l of library.labelsInNamespace(ns)) {
    const list = byFace.get(l.faceId);
    const entry = {
      personId: l.personId,
      kind: l.kind,
      source: l.source,
      score: l.score,
      createdAt: l.createdAt,
    };
    if (list) list.push(entry);
    else byFace.set(l.faceId, [entry]);
  }
  const owners = new Map<number, FaceOwner>();
  for (const [id, labels] of byFace) owners.set(id, faceOwner(labels));
  return { faces, owners, people: library.allPeople(), fingerprint };
};

const nextClusterNo = (library: Library): number =>
  Number(
    library.db.prepare<{ value: string }>(`SELECT value FROM meta WHERE key = 'next_cluster_no'`).get()
      ?.value ?? 1,
  );

/**
 * One `mespotter cluster` pass over the library's faces of namespace `ns`, incremental: every
 * person with a cluster number (unnamed clusters and the people named from them) is an existing
 * cluster whose members never move; faces of enrolled people (a human label, or the matcher's
 * decision for someone without a cluster) are left out; a face rejected for a cluster never joins
 * it. New faces join existing clusters or form new ones (person-0001…, numbers never reused), each
 * as a cluster-membership label carrying this run's id, and the whole run is one undoable action.
 * The library is read, clustered, then written in one transaction that first checks nothing
 * changed meanwhile (a review edit): if something did, the pass is done again.
 */
export const clusterLibrary = (
  library: Library,
  ns: string,
  o: { params?: Partial<ClusterParams>; command?: string; runKey: string },
): LibraryClusterResult => {
  const started = performance.now();
  const edits = new LibraryEdits(library);
  for (let attempt = 0; attempt < 3; attempt++) {
    const snap = snapshot(library, ns);
    const byClusterNo = new Map(
      snap.people.filter((p) => p.clusterNo !== null).map((p) => [p.clusterNo!, p] as const),
    );
    const byId = new Map(snap.people.map((p) => [p.id, p] as const));
    const members = new Map<number, string[]>();
    const input: ClusterFace[] = [];
    const params = o.params ?? {};
    const { minSeedQuality, minSeedSize } = resolveClusterParams(params);
    let lowQuality = 0;
    for (const f of snap.faces) {
      const owner = snap.owners.get(f.id);
      const id = String(f.id);
      const ownerPerson = owner?.personId != null ? byId.get(owner.personId) : undefined;
      if (ownerPerson) {
        // Someone's already: a member of their cluster, or an enrolled person's face (not clustered).
        if (ownerPerson.clusterNo === null || owner!.via === OwnerVia.Sort) continue;
        members.set(ownerPerson.clusterNo, [...(members.get(ownerPerson.clusterNo) ?? []), id]);
      }
      const quality = clusterQuality(f);
      const size = f.box.y2 - f.box.y1;
      if (!ownerPerson && (quality < minSeedQuality || size < minSeedSize)) lowQuality++;
      const excluded = [...(owner?.rejected ?? [])]
        .map((pid) => byId.get(pid)?.clusterNo)
        .filter((n): n is number => n !== null && n !== undefined);
      input.push({ id, embedding: f.embedding, quality, size, ...(excluded.length ? { excluded } : {}) });
    }
    const existing: ExistingCluster[] = [...members].map(([no, m]) => ({
      id: no,
      members: m,
      named: byClusterNo.get(no)?.named === true,
    }));
    const maxExisting = existing.reduce((m, c) => Math.max(m, c.id), 0);
    const result =
      input.length > 0
        ? clusterFaces({
            faces: input,
            existing,
            params,
            nextId: Math.max(nextClusterNo(library), maxExisting + 1),
          })
        : undefined;

    const dropped = result
      ? samePhotoExtras(result.assignments, snap.faces, new Set([...members.values()].flat()))
      : new Set<string>();

    const written = library.transaction(() => {
      if (libraryFingerprint(library) !== snap.fingerprint) return undefined;
      if (!result)
        return { created: [] as PersonRecord[], joined: 0, touched: new Set<number>(), actionId: null };
      const runId = library.startRun(o.runKey, o.command ?? 'mespotter cluster');
      const created = new Map<number, PersonRecord>();
      for (const no of result.created) created.set(no, edits.createCluster());
      const put = library.db.prepare(
        `INSERT OR IGNORE INTO labels (face_id, person_id, kind, score, source, run_id, created_at)
         VALUES (?, ?, 'auto', NULL, ?, ?, ?)`,
      );
      const at = new Date().toISOString();
      const already = new Set([...members.values()].flat());
      const touched = new Set<number>();
      let joined = 0;
      for (const [faceId, no] of result.assignments) {
        if (no === null || already.has(faceId) || dropped.has(faceId)) continue;
        const person = created.get(no) ?? byClusterNo.get(no);
        if (!person) throw new LibraryError(`cluster ${no} vanished during the run`);
        put.run(Number(faceId), person.id, LabelSource.Cluster, runId, at);
        if (!created.has(no)) {
          touched.add(person.id);
          joined++;
        }
      }
      const newPeople = [...created.values()];
      const changed = newPeople.length > 0 || joined > 0;
      const summary =
        `cluster run: ${newPeople.length} new cluster${newPeople.length === 1 ? '' : 's'}, ` +
        `${joined} face${joined === 1 ? '' : 's'} added to existing ones`;
      const action = changed
        ? edits.recordClusterRun(
            runId,
            newPeople.map((p) => p.id),
            [...touched],
            summary,
          )
        : null;
      library.finishRun(runId, { kind: 'cluster', ...result.stats, created: newPeople.map((p) => p.name) });
      return { created: newPeople, joined, touched, actionId: action?.id ?? null };
    });
    if (!written) continue;
    const stats = result?.stats ?? {
      faces: 0,
      seeds: 0,
      edges: 0,
      merges: 0,
      joinedExisting: 0,
      inNewClusters: 0,
      unknown: 0,
      graph: 'exact' as const,
    };
    return {
      faces: snap.faces.length,
      considered: input.length,
      existing: existing.length,
      created: written.created.map((p) => p.name),
      joinedExisting: written.joined,
      inNewClusters: stats.inNewClusters - dropped.size,
      unknown: stats.unknown + dropped.size,
      lowQuality,
      stats,
      actionId: written.actionId,
      seconds: (performance.now() - started) / 1000,
    };
  }
  throw new LibraryError('the library kept changing during clustering (someone is editing it); try again');
};

/**
 * One person is in a photo once: of the faces of one photo that the clustering put in the same
 * cluster, only the one most like the cluster (mean similarity to its faces) is kept, and none
 * when a member the cluster already had is from that photo. The others stay unknown. (Clustering
 * itself has no cannot-link constraint; a weak join, ~0.3, can otherwise pull a neighbour in.)
 */
const samePhotoExtras = (
  assignments: ReadonlyMap<string, number | null>,
  faces: readonly StoredFace[],
  existingMembers: ReadonlySet<string>,
): Set<string> => {
  const byId = new Map(faces.map((f) => [String(f.id), f] as const));
  const clusters = new Map<number, StoredFace[]>();
  for (const [id, no] of assignments) {
    if (no === null) continue;
    const list = clusters.get(no);
    if (list) list.push(byId.get(id)!);
    else clusters.set(no, [byId.get(id)!]);
  }
  const dropped = new Set<string>();
  for (const list of clusters.values()) {
    const byPhoto = new Map<number, StoredFace[]>();
    for (const f of list) byPhoto.set(f.photoId, [...(byPhoto.get(f.photoId) ?? []), f]);
    const crowded = [...byPhoto.values()].filter((g) => g.length > 1);
    if (crowded.length === 0) continue;
    const dim = list[0]!.embedding.length;
    const sum = new Float32Array(dim);
    for (const f of list) for (let d = 0; d < dim; d++) sum[d]! += f.embedding[d]!;
    const likeness = (f: StoredFace): number => {
      let s = 0;
      for (let d = 0; d < dim; d++) s += f.embedding[d]! * sum[d]!;
      return s;
    };
    for (const group of crowded) {
      const fresh = group.filter((f) => !existingMembers.has(String(f.id)));
      if (fresh.length === 0) continue;
      const keep =
        fresh.length === group.length
          ? fresh.reduce((a, b) =>
              likeness(b) > likeness(a) || (likeness(b) === likeness(a) && b.id < a.id) ? b : a,
            )
          : undefined;
      for (const f of fresh) if (f !== keep) dropped.add(String(f.id));
    }
  }
  return dropped;
};
