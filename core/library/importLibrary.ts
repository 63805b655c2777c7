import { LibraryError } from '../errors.js';
import { personNameProblem } from '../match/personName.js';
import type { FivePoints } from '../types.js';
import { blobToFloats } from './blobs.js';
import type { Library } from './Library.js';
import { exportLineSchema, LIBRARY_EXPORT_FORMAT } from './libraryJsonl.js';

export interface ImportCounts {
  people: number;
  photos: number;
  labels: number;
  runs: number;
}

/** A name from the file becomes a folder name later (sort --layout by-person): the one name rule. */
const checkImportedName = (n: number, name: string, cluster: boolean): void => {
  const problem = personNameProblem(name, { cluster });
  if (problem) throw new LibraryError(`import line ${n}: ${problem}`);
};

const floats = (b64: string): Float32Array => blobToFloats(Buffer.from(b64, 'base64'));

/**
 * Merges an export (JSON lines) into the library: people by name, photos by content hash (an
 * analysis the library already has in the same namespace is kept), labels by photo hash + face
 * index + person + kind, runs by key. Idempotent: importing the same file twice changes nothing.
 * A malformed line stops the import with its line number; everything before it is kept (one
 * transaction per line).
 */
export const importLibrary = async (
  library: Library,
  lines: AsyncIterable<string>,
): Promise<ImportCounts> => {
  const counts: ImportCounts = { people: 0, photos: 0, labels: 0, runs: 0 };
  const db = library.db;
  let n = 0;
  for await (const text of lines) {
    n++;
    if (text.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (cause) {
      throw new LibraryError(`import line ${n}: not JSON`, { cause });
    }
    const parsed = exportLineSchema.safeParse(raw);
    if (!parsed.success)
      throw new LibraryError(`import line ${n}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const line = parsed.data;
    if (n === 1 && line.type !== 'header')
      throw new LibraryError(`import line 1: expected a ${LIBRARY_EXPORT_FORMAT} header`);
    switch (line.type) {
      case 'header':
        break;
      case 'person': {
        checkImportedName(n, line.name, line.named === false);
        const existed = library.person(line.name);
        // A cluster number the library already uses stays with its own cluster.
        const clusterNo =
          line.clusterNo !== undefined &&
          line.clusterNo !== null &&
          !db.prepare('SELECT 1 FROM people WHERE cluster_no = ?').get(line.clusterNo)
            ? line.clusterNo
            : null;
        db.prepare(
          `INSERT OR IGNORE INTO people (name, created_at, threshold, calibration, named, cluster_no)
           VALUES (?, ?, ?, ?, ?, ?)`,
        ).run(
          line.name,
          line.createdAt,
          line.threshold,
          line.calibration ? JSON.stringify(line.calibration) : null,
          line.named === false ? 0 : 1,
          clusterNo,
        );
        if (!existed) counts.people++;
        break;
      }
      case 'photo': {
        const existing = library.photoBySha(line.sha256);
        library.transaction(() => {
          let photoId = existing?.id;
          // A photo the library already analysed keeps its own analysis; only new content is taken.
          if (!existing || (existing.analysisNs === null && line.analysisNs !== null)) {
            const saved = library.saveAnalysis(
              {
                sha256: line.sha256,
                size: line.size,
                ...(line.takenAt ? { takenAt: line.takenAt } : {}),
                ...(line.analysedAt ? { analysedAt: line.analysedAt } : {}),
              },
              line.analysisNs ?? '',
              {
                width: line.width ?? 0,
                height: line.height ?? 0,
                rejected: line.rejected,
                faces: line.faces
                  .sort((a, b) => a.idx - b.idx)
                  .map((f) => ({
                    box: f.box,
                    points: [0, 1, 2, 3, 4].map((i) => ({
                      x: f.points[2 * i]!,
                      y: f.points[2 * i + 1]!,
                    })) as unknown as FivePoints,
                    score: f.score,
                    quality: f.quality,
                    roll: f.roll,
                    embedding: floats(f.embedding),
                    ...(f.descriptor ? { descriptor: floats(f.descriptor) } : {}),
                  })),
              },
            );
            photoId = saved.photoId;
            if (!line.analysisNs)
              db.prepare('UPDATE photos SET analysis_ns = NULL WHERE id = ?').run(photoId);
            counts.photos++;
          }
          for (const p of line.paths) {
            db.prepare(
              `INSERT OR IGNORE INTO photo_paths (photo_id, root, rel, raw_rel, size, mtime_ms, seen_at, missing_since)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
            ).run(
              photoId,
              p.root,
              p.rel,
              p.rawRel ? Buffer.from(p.rawRel, 'base64') : null,
              p.size,
              p.mtimeMs,
              p.seenAt,
              p.missingSince,
            );
          }
        });
        break;
      }
      case 'label': {
        const face = db
          .prepare<{ id: number }>(
            'SELECT f.id FROM faces f JOIN photos p ON p.id = f.photo_id WHERE p.sha256 = ? AND f.idx = ?',
          )
          .get(line.sha256, line.face);
        checkImportedName(n, line.person, true);
        const person = library.ensurePerson(line.person);
        if (!face)
          throw new LibraryError(`import line ${n}: label for a face that is not in the file or the library`);
        const r = db
          .prepare(
            `INSERT OR IGNORE INTO labels (face_id, person_id, kind, score, source, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
          )
          .run(face.id, person.id, line.kind, line.score, line.source, line.createdAt);
        counts.labels += r.changes;
        break;
      }
      case 'run': {
        const r = db
          .prepare(
            'INSERT OR IGNORE INTO runs (run_key, command, started_at, finished_at, summary) VALUES (?, ?, ?, ?, ?)',
          )
          .run(
            line.runKey,
            line.command,
            line.startedAt,
            line.finishedAt,
            line.summary === null ? null : JSON.stringify(line.summary),
          );
        counts.runs += r.changes;
        break;
      }
    }
  }
  if (n === 0) throw new LibraryError('import: the file is empty');
  // Cluster numbers are never reused: continue after the highest one imported.
  db.prepare(
    `UPDATE meta SET value = CAST(MAX(CAST(value AS INTEGER), COALESCE((SELECT MAX(cluster_no) FROM people), 0) + 1) AS TEXT)
     WHERE key = 'next_cluster_no'`,
  ).run();
  return counts;
};
