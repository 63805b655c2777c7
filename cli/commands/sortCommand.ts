import { Command, Option } from 'commander';
import { LinkKind } from '../../core/fs/placeLink.js';
import { defaultLayout, Layout } from '../../core/report/copyPlan.js';
import type { RunSummary } from '../../core/report/resultLine.js';
import type { PhotoAnalyzer } from '../../core/runtime/PhotoAnalyzer.js';
import { DEFAULT_TEACHER_THRESHOLD } from '../../core/teacher/labels.js';
import { DEFAULT_TEACHER_RATE, parseGrayZone } from '../../core/teacher/TeacherCascade.js';
import { ExifToolSession } from '../../core/xmp/ExifToolSession.js';
import { CommandExit } from '../CommandExit.js';
import { commandLine } from '../commandLine.js';
import { addEngineOptions, createEngine, type EngineCliOptions, openLibrary } from '../engineOptions.js';
import { ExitCode, exitCodeForRun } from '../exitCodes.js';
import { installInterrupt } from '../interrupt.js';
import { loadPeople } from '../people/loadPeople.js';
import { addPeopleOptions, type PeopleCliOptions } from '../people/peopleOptions.js';
import { refreshStaleReferences } from '../people/refreshReferences.js';
import { createProgress } from '../progress.js';
import { prepareSortFolders, runSort } from '../sort/runSort.js';
import {
  formatTeacherUsage,
  parsePositive,
  parseSimilarity,
  type SortTeacherOptions,
  sortTeacher,
} from '../teacher/teacherOptions.js';

interface SortCliOptions extends EngineCliOptions, SortTeacherOptions, PeopleCliOptions {
  out: string;
  layout?: Layout;
  link?: LinkKind;
  dryRun?: boolean;
  report?: string;
  quiet?: boolean;
  json?: boolean;
  compareTags?: boolean;
}

const formatSummary = (summary: RunSummary): string[] => {
  const c = summary.counts;
  const k = summary.copies;
  const people = summary.people
    .map((p) => `${p.name} ${p.photos} (threshold ${p.threshold.toFixed(2)})`)
    .join(', ');
  return [
    `${summary.total} files in ${summary.seconds.toFixed(1)} s (${summary.photosPerSecond.toFixed(1)} files/s)`,
    `found: ${people || 'nobody searched'}`,
    `matched ${c['matched'] ?? 0} (copied ${k['copied'] ?? 0}, already there ${k['already_present'] ?? 0}, ` +
      `conflicts ${k['conflict'] ?? 0}, dry run ${k['dry_run'] ?? 0}, failed ${k['failed'] ?? 0}); ` +
      `no match ${c['no_match'] ?? 0}; no face ${c['no_face'] ?? 0}; skipped ${c['skipped'] ?? 0}; errors ${c['error'] ?? 0}`,
  ];
};

export const sortCommand = (): Command =>
  addPeopleOptions(
    addEngineOptions(
      new Command('sort')
        .description(
          'copy every photo under INPUT_DIR in which the people searched appear to OUT_DIR (OUT_DIR/<path>, or OUT_DIR/<person>/<path> for several people)',
        )
        .argument('<input-dir>', 'folder of photos, scanned recursively (never modified)')
        .requiredOption('--out <dir>', 'destination folder for matching photos')
        .addOption(
          new Option(
            '--layout <layout>',
            'flat: OUT/<path>; by-person: OUT/<person>/<path> (default: by-person for several people)',
          ).choices([Layout.Flat, Layout.ByPerson]),
        )
        .addOption(
          new Option('--link <kind>', 'hard or symbolic links instead of copies').choices([
            LinkKind.Hard,
            LinkKind.Sym,
          ]),
        )
        .option('--dry-run', 'decide and report, copy nothing')
        .option('--report <dir>', 'report folder (default OUT_DIR/.mespotter)')
        .option('--quiet', 'no progress output')
        .option('--json', 'print the run summary as JSON')
        .option(
          '--compare-tags',
          "also read each photo's XMP face tags and record where they disagree with the decision (tagDisagreements in results.jsonl; one exiftool call per photo)",
        )
        .option(
          '--teacher-cascade <lo,hi>',
          'ask Amazon Rekognition about people whose best face scores in [LO, HI] (paid per call; off by default)',
          parseGrayZone,
        )
        .option(
          '--teacher-rate <per-second>',
          'teacher calls per second',
          parsePositive,
          DEFAULT_TEACHER_RATE,
        )
        .option('--teacher-region <region>', 'AWS region for Rekognition (default: the standard chain)')
        .option(
          '--teacher-threshold <similarity>',
          'teacher similarity (0..100) that counts as the person',
          parseSimilarity,
          DEFAULT_TEACHER_THRESHOLD,
        ),
    ),
    { search: true },
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
    let tagSession: ExifToolSession | undefined;
    const library = (() => {
      try {
        return openLibrary(o);
      } catch (error) {
        folders.release();
        interrupt.dispose();
        throw error;
      }
    })();
    try {
      if (o.compareTags) tagSession = ExifToolSession.open();
      engine = await createEngine(o, true);
      const stale = await refreshStaleReferences(library, engine);
      for (const m of stale.missing)
        console.warn(
          `warning: reference photo ${m} was made with other models and is no longer found; re-enrol its person`,
        );
      const people = await loadPeople(library, engine, o, { searchRequired: true });
      const teacher = o.teacherCascade
        ? await sortTeacher(people.galleries, people.searched, o.teacherCascade, o)
        : undefined;
      const { summary, runDir } = await runSort(
        engine,
        {
          input,
          output: o.out,
          library,
          people,
          layout: o.layout ?? defaultLayout(people.searched.length),
          dryRun: Boolean(o.dryRun),
          ...(o.link ? { link: o.link } : {}),
          reuse: o.cache !== false,
          lanes: engine.config.runtime.lanes,
          progress: createProgress(process.stderr, Boolean(o.quiet || o.json)),
          ...(teacher ? { teacher } : {}),
          signal: interrupt.signal,
          command: commandLine(),
          ...(tagSession ? { tagSession } : {}),
        },
        folders,
      );
      if (o.json) console.log(JSON.stringify({ ...summary, runDir }));
      else {
        for (const l of formatSummary(summary)) console.log(l);
        if (summary.teacher) console.log(formatTeacherUsage(summary.teacher));
        console.log(`report: ${runDir}/report.html (results.jsonl, summary.json)`);
      }
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
      library.close();
      await engine?.close();
      await tagSession?.close();
    }
  });
