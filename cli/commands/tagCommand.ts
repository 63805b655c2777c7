import { Command, Option } from 'commander';
import { ConfigError } from '../../core/errors.js';
import type { PhotoAnalyzer } from '../../core/runtime/PhotoAnalyzer.js';
import { strictNumber } from '../../core/util/strictNumber.js';
import { ExifToolSession } from '../../core/xmp/ExifToolSession.js';
import { SidecarName } from '../../core/xmp/sidecarPath.js';
import { checkKeywordRoot, TagMode } from '../../core/xmp/writeFaceTags.js';
import { CommandExit } from '../CommandExit.js';
import { addEngineOptions, createEngine, type EngineCliOptions, openLibrary } from '../engineOptions.js';
import { ExitCode } from '../exitCodes.js';
import { installInterrupt } from '../interrupt.js';
import { loadPeople } from '../people/loadPeople.js';
import { addPeopleOptions, type PeopleCliOptions } from '../people/peopleOptions.js';
import { refreshStaleReferences } from '../people/refreshReferences.js';
import { analysisContextOf } from '../photos/analyseFile.js';
import { runTag } from '../tag/runTag.js';
import { describeTagged, formatTagSummary } from '../tag/TagSummary.js';
import { TagStatus } from '../tag/tagPhoto.js';

interface TagCliOptions extends EngineCliOptions, PeopleCliOptions {
  sidecar?: boolean;
  inPlace?: boolean;
  sidecarName?: SidecarName;
  keywordRoot: string;
  unknownRegions?: boolean;
  /** false with --no-backup. */
  backup: boolean;
  minScore?: number;
  dryRun?: boolean;
  json?: boolean;
}

const parseMinScore = (v: string): number => {
  const n = strictNumber(v);
  if (n === undefined || n < -1 || n > 1) throw new ConfigError(`--min-score must be in -1..1, got "${v}"`);
  return n;
};

export const tagCommand = (): Command =>
  addPeopleOptions(
    addEngineOptions(
      new Command('tag')
        .description(
          'write the people found into XMP face tags other photo software reads (MWG and Microsoft regions, PersonInImage, keywords): a sidecar next to each photo, or the photo itself with --in-place (see docs/tags.md)',
        )
        .argument('<inputs...>', 'photos or folders of photos (scanned recursively)')
        .option('--sidecar', 'write photo.xmp next to each photo; the photo is never modified (default)')
        .option(
          '--in-place',
          "edit the photo's embedded XMP (JPEG, PNG, TIFF, WebP; pixels untouched, backup photo.jpg_original)",
        )
        .addOption(
          new Option('--sidecar-name <name>', 'sidecar naming (default photo.xmp)').choices([
            SidecarName.Stem,
            SidecarName.Full,
          ]),
        )
        .option(
          '--keyword-root <root>',
          "keyword hierarchy root ('' for bare names): People|Alice",
          // Checked once here: a bad root is exit 2 before any photo, not a failure on each.
          checkKeywordRoot,
          'People',
        )
        .option('--unknown-regions', 'also write an unnamed region for every face with no name')
        .option('--no-backup', 'with --in-place: keep no photo.jpg_original backup')
        .option(
          '--min-score <s>',
          "name a face found automatically only when it scores at least S (stricter than the person's threshold; human decisions always count)",
          parseMinScore,
        )
        .option('--dry-run', 'decide and report what would be written; write nothing')
        .option('--json', 'one JSON line per photo, then {"summary": …}'),
    ),
    { search: true },
  ).action(async (inputs: string[], o: TagCliOptions) => {
    if (o.sidecar && o.inPlace) throw new ConfigError('say either --sidecar or --in-place, not both');
    if (o.inPlace && o.sidecarName)
      throw new ConfigError('--sidecar-name applies to sidecars, not --in-place');
    if (!o.inPlace && !o.backup) throw new ConfigError('--no-backup applies to --in-place only');
    const interrupt = installInterrupt();
    let library: ReturnType<typeof openLibrary> | undefined;
    let session: ExifToolSession | undefined;
    let engine: PhotoAnalyzer | undefined;
    let failed = 0;
    let interrupted = false;
    try {
      library = openLibrary(o);
      // Before the models load: a missing perl is told at once.
      session = ExifToolSession.open();
      engine = await createEngine(o, true);
      await refreshStaleReferences(library, engine);
      const people = await loadPeople(library, engine, o, { searchRequired: true });
      const summary = await runTag(
        {
          ...analysisContextOf(engine, library, o),
          session,
          people,
          selection: {
            searched: new Set(people.searched),
            ...(o.minScore !== undefined ? { minScore: o.minScore } : {}),
            unknownRegions: Boolean(o.unknownRegions),
          },
          write: {
            mode: o.inPlace ? TagMode.InPlace : TagMode.Sidecar,
            ...(o.sidecarName ? { sidecarName: o.sidecarName } : {}),
            keywordRoot: o.keywordRoot,
            unknownRegions: Boolean(o.unknownRegions),
            backup: o.backup,
            dryRun: Boolean(o.dryRun),
          },
        },
        inputs,
        {
          lanes: engine.config.runtime.lanes,
          signal: interrupt.signal,
          onPhoto: (p) => {
            if (o.json) console.log(JSON.stringify(p));
            else if (p.status === TagStatus.Failed) process.stderr.write(`mespotter: ${describeTagged(p)}\n`);
            else if (p.status !== TagStatus.NothingToTag) console.log(describeTagged(p));
            if (!o.json) for (const w of p.warnings) console.warn(`warning: ${p.path}: ${w.message}`);
          },
        },
      );
      failed = summary.counts.failed;
      interrupted = summary.interrupted;
      if (o.json) console.log(JSON.stringify({ summary }));
      else for (const line of formatTagSummary(summary, Boolean(o.dryRun))) console.log(line);
    } finally {
      interrupt.dispose();
      library?.close();
      await engine?.close();
      await session?.close();
    }
    if (interrupted) {
      console.error('interrupted; run the same command again to continue');
      throw new CommandExit(ExitCode.Interrupted);
    }
    if (failed > 0) throw new CommandExit(ExitCode.Incomplete);
  });
