import { lstat, mkdir, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { Command, Option } from 'commander';
import { FolderError, MespotterError } from '../../core/errors.js';
import { describeFsError } from '../../core/fs/describeFsError.js';
import { FolderLock } from '../../core/fs/FolderLock.js';
import { markOutputFolder } from '../../core/fs/mespotterFolder.js';
import { LinkKind } from '../../core/fs/placeLink.js';
import { removeStaleTemps } from '../../core/fs/removeStaleTemps.js';
import { clusterLibrary, type LibraryClusterResult } from '../../core/library/clusterLibrary.js';
import { LabelSource } from '../../core/library/LabelSource.js';
import type { Library } from '../../core/library/Library.js';
import { LibraryEdits } from '../../core/library/LibraryEdits.js';
import { CopyOutcome, FAILED_COPY_OUTCOMES } from '../../core/report/resultLine.js';
import type { PhotoAnalyzer } from '../../core/runtime/PhotoAnalyzer.js';
import { CommandExit } from '../CommandExit.js';
import { clusterFaceRows, clusterJsonLine } from '../cluster/clusterFaceRows.js';
import { clusterListing } from '../cluster/clusterListing.js';
import { parseFaceIds, resolvePerson } from '../cluster/resolvePerson.js';
import { writeClusterFolders } from '../cluster/writeClusterFolders.js';
import { commandLine } from '../commandLine.js';
import {
  addEngineOptions,
  createEngine,
  type EngineCliOptions,
  engineIdentity,
  engineNamespace,
  openLibrary,
} from '../engineOptions.js';
import { ExitCode } from '../exitCodes.js';
import { type IndexSummary, indexFolders } from '../index/indexFolders.js';
import { installInterrupt } from '../interrupt.js';
import { createProgress } from '../progress.js';
import { newRunId } from '../report/ReportFolder.js';

interface ClusterCliOptions extends EngineCliOptions {
  out?: string;
  link?: LinkKind;
  json?: boolean;
  quiet?: boolean;
}

const LIBRARY_HELP = 'people library (default $MESPOTTER_LIBRARY, else ~/.local/share/mespotter/library.db)';

const isInside = (child: string, parent: string): boolean => {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
};

/** OUT checked, created and locked before anything is analysed; a second run into it is refused. */
const prepareOut = async (out: string, roots: readonly string[]): Promise<FolderLock> => {
  for (const r of roots)
    if (isInside(out, r))
      throw new FolderError(
        `the output folder ${out} is inside ${r}, which is being indexed; choose one outside`,
      );
  const s = await lstat(out).catch(() => undefined);
  if (s && !s.isDirectory() && !(await stat(out).catch(() => undefined))?.isDirectory())
    throw new FolderError(`output path ${out} exists and is not a folder`);
  try {
    await mkdir(out, { recursive: true });
  } catch (error) {
    throw new FolderError(`cannot create the output folder ${out}: ${describeFsError(error)}`, {
      cause: error,
    });
  }
  let lock: FolderLock;
  try {
    lock = await FolderLock.acquire(out, commandLine());
  } catch (error) {
    if (error instanceof MespotterError) throw error;
    throw new FolderError(`cannot write to ${out}: ${describeFsError(error)}`, { cause: error });
  }
  // With the lock held, any temporary under OUT is a killed run's leftover.
  await removeStaleTemps(out);
  try {
    await markOutputFolder(out, commandLine());
  } catch (error) {
    lock.release();
    throw new FolderError(`cannot write to ${out}: ${describeFsError(error)}`, { cause: error });
  }
  return lock;
};

const describeRun = (r: LibraryClusterResult): string => {
  const created = r.created.length
    ? `${r.created.length} new cluster(s) (${r.created.slice(0, 8).join(', ')}${r.created.length > 8 ? ', …' : ''})`
    : 'no new cluster';
  return (
    `clustered ${r.considered} of ${r.faces} faces in ${r.seconds.toFixed(1)} s (the rest are enrolled people's): ` +
    `${created}, ${r.joinedExisting} added to the ${r.existing} existing, ${r.unknown} unknown ` +
    `(${r.lowQuality} too small, blurred or turned to start a cluster)`
  );
};

/**
 * The --library (and --json) of a subcommand: given after it (`cluster name A B --library L`)
 * commander hands it to the parent `cluster`, which has the option too, so both are read.
 */
const libraryOf = (cmd: Command): { library?: string } => {
  const library = (cmd.optsWithGlobals() as { library?: string }).library;
  return library ? { library } : {};
};

/** Runs a library edit and prints what it did; an edit error is one line and exit 2. */
const withEdits = async (
  o: { library?: string },
  fn: (library: Library, edits: LibraryEdits) => string,
): Promise<void> => {
  const library = openLibrary(o);
  try {
    console.log(fn(library, new LibraryEdits(library)));
  } finally {
    library.close();
  }
};

const nameCommand = (): Command =>
  new Command('name')
    .description('name a cluster: it becomes a person (the name of someone enrolled merges it into them)')
    .argument('<cluster>', 'the cluster (person-0003, or 3) or person to name')
    .argument('<name>', 'the person’s name')
    .option('--confirm', 'its faces become confirmed references of the person (default: automatic members)')
    .option('--library <path>', LIBRARY_HELP)
    .action(async (ref: string, name: string, o: { confirm?: boolean }, cmd: Command) =>
      withEdits(libraryOf(cmd), (library, edits) => {
        const r = edits.nameCluster(resolvePerson(library, ref).id, name, {
          confirm: Boolean(o.confirm),
          source: LabelSource.Cli,
        });
        return `${r.action.summary} (undo: mespotter undo)`;
      }),
    );

const mergeCommand = (): Command =>
  new Command('merge')
    .description('merge clusters or people into the first (one person found twice)')
    .argument('<into>', 'the cluster or person to keep')
    .argument('<from...>', 'the clusters or people to merge into it')
    .option('--library <path>', LIBRARY_HELP)
    .action(async (into: string, from: string[], _o: unknown, cmd: Command) =>
      withEdits(libraryOf(cmd), (library, edits) => {
        const r = edits.merge(
          resolvePerson(library, into).id,
          from.map((f) => resolvePerson(library, f).id),
          { source: LabelSource.Cli },
        );
        return `${r.action.summary} (undo: mespotter undo)`;
      }),
    );

const splitCommand = (): Command =>
  new Command('split')
    .description('move some faces of a cluster or person to a new cluster (or to --name); they never go back')
    .argument('<cluster>', 'the cluster or person to split')
    .requiredOption(
      '--faces <ids>',
      'face ids to move, comma-separated (see "mespotter cluster show")',
      parseFaceIds,
    )
    .option('--name <name>', 'give the faces to this person instead of a new unnamed cluster')
    .option('--library <path>', LIBRARY_HELP)
    .action(async (ref: string, o: { faces: number[]; name?: string }, cmd: Command) =>
      withEdits(libraryOf(cmd), (library, edits) => {
        const r = edits.split(resolvePerson(library, ref).id, o.faces, {
          ...(o.name !== undefined ? { name: o.name } : {}),
          source: LabelSource.Cli,
        });
        return `${r.action.summary} (undo: mespotter undo)`;
      }),
    );

const listCommand = (): Command =>
  new Command('list')
    .description('the clusters and people with their numbers of faces and photos')
    .option('--json', 'one JSON line per cluster or person')
    .option('--library <path>', LIBRARY_HELP)
    .action(async (_o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals() as { json?: boolean };
      const library = openLibrary(libraryOf(cmd), true);
      try {
        const rows = clusterListing(library);
        if (o.json) for (const r of rows) console.log(JSON.stringify(r));
        else if (rows.length === 0) console.log('no clusters yet; run "mespotter cluster [DIR…]"');
        else
          for (const r of rows)
            console.log(
              `${r.name}${r.named && r.cluster !== null ? ` (cluster ${r.cluster})` : ''}: ${r.faces} face(s) in ${r.photos} photo(s)`,
            );
      } finally {
        library.close();
      }
    });

const showCommand = (): Command =>
  new Command('show')
    .description('the faces of a cluster or person: face id, photo, box (face ids are what split takes)')
    .argument('<cluster>', 'the cluster or person')
    .option('--json', 'one JSON line per face')
    .option('--library <path>', LIBRARY_HELP)
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals() as { json?: boolean };
      const library = openLibrary(libraryOf(cmd), true);
      try {
        const person = resolvePerson(library, ref);
        const edits = new LibraryEdits(library);
        const owners = edits.ownersOf(edits.membersOf(person.id));
        for (const [faceId, owner] of owners) {
          const face = library.face(faceId)!;
          const path = library.pathsOf(face.photoId)[0];
          const shown = path ? join(path.root, path.rel) : '(no known path)';
          const missing = path?.missingSince ? ' (missing)' : '';
          const box = { x1: face.box.x1, y1: face.box.y1, x2: face.box.x2, y2: face.box.y2 };
          if (o.json)
            console.log(
              JSON.stringify({ face: faceId, path: shown, box, via: owner.via, quality: face.quality }),
            );
          else
            console.log(
              `face ${faceId}: ${shown}${missing} at ${Math.round(box.x1)},${Math.round(box.y1)} ` +
                `${Math.round(box.x2 - box.x1)}x${Math.round(box.y2 - box.y1)} (${owner.via})`,
            );
        }
      } finally {
        library.close();
      }
    });

export const clusterCommand = (): Command =>
  addEngineOptions(
    new Command('cluster')
      .description(
        'group the faces nobody enrolled is in into people (person-0001, …); with DIRs, index them first; ' +
          'with --out, a folder of photos per cluster',
      )
      .argument('[dirs...]', 'folders of photos to index first (never modified); none: the library as it is')
      .option(
        '--out <dir>',
        'write OUT/<cluster>/<path> for the photos of every cluster (named people by name)',
      )
      .addOption(
        new Option('--link <kind>', 'with --out: hard or symbolic links instead of copies').choices([
          LinkKind.Hard,
          LinkKind.Sym,
        ]),
      )
      .option('--json', 'one JSON line per face: {"path","box","cluster","face"}')
      .option('--quiet', 'no progress output'),
  )
    .addCommand(nameCommand())
    .addCommand(mergeCommand())
    .addCommand(splitCommand())
    .addCommand(listCommand())
    .addCommand(showCommand())
    .action(async (dirs: string[], o: ClusterCliOptions) => {
      const roots = dirs.map((d) => resolve(d));
      for (const r of roots)
        if (!(await stat(r).catch(() => undefined))?.isDirectory())
          throw new FolderError(`folder not found: ${r}`);
      const out = o.out ? resolve(o.out) : undefined;
      const lock = out ? await prepareOut(out, roots) : undefined;
      const interrupt = installInterrupt();
      if (lock) interrupt.onHardExit(() => lock.release());
      let library: Library | undefined;
      let engine: PhotoAnalyzer | undefined;
      let indexed: IndexSummary | undefined;
      let exit: ExitCode = ExitCode.Ok;
      try {
        library = openLibrary(o);
        let ns: string;
        let maxFileBytes: number;
        if (roots.length) {
          engine = await createEngine(o, true);
          ns = engineNamespace(engine);
          maxFileBytes = engine.config.decode.maxFileBytes;
          indexed = await indexFolders(
            { engine, library, ns, reuse: o.cache !== false, maxFileBytes },
            roots,
            {
              lanes: engine.config.runtime.lanes,
              progress: createProgress(process.stderr, Boolean(o.quiet || o.json)),
              signal: interrupt.signal,
              onProblem: (path, code, reason) =>
                process.stderr.write(`mespotter: ${path}: ${code}: ${reason}\n`),
            },
          );
          await engine.close();
          engine = undefined;
          if (indexed.errors > 0) exit = ExitCode.Incomplete;
          if (indexed.interrupted) {
            console.error(
              `interrupted: indexed ${indexed.files} of ${indexed.expected} files; run the same command again to continue`,
            );
            throw new CommandExit(ExitCode.Interrupted);
          }
        } else {
          const identity = await engineIdentity(o);
          ns = engineNamespace(identity);
          maxFileBytes = identity.config.decode.maxFileBytes;
        }

        const result = clusterLibrary(library, ns, { runKey: newRunId(), command: commandLine() });
        const rows = clusterFaceRows(library, ns, roots);
        if (o.json) for (const r of rows) console.log(clusterJsonLine(r));
        else {
          if (indexed)
            console.log(
              `indexed ${indexed.files} files (analysed ${indexed.analysed}, already in the library ${indexed.reused}, ` +
                `${indexed.faces} faces, errors ${indexed.errors})`,
            );
          console.log(describeRun(result));
        }
        if (out) {
          const placed = await writeClusterFolders(rows, out, {
            ...(o.link ? { link: o.link } : {}),
            maxFileBytes,
            onCopy: (c) => {
              if (FAILED_COPY_OUTCOMES.has(c.outcome))
                process.stderr.write(
                  `mespotter: ${c.path}: ${c.outcome}: ${c.reason ?? ''}${c.destination ? ` (${c.destination})` : ''}\n`,
                );
            },
          });
          const n = (k: CopyOutcome): number => placed.counts[k] ?? 0;
          const line =
            `${out}: ${placed.folders} folder(s); copied ${n(CopyOutcome.Copied)}, already there ${n(CopyOutcome.AlreadyPresent)}, ` +
            `conflicts ${n(CopyOutcome.Conflict)}, failed ${n(CopyOutcome.Failed)}`;
          if (o.json) process.stderr.write(`${line}\n`);
          else console.log(line);
          if (n(CopyOutcome.Conflict) + n(CopyOutcome.Failed) > 0) exit = ExitCode.Incomplete;
        }
      } finally {
        interrupt.dispose();
        lock?.release();
        library?.close();
        await engine?.close();
      }
      if (exit !== ExitCode.Ok) throw new CommandExit(exit);
    });
