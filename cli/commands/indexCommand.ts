import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { FolderError } from '../../core/errors.js';
import type { PhotoAnalyzer } from '../../core/runtime/PhotoAnalyzer.js';
import { CommandExit } from '../CommandExit.js';
import { addEngineOptions, createEngine, type EngineCliOptions, openLibrary } from '../engineOptions.js';
import { ExitCode } from '../exitCodes.js';
import { type IndexSummary, indexFolders } from '../index/indexFolders.js';
import { installInterrupt } from '../interrupt.js';
import { analysisContextOf } from '../photos/analyseFile.js';
import { createProgress } from '../progress.js';

interface IndexCliOptions extends EngineCliOptions {
  json?: boolean;
  quiet?: boolean;
}

export const indexCommand = (): Command =>
  addEngineOptions(
    new Command('index')
      .description(
        'analyse every photo under the folders once into the library (resumable; re-runs skip unchanged files)',
      )
      .argument('<dirs...>', 'folders of photos, scanned recursively (never modified)')
      .option('--json', 'print the summary as JSON')
      .option('--quiet', 'no progress output'),
  ).action(async (dirs: string[], o: IndexCliOptions) => {
    const roots = dirs.map((d) => resolve(d));
    for (const r of roots)
      if (!(await stat(r).catch(() => undefined))?.isDirectory())
        throw new FolderError(`folder not found: ${r}`);
    const library = openLibrary(o);
    const interrupt = installInterrupt();
    let engine: PhotoAnalyzer | undefined;
    let sum: IndexSummary;
    try {
      engine = await createEngine(o, true);
      sum = await indexFolders(analysisContextOf(engine, library, o), roots, {
        lanes: engine.config.runtime.lanes,
        progress: createProgress(process.stderr, Boolean(o.quiet || o.json)),
        signal: interrupt.signal,
        onProblem: (path, code, reason) => process.stderr.write(`mespotter: ${path}: ${code}: ${reason}\n`),
      });
    } finally {
      interrupt.dispose();
      library.close();
      await engine?.close();
    }
    if (o.json) console.log(JSON.stringify(sum));
    else {
      console.log(
        `${sum.files} files in ${sum.seconds.toFixed(1)} s (${sum.photosPerSecond.toFixed(1)} files/s): analysed ${sum.analysed}, ` +
          `already in the library ${sum.reused}, ${sum.faces} faces, no face ${sum.noFace}, skipped ${sum.skipped}, errors ${sum.errors}` +
          (sum.missing ? `; ${sum.missing} earlier paths no longer found` : ''),
      );
    }
    if (sum.interrupted) {
      console.error(
        `interrupted: ${sum.files} of ${sum.expected} done; run the same command again to continue`,
      );
      throw new CommandExit(ExitCode.Interrupted);
    }
    if (sum.errors > 0) throw new CommandExit(ExitCode.Incomplete);
  });
