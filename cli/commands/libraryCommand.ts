import { createReadStream } from 'node:fs';
import { Command } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { describeFsError, isFsError } from '../../core/fs/describeFsError.js';
import { checkLibraryAt } from '../../core/library/checkLibrary.js';
import { resolveLibrary } from '../../core/library/defaultLibraryPath.js';
import { exportLibrary } from '../../core/library/exportLibrary.js';
import { galleryOfPerson } from '../../core/library/galleryOfPerson.js';
import { importLibrary } from '../../core/library/importLibrary.js';
import type { Library } from '../../core/library/Library.js';
import { MAX_EXPORT_LINE_CHARS } from '../../core/library/libraryJsonl.js';
import { libraryStats } from '../../core/library/libraryStats.js';
import { readBoundedLines } from '../../core/library/readBoundedLines.js';
import { vacuumLibrary } from '../../core/library/vacuumLibrary.js';
import { checkLibraryExportPath, writeLibraryExport } from '../../core/library/writeLibraryExport.js';
import { EMBEDDING_DIM } from '../../core/match/embeddingDim.js';
import type { Gallery } from '../../core/match/gallery.js';
import { CommandExit } from '../CommandExit.js';
import { engineIdentity, engineNamespace, openLibrary } from '../engineOptions.js';
import { ExitCode } from '../exitCodes.js';
import { checkGalleryPath, writeGallery } from '../galleryStore.js';
import { loadPeople } from '../people/loadPeople.js';
import { checkInputFile } from '../readInputFile.js';

interface LibraryCliOptions {
  library?: string;
  models?: string;
  json?: boolean;
}

const withLibrary = (cmd: Command): Command =>
  cmd
    .option(
      '--library <path>',
      'people library (default $MESPOTTER_LIBRARY, else ~/.local/share/mespotter/library.db)',
    )
    .option('--json', 'print JSON');

/** Everyone's gallery as `export --galleries` writes it, with the threshold the library chose for them. */
const exportedGalleries = async (library: Library, o: LibraryCliOptions): Promise<Gallery[]> => {
  const engine = await engineIdentity(o);
  const people = await loadPeople(library, engine, { person: [] }, { searchRequired: false });
  const ns = engineNamespace(engine);
  const out: Gallery[] = [];
  for (const p of library.people()) {
    const g = galleryOfPerson(library, p, ns, engine.modelSetId);
    if (!g) {
      console.warn(`warning: ${p.name} has no references made with these models; not exported`);
      continue;
    }
    // The threshold the library chose goes with the gallery, so the cloud decides the same way.
    const t = people.thresholds.get(p.name);
    out.push({
      ...g,
      ...(t
        ? {
            threshold: t.threshold,
            calibration: {
              ...(g.calibration ?? {}),
              thresholdSource: t.source,
              ...(t.cohort ? { cohort: t.cohort } : {}),
            },
          }
        : {}),
    });
  }
  return out;
};

export const libraryCommand = (): Command =>
  new Command('library')
    .description('look after the people library: stats, check, export, import, vacuum')
    .addCommand(
      withLibrary(new Command('stats').description('what the library holds')).action(
        (o: LibraryCliOptions) => {
          const library = openLibrary(o, true);
          try {
            const s = libraryStats(library);
            if (o.json) console.log(JSON.stringify(s));
            else {
              console.log(`${s.path} (schema ${s.schemaVersion}, ${(s.bytes / 1024 / 1024).toFixed(1)} MiB)`);
              console.log(
                `${s.photos} photos at ${s.paths} paths (${s.missingPaths} missing), ${s.faces} faces, ${s.people} people, ${s.runs} runs`,
              );
              console.log(
                `labels: ${
                  Object.entries(s.labels)
                    .map(([k, n]) => `${k} ${n}`)
                    .join(', ') || 'none'
                }`,
              );
            }
          } finally {
            library.close();
          }
        },
      ),
    )
    .addCommand(
      withLibrary(new Command('check').description('verify the database and every stored analysis')).action(
        (o: LibraryCliOptions) => {
          const path = resolveLibrary(o.library).path;
          const problems = checkLibraryAt(path, EMBEDDING_DIM);
          const broken = problems.filter((p) => p.kind !== 'orphan_photo').length;
          if (o.json) console.log(JSON.stringify({ ok: broken === 0, problems }));
          else {
            for (const p of problems)
              console.log(`${p.kind === 'orphan_photo' ? 'note' : 'problem'}: ${p.detail}`);
            console.log(broken === 0 ? 'library ok' : `${broken} problem(s)`);
            if (problems.some((p) => p.kind === 'integrity'))
              console.log(
                `to recover: restore ${path} from a backup, or save what still reads with \`mespotter library export --library ${path} --out FILE\` and import that into a new library`,
              );
          }
          if (broken > 0) throw new CommandExit(ExitCode.Incomplete);
        },
      ),
    )
    .addCommand(
      withLibrary(
        new Command('export')
          .description('write the library as JSON lines (or every person as a *.gallery.json, for the cloud)')
          .option('--out <file>', 'the JSON-lines file to write ("-" for stdout)')
          .option('--galleries <dir>', 'write DIR/<person>.gallery.json for everyone enrolled')
          .option('--force', 'replace files a previous export wrote (never anything else)')
          .option('--models <dir>', 'model folder (default: layers/models, or $MESPOTTER_MODELS_DIR)'),
      ).action(async (o: LibraryCliOptions & { out?: string; galleries?: string; force?: boolean }) => {
        if (!o.out && !o.galleries)
          throw new ConfigError('say where: --out FILE (or -) and/or --galleries DIR');
        const library = openLibrary(o, true);
        try {
          const toFile = o.out !== undefined && o.out !== '-' ? o.out : undefined;
          const force = Boolean(o.force);
          const galleries = o.galleries ? await exportedGalleries(library, o) : [];
          // Every path is checked before anything is written: a refusal leaves no half-done export.
          if (toFile) await checkLibraryExportPath(toFile, force);
          for (const g of galleries) await checkGalleryPath(o.galleries!, g.person, force);
          try {
            if (o.out === '-')
              for (const l of exportLibrary(library)) process.stdout.write(`${JSON.stringify(l)}\n`);
            else if (toFile) await writeLibraryExport(library, toFile, force);
            for (const g of galleries) {
              const path = await writeGallery(o.galleries!, g, { replace: force });
              if (o.out !== '-') console.log(`wrote ${path}`);
            }
          } catch (error) {
            if (isFsError(error))
              throw new ConfigError(`cannot write the export: ${describeFsError(error)}`, { cause: error });
            throw error;
          }
        } finally {
          library.close();
        }
      }),
    )
    .addCommand(
      withLibrary(
        new Command('import')
          .description('merge a JSON-lines export into the library')
          .argument('<file>', 'an export'),
      ).action(async (file: string, o: LibraryCliOptions) => {
        const library = openLibrary(o);
        try {
          await checkInputFile(file, 'export');
          const input = createReadStream(file);
          const opened = new Promise<void>((resolve, reject) => {
            input.once('open', () => resolve());
            input.once('error', reject);
          });
          await opened.catch((error: unknown) => {
            throw new ConfigError(`cannot read ${file}: ${describeFsError(error)}`, { cause: error });
          });
          const counts = await importLibrary(library, readBoundedLines(input, MAX_EXPORT_LINE_CHARS));
          if (o.json) console.log(JSON.stringify(counts));
          else
            console.log(
              `imported ${counts.people} people, ${counts.photos} photos, ${counts.labels} labels, ${counts.runs} runs`,
            );
        } finally {
          library.close();
        }
      }),
    )
    .addCommand(
      withLibrary(new Command('vacuum').description('compact the database file')).action(
        (o: LibraryCliOptions) => {
          const library = openLibrary(o);
          try {
            const { bytesBefore, bytesAfter } = vacuumLibrary(library);
            console.log(
              `vacuumed: ${(bytesBefore / 1024 / 1024).toFixed(1)} MiB → ${(bytesAfter / 1024 / 1024).toFixed(1)} MiB (the database file, WAL checkpointed)`,
            );
          } finally {
            library.close();
          }
        },
      ),
    );
