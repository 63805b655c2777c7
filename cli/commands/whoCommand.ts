import { Command } from 'commander';
import pLimit from 'p-limit';
import type { FaceDecision } from '../../core/decide/decidePhoto.js';
import { errorFields } from '../../core/report/lines.js';
import type { PhotoAnalyzer } from '../../core/runtime/PhotoAnalyzer.js';
import type { Box } from '../../core/types.js';
import { ExifToolSession } from '../../core/xmp/ExifToolSession.js';
import { CommandExit } from '../CommandExit.js';
import { addEngineOptions, createEngine, type EngineCliOptions, openLibrary } from '../engineOptions.js';
import { ExitCode } from '../exitCodes.js';
import { installInterrupt } from '../interrupt.js';
import { loadPeople } from '../people/loadPeople.js';
import { addPeopleOptions, type PeopleCliOptions } from '../people/peopleOptions.js';
import { refreshStaleReferences } from '../people/refreshReferences.js';
import { analyseFile, analysisContextOf } from '../photos/analyseFile.js';
import { decideFile } from '../photos/decideFile.js';
import { LibraryStop } from '../photos/LibraryStop.js';
import { photoInputs } from '../photos/photoInputs.js';
import { compareWithTags, onlyPeople } from '../tag/compareWithTags.js';
import { describeDisagreement } from '../tag/tagDisagreements.js';

interface WhoCliOptions extends EngineCliOptions, PeopleCliOptions {
  json?: boolean;
  compareTags?: boolean;
}

/** One face in `who --json`: these names are a contract with scripts; keep them stable. */
interface WhoFace {
  box: Box;
  person: string | null;
  score: number | null;
  margin: number | null;
}

const round = (n: number): number => Math.round(n * 10_000) / 10_000;

const finiteOrNull = (n: number | null): number | null =>
  n !== null && Number.isFinite(n) ? round(n) : null;

const describeFace = (d: FaceDecision): string => {
  const score = Number.isFinite(d.score) ? d.score.toFixed(2) : '–';
  if (d.person) return `${d.person} (${score}${d.margin !== null ? `, margin ${d.margin.toFixed(2)}` : ''})`;
  return d.best ? `unknown (closest ${d.best} ${score})` : 'unknown';
};

export const whoCommand = (): Command =>
  addPeopleOptions(
    addEngineOptions(
      new Command('who')
        .description('who is in each photo: every face with its person (or unknown), score and margin')
        .argument('<photos...>', 'photos or folders of photos')
        .option(
          '--json',
          'one JSON line per photo: {"path", "faces": [{"box", "person", "score", "margin"}]}',
        )
        .option(
          '--compare-tags',
          'also read each photo\'s XMP face tags and report where they disagree with us ("tags" in --json; one exiftool call per photo)',
        ),
    ),
    { search: false },
  ).action(async (inputs: string[], o: WhoCliOptions) => {
    const library = openLibrary(o);
    const interrupt = installInterrupt();
    let engine: PhotoAnalyzer | undefined;
    let failures = 0;
    // --compare-tags: one exiftool process for the run (opened first: a missing perl is told at once).
    let tagSession: ExifToolSession | undefined;
    try {
      if (o.compareTags) tagSession = ExifToolSession.open();
      engine = await createEngine(o, true);
      await refreshStaleReferences(library, engine);
      const people = await loadPeople(library, engine, o, { searchRequired: false });
      const only = o.person.length > 0 ? new Set(o.person) : undefined;
      const ctx = analysisContextOf(engine, library, o);
      const limit = pLimit(Math.max(1, engine.config.runtime.lanes * 2));
      const stop = new LibraryStop();
      const pending = new Set<Promise<void>>();
      // Answers are printed in input order even though photos are analysed concurrently.
      let printing = Promise.resolve();
      for await (const item of photoInputs(inputs)) {
        if (interrupt.signal.aborted || stop.stopped) break;
        if (!('file' in item)) {
          failures++;
          printing = printing.then(() => {
            process.stderr.write(`mespotter: ${item.shown}: ${item.code}: ${item.reason}\n`);
          });
          continue;
        }
        const work = limit(async () => {
          if (stop.stopped) return { ok: false as const };
          try {
            const fa = await analyseFile(ctx, item.file);
            const { decision } = decideFile(library, people, fa.analysis, fa.faces);
            const tags = tagSession
              ? await compareWithTags(
                  tagSession,
                  item.file.path,
                  fa.analysis.faces.map((f, i) => ({ box: f.box, person: decision.faces[i]!.person })),
                )
              : undefined;
            return { ok: true as const, fa, decision, tags };
          } catch (error) {
            if (stop.caught(error)) return { ok: false as const };
            return { ok: false as const, error: errorFields(error) };
          }
        });
        printing = printing.then(async () => {
          const r = await work;
          if (!r.ok) {
            if (!r.error) return;
            failures++;
            process.stderr.write(`mespotter: ${item.shown}: ${r.error.code}: ${r.error.reason}\n`);
            return;
          }
          const faces = r.fa.analysis.faces
            .map((f, i) => ({ f, d: r.decision.faces[i]! }))
            .filter(({ d }) => !only || d.person === null || only.has(d.person));
          if (o.json) {
            const out: WhoFace[] = faces.map(({ f, d }) => ({
              box: { x1: round(f.box.x1), y1: round(f.box.y1), x2: round(f.box.x2), y2: round(f.box.y2) },
              person: d.person,
              score: finiteOrNull(d.score),
              margin: finiteOrNull(d.margin),
            }));
            const tags = r.tags && only ? onlyPeople(r.tags, only) : r.tags;
            console.log(JSON.stringify({ path: item.shown, faces: out, ...(tags ? { tags } : {}) }));
          } else {
            console.log(
              `${item.shown}: ${faces.length ? faces.map(({ d }) => describeFace(d)).join(', ') : 'no face'}`,
            );
            const tags = r.tags && only ? onlyPeople(r.tags, only) : r.tags;
            for (const d of tags?.disagreements ?? []) console.log(`  tags: ${describeDisagreement(d)}`);
          }
        });
        const tracked = printing.finally(() => pending.delete(tracked));
        pending.add(tracked);
        if (pending.size >= engine.config.runtime.lanes * 4) await Promise.race(pending);
      }
      await printing;
      stop.rethrow();
    } finally {
      interrupt.dispose();
      library.close();
      await engine?.close();
      await tagSession?.close();
    }
    if (interrupt.signal.aborted) {
      console.error('interrupted; run the same command again to continue');
      throw new CommandExit(ExitCode.Interrupted);
    }
    if (failures > 0) throw new CommandExit(ExitCode.Incomplete);
  });
