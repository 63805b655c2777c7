import { Command } from 'commander';
import { ConfigError, GalleryError } from '../../core/errors.js';
import { forgetPerson } from '../../core/library/forgetPerson.js';
import { LabelKind } from '../../core/library/LabelKind.js';
import { CommandExit } from '../CommandExit.js';
import { type EngineCliOptions, engineIdentity, engineNamespace, openLibrary } from '../engineOptions.js';
import { ExitCode } from '../exitCodes.js';
import { loadPeople } from '../people/loadPeople.js';

interface PeopleCliOptions extends EngineCliOptions {
  json?: boolean;
  forget?: string;
  yes?: boolean;
  far?: number;
}

/** One person in `people --json`. */
interface PersonRow {
  name: string;
  references: number;
  confirmed: number;
  rejected: number;
  faces: number;
  photos: number;
  threshold: number | null;
  thresholdSource: string | null;
}

export const peopleCommand = (): Command =>
  new Command('people')
    .description('the people enrolled: references, faces and photos found, and each one’s threshold')
    .option(
      '--library <path>',
      'people library (default $MESPOTTER_LIBRARY, else ~/.local/share/mespotter/library.db)',
    )
    .option('--models <dir>', 'model folder (default: layers/models, or $MESPOTTER_MODELS_DIR)')
    .option('--json', 'one JSON line per person')
    .option(
      '--forget <name>',
      "forget a person for good: their faces' embeddings, labels and name (their photos stay; not undoable)",
      (v: string) => {
        if (v.trim() === '') throw new ConfigError('--forget needs the name of a person, got an empty one');
        return v;
      },
    )
    .option('--yes', 'with --forget: really delete')
    .action(async (o: PeopleCliOptions) => {
      const library = openLibrary(o);
      try {
        if (o.forget !== undefined) {
          const person = library.person(o.forget);
          if (!person) throw new GalleryError(`nobody called "${o.forget}" is enrolled`);
          if (!o.yes) {
            console.log(
              `would forget ${o.forget} for good: the embeddings of their reference faces and of every face that is ` +
                'theirs, their labels and reviews, and their name in the runs and the undo history (not undoable); ' +
                'run again with --yes',
            );
            throw new CommandExit(ExitCode.Usage);
          }
          const r = forgetPerson(library, o.forget);
          console.log(
            `forgot ${o.forget}: ${r.faces} face(s) deleted (${r.photos} photo(s) that showed only them removed, ` +
              `${r.reanalysed} to be analysed again when next seen), ` +
              `name removed from ${r.runs} run(s) and ${r.actions} undo entr${r.actions === 1 ? 'y' : 'ies'}; ` +
              'this cannot be undone. Run "mespotter library vacuum" so the file keeps no leftover copy; delete any ' +
              'gallery file you exported, and their reference photos (indexed again, they come back as unknown faces)',
          );
          return;
        }
        const engine = await engineIdentity(o);
        const ns = engineNamespace(engine);
        const loaded = await loadPeople(library, engine, { person: [] }, { searchRequired: false });
        const stats = new Map(library.peopleStats(ns).map((s) => [s.personId, s]));
        const rows: PersonRow[] = library.people().map((p) => {
          const s = stats.get(p.id);
          const t = loaded.thresholds.get(p.name);
          const count = (kind: LabelKind) => library.labelCount(p.id, kind);
          return {
            name: p.name,
            references: s?.references ?? 0,
            confirmed: count(LabelKind.Confirmed),
            rejected: count(LabelKind.Rejected),
            faces: s?.faces ?? 0,
            photos: s?.photos ?? 0,
            threshold: t ? Math.round(t.threshold * 1000) / 1000 : null,
            thresholdSource: t?.source ?? null,
          };
        });
        if (o.json) {
          for (const r of rows) console.log(JSON.stringify(r));
          return;
        }
        if (rows.length === 0) {
          console.log('nobody is enrolled yet; enrol people with "mespotter enroll --person NAME PHOTOS…"');
          return;
        }
        for (const r of rows) {
          const threshold =
            r.threshold === null
              ? 'not enrolled with these models'
              : `threshold ${r.threshold.toFixed(2)} (${r.thresholdSource})`;
          console.log(
            `${r.name}: ${r.references} reference(s), ${r.confirmed} confirmed, ${r.rejected} rejected; ` +
              `found ${r.faces} face(s) in ${r.photos} photo(s); ${threshold}`,
          );
        }
      } finally {
        library.close();
      }
    });
