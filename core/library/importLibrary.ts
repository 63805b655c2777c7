import { faceProblem } from '../analysis/faceProblem.js';
import { LibraryError } from '../errors.js';
import { EMBEDDING_DIM } from '../match/embeddingDim.js';
import { personNameProblem } from '../match/personName.js';
import type { Face, FivePoints } from '../types.js';
import { blobToFloats } from './blobs.js';
import type { Library } from './Library.js';
import {
  type ExportLine,
  exportLineSchema,
  LIBRARY_EXPORT_FORMAT,
  MAX_EXPORT_LINE_CHARS,
} from './libraryJsonl.js';

type PhotoLine = Extract<ExportLine, { type: 'photo' }>;

export interface ImportCounts {
  people: number;
  photos: number;
  labels: number;
  runs: number;
}

/** A name from the file becomes a folder name later (sort --layout by-person): the one name rule. */
const checkImportedName = (name: string, cluster: boolean): void => {
  const problem = personNameProblem(name, { cluster });
  if (problem) throw new LibraryError(problem);
};

const floats = (b64: string): Float32Array => blobToFloats(Buffer.from(b64, 'base64'));

/** A face of a photo line, decoded, or why it cannot be stored. */
const decodeFace = (f: PhotoLine['faces'][number]): Face => {
  for (const [what, b64] of [
    ['embedding', f.embedding],
    ['descriptor', f.descriptor],
  ] as const)
    if (b64 !== null && Buffer.from(b64, 'base64').byteLength % 4 !== 0)
      throw new LibraryError(`face ${f.idx}: the ${what} is not whole float32 values`);
  const face: Face = {
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
  };
  // The same checks the read path makes: a face stored here can always be compared.
  const problem = faceProblem(face, EMBEDDING_DIM);
  if (problem) throw new LibraryError(`face ${f.idx}: ${problem}`);
  return face;
};

/**
 * Merges an export (JSON lines) into the library: people by name, photos by content hash (an
 * analysis the library already has in the same namespace is kept), labels by photo hash + face
 * index + person + kind, runs by key. Idempotent: importing the same file twice changes nothing.
 * The whole import is one transaction: a line that is malformed, too long, out of bounds (every
 * field is, see libraryJsonl.ts) or holds an unusable embedding refuses the import with its line
 * number and reason, and the library is left exactly as it was. Other writers wait meanwhile.
 */
export const importLibrary = async (
  library: Library,
  lines: AsyncIterable<string>,
): Promise<ImportCounts> => {
  const db = library.db;
  db.exec('BEGIN IMMEDIATE');
  let n = 0;
  try {
    const counts = await importLines(library, lines, () => ++n);
    db.exec('COMMIT');
    return counts;
  } catch (error) {
    try {
      db.exec('ROLLBACK');
    } catch {
      // SQLite already rolled back (some I/O errors do): the library is as it was either way.
    }
    if (error instanceof LibraryError && n > 0 && !error.message.startsWith('import'))
      throw new LibraryError(`import line ${n}: ${error.message}; nothing was imported`, { cause: error });
    throw error;
  }
};

const importLines = async (
  library: Library,
  lines: AsyncIterable<string>,
  next: () => number,
): Promise<ImportCounts> => {
  const counts: ImportCounts = { people: 0, photos: 0, labels: 0, runs: 0 };
  const db = library.db;
  let n = 0;
  for await (const text of lines) {
    n = next();
    if (text.trim() === '') continue;
    if (text.length > MAX_EXPORT_LINE_CHARS)
      throw new LibraryError(`the line is longer than ${MAX_EXPORT_LINE_CHARS} characters`);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (cause) {
      throw new LibraryError('not JSON', { cause });
    }
    const parsed = exportLineSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new LibraryError(issue ? `${issue.path.join('.') || 'line'}: ${issue.message}` : 'invalid');
    }
    const line = parsed.data;
    if (n === 1 && line.type !== 'header')
      throw new LibraryError(`expected a ${LIBRARY_EXPORT_FORMAT} header`);
    switch (line.type) {
      case 'header':
        break;
      case 'person': {
        checkImportedName(line.name, line.named === false);
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
        const faces = [...line.faces].sort((a, b) => a.idx - b.idx).map(decodeFace);
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
                faces,
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
        if (!face) throw new LibraryError('label for a face that is not in the file or the library');
        checkImportedName(line.person, true);
        const person = library.ensurePerson(line.person);
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
  if (n === 0) throw new LibraryError('import: the file is empty; nothing was imported');
  // Cluster numbers are never reused: continue after the highest one imported.
  db.prepare(
    `UPDATE meta SET value = CAST(MAX(CAST(value AS INTEGER), COALESCE((SELECT MAX(cluster_no) FROM people), 0) + 1) AS TEXT)
     WHERE key = 'next_cluster_no'`,
  ).run();
  return counts;
};
