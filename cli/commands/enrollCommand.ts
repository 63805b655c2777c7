import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { Command } from 'commander';
import pLimit from 'p-limit';
import { ConfigError, GalleryError, MespotterError } from '../../core/errors.js';
import { describeFsError } from '../../core/fs/describeFsError.js';
import { mespotterFolderAt } from '../../core/fs/mespotterFolder.js';
import { galleryOfPerson } from '../../core/library/galleryOfPerson.js';
import type { Library } from '../../core/library/Library.js';
import { type EnrolRequest, LibraryEdits } from '../../core/library/LibraryEdits.js';
import { chooseReferenceFace } from '../../core/match/chooseReferenceFace.js';
import { DEFAULT_MIN_AGREEMENT } from '../../core/match/defaults.js';
import { buildGallery, type ReferenceCandidate, type RejectedReference } from '../../core/match/gallery.js';
import { personNameProblem } from '../../core/match/personName.js';
import type { PhotoAnalyzer } from '../../core/runtime/PhotoAnalyzer.js';
import { strictNumber } from '../../core/util/strictNumber.js';
import { CommandExit } from '../CommandExit.js';
import {
  addEngineOptions,
  createEngine,
  type EngineCliOptions,
  engineNamespace,
  openLibrary,
} from '../engineOptions.js';
import { ExitCode } from '../exitCodes.js';
import { validatePerson, writeGallery } from '../galleryStore.js';
import { installInterrupt } from '../interrupt.js';
import { analyseFile, analysisContextOf } from '../photos/analyseFile.js';
import { walkPhotos } from '../sort/walkPhotos.js';
import { enrollFromTags } from '../tag/enrollFromTags.js';

interface EnrollCliOptions extends EngineCliOptions {
  /** One name; several only with --from-tags (a filter there). */
  person: string[];
  fromTags?: string;
  folders?: string;
  face?: number;
  add?: boolean;
  force?: boolean;
  gallery?: string;
  json?: boolean;
}

interface ReferenceFile {
  /** Absolute path, and how the library records it (root + path under it). */
  path: string;
  root: string;
  rel: string;
}

interface EnrolOutcome {
  person: string;
  accepted: string[];
  rejected: RejectedReference[];
  warnings: string[];
  /** Earlier enrolled references that the new ones replaced. */
  replaced?: number;
  /** Reference faces taken from other people (--force). */
  taken?: { from: string; faces: number }[];
  gallery?: string;
  error?: string;
  /** Ctrl-C came before all of this person's photos were read: nothing of theirs was changed. */
  interrupted?: boolean;
}

/** A person whose references were chosen, ready to be written (with the others, all at once). */
interface EnrolPlan {
  outcome: EnrolOutcome;
  request?: EnrolRequest;
}

const posix = (p: string): string => p.split(sep).join('/');

const collectNames = (value: string, previous: string[]): string[] => [...previous, value];

const parseFaceIndex = (v: string): number => {
  const n = strictNumber(v);
  if (n === undefined || !Number.isInteger(n) || n < 0)
    throw new ConfigError(`--face expects 0, 1, 2…; got "${v}"`);
  return n;
};

/** Expands folders to the photos in them, keeping the user's order for files named directly. */
const expandInputs = async (inputs: readonly string[]): Promise<ReferenceFile[]> => {
  const files: ReferenceFile[] = [];
  for (const input of inputs) {
    const abs = resolve(input);
    const s = await stat(abs).catch(() => undefined);
    if (!s) throw new MespotterError('input_error', `reference not found: ${input}`);
    if (s.isDirectory()) {
      for await (const e of walkPhotos(abs))
        if (e.kind === 'photo' && typeof e.path === 'string')
          files.push({ path: e.path, root: abs, rel: e.rel });
    } else {
      files.push({ path: abs, root: dirname(abs), rel: basename(abs) });
    }
  }
  return files;
};

/** `--folders ROOT`: every subfolder is a person named after it (face_recognition's known/ layout). */
const personFolders = async (root: string): Promise<{ person: string; files: ReferenceFile[] }[]> => {
  const abs = resolve(root);
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(abs, { withFileTypes: true });
  } catch (error) {
    throw new ConfigError(`cannot read --folders ${root}: ${describeFsError(error)}`, { cause: error });
  }
  const people: { person: string; files: ReferenceFile[] }[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!e.isDirectory()) continue;
    const mine = await mespotterFolderAt(join(abs, e.name));
    if (mine) {
      console.warn(`warning: skipped folder "${e.name}": ${mine}, not a person's photos`);
      continue;
    }
    const problem = personNameProblem(e.name);
    if (problem) {
      console.warn(`warning: skipped folder "${e.name}": ${problem}`);
      continue;
    }
    const files: ReferenceFile[] = [];
    for await (const w of walkPhotos(join(abs, e.name)))
      if (w.kind === 'photo' && typeof w.path === 'string')
        files.push({ path: w.path, root: abs, rel: posix(relative(abs, w.path)) });
    people.push({ person: e.name, files });
  }
  if (people.length === 0) throw new ConfigError(`--folders ${root} has no person subfolders`);
  return people;
};

/** Analyses one reference (through the library) and picks its face, or says why it cannot be used. */
const referenceOf = async (
  engine: PhotoAnalyzer,
  library: Library,
  file: ReferenceFile,
  o: EnrollCliOptions,
): Promise<{ candidate: ReferenceCandidate; faceId: number } | RejectedReference> => {
  try {
    const fa = await analyseFile(analysisContextOf(engine, library, o), file);
    const choice = chooseReferenceFace(fa.analysis.faces, o.face);
    if (!choice.ok) {
      const listed = choice.faces
        .map(
          (f) => `face ${f.index}: ${f.height} px tall at (${Math.round(f.box.x1)}, ${Math.round(f.box.y1)})`,
        )
        .join('; ');
      return { source: file.path, reason: listed ? `${choice.reason} [${listed}]` : choice.reason };
    }
    return {
      candidate: { source: file.path, sha256: fa.sha256, face: choice.face },
      faceId: fa.faces[choice.index]!.id,
    };
  } catch (error) {
    return { source: file.path, reason: describeFsError(error) };
  }
};

/**
 * Chooses one person's references from their files: analyse, pick faces, check agreement. Writes
 * no label: the plans are enrolled together afterwards. After Ctrl-C no new photo is started.
 */
const planOne = async (
  engine: PhotoAnalyzer,
  library: Library,
  person: string,
  files: readonly ReferenceFile[],
  o: EnrollCliOptions,
  limit: ReturnType<typeof pLimit>,
  signal: AbortSignal,
): Promise<EnrolPlan> => {
  const results = await Promise.all(
    files.map((f) => limit(() => (signal.aborted ? undefined : referenceOf(engine, library, f, o)))),
  );
  if (results.some((r) => r === undefined))
    return {
      outcome: {
        person,
        accepted: [],
        rejected: [],
        warnings: [],
        error: 'interrupted before all their photos were read',
        interrupted: true,
      },
    };
  const candidates: ReferenceCandidate[] = [];
  const faceIds = new Map<ReferenceCandidate, number>();
  const rejected: RejectedReference[] = [];
  for (const r of results) {
    if (r === undefined) continue;
    if ('candidate' in r) {
      candidates.push(r.candidate);
      faceIds.set(r.candidate, r.faceId);
    } else rejected.push(r);
  }
  if (o.add) {
    // The references already enrolled take part in the agreement check with the new ones.
    const existing = library.person(person);
    for (const ref of existing ? library.references(existing.id, engineNamespace(engine)) : []) {
      if (ref.kind !== 'enrolled') continue;
      const c = { source: ref.source ?? ref.sha256, sha256: ref.sha256, face: ref.face };
      candidates.push(c);
      faceIds.set(c, ref.face.id);
    }
  }
  if (candidates.length === 0) {
    return {
      outcome: {
        person,
        accepted: [],
        rejected,
        warnings: [],
        error: 'no usable face in any reference photo',
      },
    };
  }
  let built: ReturnType<typeof buildGallery>;
  try {
    built = buildGallery(person, engine.modelSetId, candidates, rejected, {
      minAgreement: DEFAULT_MIN_AGREEMENT,
    });
  } catch (error) {
    if (error instanceof GalleryError)
      return { outcome: { person, accepted: [], rejected, warnings: [], error: error.message } };
    throw error;
  }
  const accepted = candidates.filter((c) =>
    built.gallery.references.some((r) => r.source === c.source && r.sha256 === c.sha256),
  );
  return {
    outcome: {
      person,
      accepted: accepted.map((c) => c.source),
      rejected: built.gallery.rejected,
      warnings: built.warnings,
    },
    request: { name: person, faces: accepted.map((c) => ({ faceId: faceIds.get(c)!, source: c.source })) },
  };
};

const printOutcome = (r: EnrolOutcome): void => {
  if (r.error) console.log(`not enrolled ${r.person}: ${r.error}`);
  else {
    const replaced = r.replaced
      ? `; replaces ${r.replaced} earlier reference(s) of ${r.person} (undo: mespotter undo)`
      : '';
    const taken = (r.taken ?? []).map((t) => `; took ${t.faces} reference(s) from ${t.from}`).join('');
    console.log(
      `enrolled ${r.person}: ${r.accepted.length} reference(s)${replaced}${taken}${r.gallery ? ` → ${r.gallery}` : ''}`,
    );
  }
  for (const x of r.rejected) {
    console.log(
      `  rejected ${x.source}: ${x.reason}${x.agreement !== undefined ? ` (agreement ${x.agreement.toFixed(2)})` : ''}`,
    );
  }
  for (const w of r.warnings) console.warn(`warning: ${r.person}: ${w}`);
};

export const enrollCommand = (): Command =>
  addEngineOptions(
    new Command('enroll')
      .description(
        'enrol a person from reference photos (replacing their earlier references; undoable), or everyone in --folders ROOT (a folder per person)',
      )
      .argument('[photos...]', 'reference photos or folders of them; one face per photo')
      .option(
        '--person <name>',
        'name of the person (with --from-tags: only these names, repeatable)',
        collectNames,
        [],
      )
      .option(
        '--from-tags <dir>',
        'enrol the people named in the XMP face regions of the photos under DIR and their sidecars (digiKam, Lightroom, Picasa, Windows Photos) as imported references',
      )
      .option('--folders <root>', 'enrol every subfolder of ROOT as a person named after the folder')
      .option(
        '--face <n>',
        'in a group photo, the face to use (0-based, as listed when it is refused)',
        parseFaceIndex,
      )
      .option('--add', 'add these references to the ones already enrolled instead of replacing them')
      .option(
        '--force',
        'take faces that are already another person’s references (refused without it); undo gives them back',
      )
      .option('--gallery <dir>', 'also write DIR/<person>.gallery.json (for the cloud, or sort --gallery)')
      .option('--json', 'print the outcome as JSON'),
  ).action(async (inputs: string[], o: EnrollCliOptions) => {
    if (o.fromTags) {
      if (inputs.length > 0 || o.folders || o.face !== undefined || o.add)
        throw new ConfigError('--from-tags DIR takes no photo arguments, --folders, --face or --add');
      return enrollFromTags(o.fromTags, o);
    }
    if (o.person.length > 1) throw new ConfigError('say one --person NAME (several only with --from-tags)');
    const person = o.person[0];
    if (Boolean(o.folders) === Boolean(person))
      throw new ConfigError('say either --person NAME with reference photos, or --folders ROOT');
    if (person) validatePerson(person);
    const jobs = o.folders
      ? await personFolders(o.folders)
      : [{ person: person!, files: await expandInputs(inputs) }];
    if (o.folders && inputs.length > 0) throw new ConfigError('--folders takes no photo arguments');
    if (o.face !== undefined && (jobs.length !== 1 || jobs[0]!.files.length !== 1))
      throw new ConfigError('--face N picks a face in one photo: give exactly one reference photo');
    if (jobs.every((j) => j.files.length === 0))
      throw new MespotterError('input_error', 'no reference photos found');
    const library = openLibrary(o);
    const many = jobs.reduce((n, j) => n + j.files.length, 0) > 1;
    let engine: PhotoAnalyzer | undefined;
    const interrupt = installInterrupt();
    let enrolled: string[] | undefined;
    interrupt.onHardExit(() =>
      process.stderr.write(
        enrolled ? `enrolled: ${enrolled.join(', ') || 'nobody'}\n` : 'nobody was enrolled or changed\n',
      ),
    );
    try {
      engine = await createEngine(o, many);
      const limit = pLimit(Math.max(1, engine.config.runtime.lanes * 2));
      const plans = await Promise.all(
        jobs.map((j) => planOne(engine!, library, j.person, j.files, o, limit, interrupt.signal)),
      );
      // Everyone ready is enrolled in one transaction: all of them or (refused) none.
      const ready = plans.filter((p): p is Required<EnrolPlan> => p.request !== undefined);
      const results = new LibraryEdits(library).enrol(
        ready.map((p) => p.request),
        { replace: true, force: Boolean(o.force) },
      );
      enrolled = ready.map((p) => p.outcome.person);
      for (const [i, r] of results.entries()) {
        const outcome = ready[i]!.outcome;
        outcome.replaced = r.replaced;
        outcome.taken = r.taken;
        if (o.gallery) {
          const g = galleryOfPerson(library, r.person, engineNamespace(engine), engine.modelSetId);
          if (g) outcome.gallery = await writeGallery(o.gallery, g);
        }
      }
      const outcomes = plans.map((p) => p.outcome);
      if (o.json) console.log(JSON.stringify(o.folders ? outcomes : outcomes[0]));
      // A single person who could not be enrolled is reported by the error below, once.
      else for (const r of outcomes) if (o.folders || !r.error) printOutcome(r);
      if (interrupt.signal.aborted) {
        const missed = outcomes.filter((r) => r.error).map((r) => r.person);
        console.error(
          `interrupted: enrolled ${enrolled.join(', ') || 'nobody'}; not enrolled ${missed.join(', ') || 'nobody'} ` +
            '(their earlier references are unchanged); run the same command again to continue',
        );
        throw new CommandExit(ExitCode.Interrupted);
      }
      const failed = outcomes.filter((r) => r.error);
      if (failed.length === outcomes.length) {
        throw new GalleryError(
          failed.length === 1
            ? `${failed[0]!.error}${failed[0]!.rejected.length ? `:\n${failed[0]!.rejected.map((r) => `  ${r.source}: ${r.reason}`).join('\n')}` : ''}`
            : `nobody could be enrolled (${failed.map((f) => f.person).join(', ')})`,
        );
      }
      if (failed.length > 0) throw new CommandExit(ExitCode.Incomplete);
    } finally {
      interrupt.dispose();
      library.close();
      await engine?.close();
    }
  });
