import { Command } from 'commander';
import { DEFAULT_THRESHOLD } from '../../core/match/defaults.js';
import type { PhotoAnalyzer } from '../../core/runtime/PhotoAnalyzer.js';
import { DEFAULT_TEACHER_THRESHOLD } from '../../core/teacher/labels.js';
import { DEFAULT_TEACHER_RATE, parseGrayZone } from '../../core/teacher/TeacherCascade.js';
import { CommandExit } from '../CommandExit.js';
import { commandLine } from '../commandLine.js';
import {
  addEngineOptions,
  createCache,
  createEngine,
  type EngineCliOptions,
  parseThreshold,
} from '../engineOptions.js';
import { ExitCode, exitCodeForRun } from '../exitCodes.js';
import { readGallery } from '../galleryStore.js';
import { installInterrupt } from '../interrupt.js';
import { createProgress } from '../progress.js';
import { prepareSortFolders, runSort } from '../sort/runSort.js';
import {
  formatTeacherUsage,
  parsePositive,
  parseSimilarity,
  type SortTeacherOptions,
  sortTeacher,
} from '../teacher/teacherOptions.js';

interface SortCliOptions extends EngineCliOptions, SortTeacherOptions {
  person: string;
  gallery: string;
  out: string;
  threshold?: number;
  dryRun?: boolean;
  report?: string;
  quiet?: boolean;
}

export const sortCommand = (): Command =>
  addEngineOptions(
    new Command('sort')
      .description(
        'copy every photo under INPUT_DIR in which the person appears to OUT_DIR/<same relative path>',
      )
      .argument('<input-dir>', 'folder of photos, scanned recursively (never modified)')
      .requiredOption('--person <name>', 'person to look for (enrolled with "mespotter enroll")')
      .requiredOption('--gallery <dir>', 'folder holding the galleries')
      .requiredOption('--out <dir>', 'destination folder for matching photos')
      .option(
        '--threshold <t>',
        "similarity needed for a match (default: the gallery's, else calibrated default)",
        parseThreshold,
      )
      .option('--dry-run', 'decide and report, copy nothing')
      .option('--report <dir>', 'report folder (default OUT_DIR/.mespotter)')
      .option('--quiet', 'no progress output')
      .option(
        '--teacher-cascade <lo,hi>',
        'ask Amazon Rekognition about photos whose best face scores in [LO, HI] (paid per call; off by default)',
        parseGrayZone,
      )
      .option('--teacher-rate <per-second>', 'teacher calls per second', parsePositive, DEFAULT_TEACHER_RATE)
      .option('--teacher-region <region>', 'AWS region for Rekognition (default: the standard chain)')
      .option(
        '--teacher-threshold <similarity>',
        'teacher similarity (0..100) that counts as the person',
        parseSimilarity,
        DEFAULT_TEACHER_THRESHOLD,
      ),
  ).action(async (input: string, o: SortCliOptions) => {
    const interrupt = installInterrupt();
    const folders = await prepareSortFolders({
      input,
      output: o.out,
      ...(o.report ? { reportDir: o.report } : {}),
      dryRun: Boolean(o.dryRun),
      command: commandLine(),
    }).catch((error: unknown) => {
      interrupt.dispose();
      throw error;
    });
    interrupt.onHardExit(() => folders.release());
    let engine: PhotoAnalyzer | undefined;
    try {
      engine = await createEngine(o, true);
      const gallery = await readGallery(o.gallery, o.person, engine.modelSetId);
      const threshold = o.threshold ?? gallery.threshold ?? DEFAULT_THRESHOLD;
      const teacher = o.teacherCascade ? await sortTeacher(gallery, o.teacherCascade, o) : undefined;
      const { summary, runDir } = await runSort(
        engine,
        {
          input,
          output: o.out,
          gallery,
          threshold,
          dryRun: Boolean(o.dryRun),
          ...(o.report ? { reportDir: o.report } : {}),
          index: createCache(engine, o),
          lanes: engine.config.runtime.lanes,
          progress: createProgress(process.stderr, Boolean(o.quiet)),
          ...(teacher ? { teacher } : {}),
          signal: interrupt.signal,
        },
        folders,
      );
      const c = summary.counts;
      const k = summary.copies;
      console.log(
        `${summary.total} files in ${summary.seconds.toFixed(1)} s (${summary.photosPerSecond.toFixed(1)} files/s), threshold ${threshold}`,
      );
      console.log(
        `matched ${c['matched'] ?? 0} (copied ${k['copied'] ?? 0}, already there ${k['already_present'] ?? 0}, ` +
          `conflicts ${k['conflict'] ?? 0}, dry run ${k['dry_run'] ?? 0}, failed ${k['failed'] ?? 0}); ` +
          `no match ${c['no_match'] ?? 0}; no face ${c['no_face'] ?? 0}; skipped ${c['skipped'] ?? 0}; errors ${c['error'] ?? 0}`,
      );
      if (summary.teacher) console.log(formatTeacherUsage(summary.teacher));
      console.log(`report: ${runDir}/report.html (results.jsonl, summary.json)`);
      const exit = exitCodeForRun(summary);
      if (exit === ExitCode.Interrupted) {
        console.error(
          `interrupted: ${summary.total} of ${summary.expected ?? summary.total} done; run the same command again to continue`,
        );
      }
      if (exit !== ExitCode.Ok) throw new CommandExit(exit);
    } finally {
      folders.release();
      interrupt.dispose();
      await engine?.close();
    }
  });
