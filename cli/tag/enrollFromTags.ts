import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import pLimit from 'p-limit';
import { labelPrecedence } from '../../core/decide/labelPrecedence.js';
import { ConfigError, GalleryError, MespotterError } from '../../core/errors.js';
import { fileKindOf } from '../../core/fs/regularFile.js';
import { galleryOfPerson } from '../../core/library/galleryOfPerson.js';
import { isHumanKind, LabelKind } from '../../core/library/LabelKind.js';
import type { Library } from '../../core/library/Library.js';
import { LibraryEdits } from '../../core/library/LibraryEdits.js';
import { DEFAULT_MIN_AGREEMENT } from '../../core/match/defaults.js';
import { buildGallery, type ReferenceCandidate, type RejectedReference } from '../../core/match/gallery.js';
import { personNameProblem } from '../../core/match/personName.js';
import { errorFields } from '../../core/report/lines.js';
import type { PhotoAnalyzer } from '../../core/runtime/PhotoAnalyzer.js';
import { ExifToolSession } from '../../core/xmp/ExifToolSession.js';
import { CommandExit } from '../CommandExit.js';
import { createEngine, type EngineCliOptions, engineNamespace, openLibrary } from '../engineOptions.js';
import { ExitCode } from '../exitCodes.js';
import { validatePerson, writeGallery } from '../galleryStore.js';
import { installInterrupt } from '../interrupt.js';
import { analysisContextOf } from '../photos/analyseFile.js';
import { walkPhotos } from '../sort/walkPhotos.js';
import { type RegionFace, RegionVia, regionFaces, type SkippedRegion } from './regionFaces.js';

/**
 * A tagged face must be at least this good to become a reference: the bar a face must clear to
 * seed a cluster (core/cluster/clusterParams.ts), so that a tiny or blurred face someone tagged in a
 * crowd does not blur the person's template.
 */
export const MIN_IMPORT_QUALITY = 0.5;
export const MIN_IMPORT_FACE_PX = 40;

export interface FromTagsCliOptions extends EngineCliOptions {
  /** Only these people's regions (none: every name found). */
  person: string[];
  /** Take faces that are another person's references (tagged otherwise: left out). */
  force?: boolean;
  gallery?: string;
  json?: boolean;
}

/** What `enroll --from-tags` did for one name. */
export interface ImportOutcome {
  person: string;
  /** New imported references, and how each region became a face. */
  imported: { source: string; via: RegionVia }[];
  /** Regions whose face already is one of the person's references (a re-run). */
  already: number;
  rejected: RejectedReference[];
  warnings: string[];
  /** Reference faces taken from other people (--force), per person. */
  taken?: { from: string; faces: number }[];
  /** The undoable action that made the imported references. */
  action?: number;
  gallery?: string;
  error?: string;
}

interface Collected {
  faces: RegionFace[];
  skipped: SkippedRegion[];
}

const tooPoor = (f: RegionFace): string | undefined => {
  const h = f.face.box.y2 - f.face.box.y1;
  if (h >= MIN_IMPORT_FACE_PX && f.face.quality >= MIN_IMPORT_QUALITY) return undefined;
  return `face too small or unclear for a reference (${Math.round(h)} px tall, quality ${f.face.quality.toFixed(2)}; a reference needs ${MIN_IMPORT_FACE_PX} px and ${MIN_IMPORT_QUALITY})`;
};

/**
 * One name's tagged faces → imported references: duplicates and the person's current references
 * dropped, the quality gate, the library's human labels respected (a face a person said is not
 * them is not taken from a tag, nor, unless `force`, a face that is another person's reference:
 * LibraryEdits' rule), then the agreement check of enroll (a name whose faces show two people is
 * refused; an odd one out is rejected), all against the person's existing references too. The
 * faces accepted are enrolled through LibraryEdits as imported references: one undoable action.
 */
export const importPerson = (
  library: Library,
  engine: Pick<PhotoAnalyzer, 'modelSetId' | 'config'>,
  person: string,
  collected: Collected,
  o: { force?: boolean } = {},
): ImportOutcome => {
  const edits = new LibraryEdits(library);
  const ns = engineNamespace(engine);
  const rejected: RejectedReference[] = collected.skipped.map((s) => ({
    source: s.source,
    reason: s.reason,
  }));
  const record = library.person(person);
  const existing = record ? library.references(record.id, ns) : [];
  const existingIds = new Set(existing.map((r) => r.face.id));
  const owners = new Map(
    edits
      .takenReferences([
        { name: person, faces: collected.faces.map((f) => ({ faceId: f.face.id, source: f.source })) },
      ])
      .map((t) => [t.faceId, t.owner]),
  );
  const seen = new Set<number>();
  const fresh: RegionFace[] = [];
  let already = 0;
  for (const f of collected.faces) {
    if (seen.has(f.face.id)) continue;
    seen.add(f.face.id);
    if (existingIds.has(f.face.id)) {
      already++;
      continue;
    }
    const poor = tooPoor(f);
    if (poor) {
      rejected.push({ source: f.source, reason: poor });
      continue;
    }
    const said = labelPrecedence(library.labelsOfFaces([f.face.id]).filter((l) => isHumanKind(l.kind)));
    if (said.rejected.has(person)) {
      rejected.push({ source: f.source, reason: `a person marked this face as not ${person}` });
      continue;
    }
    const owner = owners.get(f.face.id);
    if (owner !== undefined && !o.force) {
      rejected.push({ source: f.source, reason: `already ${owner}'s reference (--force takes it)` });
      continue;
    }
    fresh.push(f);
  }
  const base = { person, already, warnings: [] as string[] };
  if (fresh.length === 0) {
    return {
      ...base,
      imported: [],
      rejected,
      ...(already === 0 ? { error: 'no usable face in the tagged regions' } : {}),
    };
  }
  const candidates: ReferenceCandidate[] = [
    ...existing.map((r) => ({ source: r.source ?? r.sha256, sha256: r.sha256, face: r.face })),
    ...fresh.map((f) => ({ source: f.source, sha256: f.sha256, face: f.face })),
  ];
  let built: ReturnType<typeof buildGallery>;
  try {
    built = buildGallery(person, engine.modelSetId, candidates, [], { minAgreement: DEFAULT_MIN_AGREEMENT });
  } catch (error) {
    if (error instanceof GalleryError) return { ...base, imported: [], rejected, error: error.message };
    throw error;
  }
  const kept = (c: { source: string; sha256: string }): boolean =>
    built.gallery.references.some((r) => r.source === c.source && r.sha256 === c.sha256);
  const accepted = fresh.filter(kept);
  const freshSources = new Set(fresh.map((f) => f.source));
  for (const r of built.gallery.rejected) {
    if (freshSources.has(r.source)) rejected.push(r);
    else base.warnings.push(`existing reference ${r.source} disagrees with the others (left as it is)`);
  }
  const outcome: ImportOutcome = {
    ...base,
    imported: accepted.map((f) => ({ source: f.source, via: f.via })),
    rejected,
    warnings: [...base.warnings, ...built.warnings],
  };
  if (accepted.length === 0) return outcome;
  const [done] = edits.enrol(
    [{ name: person, faces: accepted.map((f) => ({ faceId: f.face.id, source: f.source })) }],
    { replace: false, force: Boolean(o.force), kind: LabelKind.Imported },
  );
  if (done!.taken.length) outcome.taken = done!.taken;
  outcome.action = done!.action.id;
  return outcome;
};

const printOutcome = (r: ImportOutcome): void => {
  if (r.error) console.log(`not imported ${r.person}: ${r.error}`);
  else {
    const own = r.imported.filter((i) => i.via === RegionVia.OwnBox).length;
    console.log(
      `imported ${r.person}: ${r.imported.length} new reference(s) from tags` +
        (own ? ` (${own} embedded from the region's own box)` : '') +
        (r.already ? `, ${r.already} already imported` : '') +
        (r.taken ?? []).map((t) => `; took ${t.faces} reference(s) from ${t.from}`).join('') +
        (r.gallery ? ` → ${r.gallery}` : ''),
    );
  }
  for (const x of r.rejected) {
    console.log(
      `  rejected ${x.source}: ${x.reason}${x.agreement !== undefined ? ` (agreement ${x.agreement.toFixed(2)})` : ''}`,
    );
  }
  for (const w of r.warnings) console.warn(`warning: ${r.person}: ${w}`);
};

/**
 * `enroll --from-tags DIR`: the named face regions other programs (digiKam, Lightroom, Picasa,
 * Windows Photos, mespotter) wrote into the photos under DIR or their sidecars become `imported`
 * references of those people, so a collection tagged elsewhere needs no enrolment of its own.
 */
export const enrollFromTags = async (dir: string, o: FromTagsCliOptions): Promise<void> => {
  const root = resolve(dir);
  const s = await stat(root).catch(() => undefined);
  if (!s) throw new ConfigError(`--from-tags: folder not found: ${dir}`);
  if (!s.isDirectory())
    throw new ConfigError(
      `--from-tags ${dir}: it is ${fileKindOf(s)}, not a folder (give the folder of the tagged photos)`,
    );
  for (const p of o.person) validatePerson(p);
  const only = new Set(o.person);
  const invalid = new Map<string, string>();
  const wanted = (name: string): boolean => {
    if (only.size > 0 && !only.has(name)) return false;
    const problem = personNameProblem(name);
    if (problem === undefined) return true;
    invalid.set(name, problem);
    return false;
  };
  const library = openLibrary(o);
  const interrupt = installInterrupt();
  let session: ExifToolSession | undefined;
  let engine: PhotoAnalyzer | undefined;
  const byPerson = new Map<string, Collected>();
  let photos = 0;
  let regions = 0;
  let failed = 0;
  let outcomes: ImportOutcome[] = [];
  try {
    session = ExifToolSession.open();
    engine = await createEngine(o, true);
    const ctx = analysisContextOf(engine, library, o);
    const limit = pLimit(Math.max(1, engine.config.runtime.lanes * 2));
    const pending = new Set<Promise<void>>();
    for await (const e of walkPhotos(root)) {
      if (interrupt.signal.aborted) break;
      if (e.kind === 'skipped') continue;
      if (e.kind === 'error') {
        failed++;
        process.stderr.write(`mespotter: ${e.rel}: ${e.code}: ${e.reason}\n`);
        continue;
      }
      photos++;
      const s = session;
      const task: Promise<void> = limit(async () => {
        if (interrupt.signal.aborted) return;
        try {
          const got = await regionFaces(
            ctx,
            s,
            { path: e.path, root, rel: e.rel, ...(e.rawRel ? { rawRel: e.rawRel } : {}) },
            e.rel,
            wanted,
          );
          regions += got.named;
          for (const w of got.warnings) console.warn(`warning: ${e.rel}: ${w}`);
          for (const f of got.faces) entry(byPerson, f.name).faces.push(f);
          for (const k of got.skipped) entry(byPerson, k.name).skipped.push(k);
        } catch (error) {
          failed++;
          const { code, reason } = errorFields(error);
          process.stderr.write(`mespotter: ${e.rel}: ${code}: ${reason}\n`);
        }
      });
      const tracked = task.finally(() => pending.delete(tracked));
      pending.add(tracked);
      // Bounded: a folder of a million photos must not become a million pending promises.
      if (pending.size >= engine.config.runtime.lanes * 4) await Promise.race(pending);
    }
    await Promise.all(pending);
    for (const [name, problem] of invalid) console.warn(`warning: skipped the name "${name}": ${problem}`);
    if (!interrupt.signal.aborted) {
      // Photos finish in any order; the same inputs give the same references and report.
      const bySource = (a: { source: string }, b: { source: string }): number =>
        a.source < b.source ? -1 : a.source > b.source ? 1 : 0;
      outcomes = [...byPerson.keys()].sort().map((name) => {
        const c = byPerson.get(name)!;
        return importPerson(
          library,
          engine!,
          name,
          {
            faces: [...c.faces].sort(bySource),
            skipped: [...c.skipped].sort(bySource),
          },
          { force: Boolean(o.force) },
        );
      });
      if (o.gallery) {
        for (const r of outcomes) {
          const p = r.error ? undefined : library.person(r.person);
          const g = p && galleryOfPerson(library, p, ctx.ns, engine.modelSetId);
          if (g) r.gallery = await writeGallery(o.gallery, g);
        }
      }
    }
  } finally {
    interrupt.dispose();
    library.close();
    await engine?.close();
    await session?.close();
  }
  if (interrupt.signal.aborted) {
    console.error('interrupted before anything was imported; run the same command again');
    throw new CommandExit(ExitCode.Interrupted);
  }
  if (o.json) console.log(JSON.stringify({ photos, regions, failed, people: outcomes }));
  else {
    for (const r of outcomes) printOutcome(r);
    console.log(`${photos} photos read, ${regions} named face regions, ${failed} failed`);
  }
  if (regions === 0 && failed === 0)
    throw new MespotterError(
      'input_error',
      `no named face regions found under ${dir}${only.size ? ` for ${[...only].join(', ')}` : ''}`,
    );
  const refused = outcomes.filter((r) => r.error);
  if (outcomes.length > 0 && refused.length === outcomes.length && failed === 0)
    throw new GalleryError(`nobody could be imported (${refused.map((r) => r.person).join(', ')})`);
  if (refused.length > 0 || failed > 0) throw new CommandExit(ExitCode.Incomplete);
};

const entry = (m: Map<string, Collected>, name: string): Collected => {
  let c = m.get(name);
  if (!c) {
    c = { faces: [], skipped: [] };
    m.set(name, c);
  }
  return c;
};
