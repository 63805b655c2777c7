import { readFile, stat } from 'node:fs/promises';
import { analysisNamespace } from '../../core/analysis/analysisKey.js';
import { analysisProblem } from '../../core/analysis/analysisProblem.js';
import { ImageError, ImageErrorCode } from '../../core/errors.js';
import { describeFsError } from '../../core/fs/describeFsError.js';
import type { FsPath } from '../../core/fs/pathBytes.js';
import { notRegularFileReason } from '../../core/fs/regularFile.js';
import { analyzeIntoLibrary, type LibraryAnalysis } from '../../core/library/analyzeIntoLibrary.js';
import type { Library, SeenPath } from '../../core/library/Library.js';
import { EMBEDDING_DIM } from '../../core/match/embeddingDim.js';
import { sha256Hex } from '../../core/models/manifest.js';
import type { PhotoAnalyzer } from '../../core/runtime/PhotoAnalyzer.js';

export interface AnalysisContext {
  engine: PhotoAnalyzer;
  library: Library;
  /** Analysis namespace of `engine` (engineNamespace). */
  ns: string;
  /** False with --no-cache: the engine runs on every photo. */
  reuse: boolean;
  maxFileBytes: number;
}

/** The analysis context of a command: its engine and library, and --no-cache (o.cache false). */
export const analysisContextOf = (
  engine: PhotoAnalyzer,
  library: Library,
  o: { cache?: boolean },
): AnalysisContext => ({
  engine,
  library,
  ns: analysisNamespace(engine.modelSetId, engine.config),
  reuse: o.cache !== false,
  maxFileBytes: engine.config.decode.maxFileBytes,
});

export interface FileAt {
  path: FsPath;
  /** The indexed root and the path under it, as the library records them. */
  root: string;
  rel: string;
  rawRel?: Buffer;
}

/** Where and how the library saw `file`: its indexed path, size and modification time. */
export const seenPathOf = (file: FileAt, s: { size: number; mtimeMs: number }): SeenPath => ({
  root: file.root,
  rel: file.rel,
  ...(file.rawRel ? { rawRel: file.rawRel } : {}),
  size: s.size,
  mtimeMs: s.mtimeMs,
});

export interface FileAnalysis extends LibraryAnalysis {
  /** The bytes that were analysed; absent when the library already knew this unchanged file. */
  bytes?: Uint8Array;
  mtime: Date;
  atime: Date;
}

const readFailure = (error: unknown): ImageError => {
  if (error instanceof ImageError) return error;
  if ((error as NodeJS.ErrnoException).code === 'ENOENT')
    return new ImageError(ImageErrorCode.Vanished, 'file disappeared during the run', { cause: error });
  return new ImageError(ImageErrorCode.Unreadable, `cannot read file: ${describeFsError(error)}`, {
    cause: error,
  });
};

/** Reads a photo, translating file-system failures into reasons. */
export const readPhotoBytes = async (path: FsPath): Promise<Uint8Array> => {
  try {
    return await readFile(path);
  } catch (error) {
    throw readFailure(error);
  }
};

/**
 * One file's analysis. An unchanged file the library has seen (same path, size and modification
 * time, analysed with these models) costs a stat and a query: it is not even read. Otherwise the
 * bytes are read, hashed, and analysed unless the library holds that content already. Throws an
 * ImageError with the reason the file cannot be used.
 */
export const analyseFile = async (ctx: AnalysisContext, file: FileAt): Promise<FileAnalysis> => {
  let s: Awaited<ReturnType<typeof stat>>;
  try {
    s = await stat(file.path);
  } catch (error) {
    throw readFailure(error);
  }
  // A FIFO or a device has size 0 (or a fake one) and reading it would hang or never end.
  const notRegular = notRegularFileReason(s);
  if (notRegular) throw new ImageError(ImageErrorCode.NotRegular, notRegular);
  if (s.size === 0) throw new ImageError(ImageErrorCode.Empty, 'empty file (0 bytes)');
  if (s.size > ctx.maxFileBytes)
    throw new ImageError(
      ImageErrorCode.TooLarge,
      `file too large: ${s.size} bytes exceeds ${ctx.maxFileBytes}`,
    );
  const seen = seenPathOf(file, s);
  if (ctx.reuse) {
    const known = ctx.library.findPath(file.root, file.rel);
    if (
      known &&
      known.size === s.size &&
      known.mtimeMs === Math.round(s.mtimeMs) &&
      known.analysisNs === ctx.ns
    ) {
      const hit = ctx.library.analysis(known.sha256, ctx.ns);
      if (hit && !analysisProblem(hit.analysis, EMBEDDING_DIM)) {
        ctx.library.recordPath(hit.photoId, seen);
        return {
          sha256: known.sha256,
          photoId: hit.photoId,
          analysis: hit.analysis,
          faces: hit.faces,
          cached: true,
          mtime: s.mtime,
          atime: s.atime,
        };
      }
    }
  }
  const bytes = await readPhotoBytes(file.path);
  if (bytes.byteLength > ctx.maxFileBytes)
    throw new ImageError(
      ImageErrorCode.TooLarge,
      `file too large: ${bytes.byteLength} bytes exceeds ${ctx.maxFileBytes}`,
    );
  const result = await analyzeIntoLibrary(ctx.engine, ctx.library, ctx.ns, bytes, { reuse: ctx.reuse });
  ctx.library.recordPath(result.photoId, { ...seen, size: bytes.byteLength });
  return { ...result, bytes, mtime: s.mtime, atime: s.atime };
};

/**
 * The bytes to copy for a photo analysed through the fast path: read now and checked against the
 * analysed hash, so a file changed since indexing is never copied under an old decision.
 */
export const bytesMatching = async (
  path: FsPath,
  sha256: string,
  maxBytes: number,
): Promise<Uint8Array | undefined> => {
  const bytes = await readPhotoBytes(path);
  return bytes.byteLength <= maxBytes && sha256Hex(bytes) === sha256 ? bytes : undefined;
};
