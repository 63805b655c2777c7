import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ImageErrorCode } from '../../core/errors.js';
import { notRegularFileReason } from '../../core/fs/regularFile.js';
import { walkPhotos } from '../sort/walkPhotos.js';
import type { FileAt } from './analyseFile.js';

export type PhotoInput = { shown: string; file: FileAt } | { shown: string; code: string; reason: string };

/**
 * The photos named on the command line: files as given, folders walked (photos only, sorted); each
 * with how the library records it (root + path under it) and how to show it. A missing input or an
 * unreadable folder is an entry with its reason, so the caller reports it and goes on.
 */
export async function* photoInputs(inputs: readonly string[]): AsyncGenerator<PhotoInput> {
  for (const input of inputs) {
    const abs = resolve(input);
    const s = await stat(abs).catch(() => undefined);
    if (!s) {
      yield { shown: input, code: 'not_found', reason: 'not found' };
      continue;
    }
    const notRegular = s.isDirectory() ? undefined : notRegularFileReason(s);
    if (notRegular) {
      yield { shown: input, code: ImageErrorCode.NotRegular, reason: notRegular };
      continue;
    }
    if (!s.isDirectory()) {
      yield { shown: input, file: { path: abs, root: dirname(abs), rel: basename(abs) } };
      continue;
    }
    for await (const e of walkPhotos(abs)) {
      const shown = join(input, e.rel);
      if (e.kind === 'photo')
        yield {
          shown,
          file: { path: e.path, root: abs, rel: e.rel, ...(e.rawRel ? { rawRel: e.rawRel } : {}) },
        };
      else if (e.kind === 'error') yield { shown, code: e.code, reason: e.reason };
    }
  }
}
