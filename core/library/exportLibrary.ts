import type { LabelKind } from './LabelKind.js';
import type { Library } from './Library.js';
import { type ExportLine, LIBRARY_EXPORT_FORMAT, LIBRARY_EXPORT_VERSION } from './libraryJsonl.js';

const b64 = (blob: Uint8Array | null): string | null => (blob ? Buffer.from(blob).toString('base64') : null);

/**
 * The whole library as JSON lines, streamed (one photo at a time): a header, the people, every
 * photo with its paths and faces, every label (by photo hash and face index, so ids never leak
 * into the format), and the runs.
 */
export function* exportLibrary(library: Library): Generator<ExportLine> {
  const db = library.db;
  yield {
    type: 'header',
    format: LIBRARY_EXPORT_FORMAT,
    version: LIBRARY_EXPORT_VERSION,
    schema: library.schemaVersion,
    exportedAt: new Date().toISOString(),
  };
  for (const p of library.allPeople())
    yield {
      type: 'person',
      name: p.name,
      createdAt: p.createdAt,
      threshold: p.threshold,
      calibration: p.calibration,
      named: p.named,
      clusterNo: p.clusterNo,
    };
  const paths = db.prepare<{
    root: string;
    rel: string;
    raw_rel: Buffer | null;
    size: number;
    mtime_ms: number;
    seen_at: string;
    missing_since: string | null;
  }>(
    'SELECT root, rel, raw_rel, size, mtime_ms, seen_at, missing_since FROM photo_paths WHERE photo_id = ? ORDER BY id',
  );
  for (const p of db
    .prepare<{
      id: number;
      sha256: string;
      size: number;
      width: number | null;
      height: number | null;
      taken_at: string | null;
      analysis_ns: string | null;
      analysed_at: string | null;
      rejected: number;
    }>(
      'SELECT id, sha256, size, width, height, taken_at, analysis_ns, analysed_at, rejected FROM photos ORDER BY id',
    )
    .iterate()) {
    yield {
      type: 'photo',
      sha256: p.sha256,
      size: p.size,
      width: p.width,
      height: p.height,
      takenAt: p.taken_at,
      analysisNs: p.analysis_ns,
      analysedAt: p.analysed_at,
      rejected: p.rejected,
      paths: paths.all(p.id).map((r) => ({
        root: r.root,
        rel: r.rel,
        rawRel: b64(r.raw_rel),
        size: r.size,
        mtimeMs: r.mtime_ms,
        seenAt: r.seen_at,
        missingSince: r.missing_since,
      })),
      faces: library.facesOfPhoto(p.id).map((f) => ({
        idx: f.idx,
        box: f.box,
        points: f.points.flatMap((pt) => [pt.x, pt.y]),
        score: f.score,
        quality: f.quality,
        roll: f.roll,
        embedding: Buffer.from(f.embedding.buffer, f.embedding.byteOffset, f.embedding.byteLength).toString(
          'base64',
        ),
        descriptor: f.descriptor
          ? Buffer.from(f.descriptor.buffer, f.descriptor.byteOffset, f.descriptor.byteLength).toString(
              'base64',
            )
          : null,
      })),
    };
  }
  for (const l of db
    .prepare<{
      sha256: string;
      idx: number;
      name: string;
      kind: LabelKind;
      score: number | null;
      source: string | null;
      created_at: string;
    }>(
      `SELECT ph.sha256, f.idx, pe.name, l.kind, l.score, l.source, l.created_at FROM labels l
       JOIN faces f ON f.id = l.face_id JOIN photos ph ON ph.id = f.photo_id JOIN people pe ON pe.id = l.person_id
       ORDER BY l.id`,
    )
    .iterate())
    yield {
      type: 'label',
      sha256: l.sha256,
      face: l.idx,
      person: l.name,
      kind: l.kind,
      score: l.score,
      source: l.source,
      createdAt: l.created_at,
    };
  for (const r of db
    .prepare<{
      run_key: string;
      command: string;
      started_at: string;
      finished_at: string | null;
      summary: string | null;
    }>('SELECT run_key, command, started_at, finished_at, summary FROM runs ORDER BY id')
    .iterate())
    yield {
      type: 'run',
      runKey: r.run_key,
      command: r.command,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      summary: r.summary ? (JSON.parse(r.summary) as unknown) : null,
    };
}
