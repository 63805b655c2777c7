import { readFile, stat } from 'node:fs/promises';
import { Command } from 'commander';
import { analyzePhoto } from '../../core/analysis/analyzePhoto.js';
import { MespotterError } from '../../core/errors.js';
import { describeFsError } from '../../core/fs/describeFsError.js';
import { displayPath, type FsPath } from '../../core/fs/pathBytes.js';
import { DEFAULT_MIN_AGREEMENT } from '../../core/match/defaults.js';
import {
  buildGallery,
  pickReferenceFace,
  type ReferenceCandidate,
  type RejectedReference,
} from '../../core/match/gallery.js';
import { addEngineOptions, createCache, createEngine, type EngineCliOptions } from '../engineOptions.js';
import { validatePerson, writeGallery } from '../galleryStore.js';
import { walkPhotos } from '../sort/walkPhotos.js';

interface EnrollCliOptions extends EngineCliOptions {
  person: string;
  gallery: string;
  json?: boolean;
}

/** Expands folders to the photos in them, keeping the user's order for files named directly. */
const expandInputs = async (inputs: string[]): Promise<FsPath[]> => {
  const files: FsPath[] = [];
  for (const input of inputs) {
    const s = await stat(input).catch(() => undefined);
    if (!s) throw new MespotterError('input_error', `reference not found: ${input}`);
    if (s.isDirectory()) {
      for await (const e of walkPhotos(input)) if (e.kind === 'photo') files.push(e.path);
    } else {
      files.push(input);
    }
  }
  return files;
};

export const enrollCommand = (): Command =>
  addEngineOptions(
    new Command('enroll')
      .description("build a person's gallery from reference photos (replaces an existing gallery)")
      .argument(
        '<photos...>',
        'reference photos or folders of them; one face per photo is used (the largest, clearest)',
      )
      .requiredOption('--person <name>', 'name of the person')
      .requiredOption('--gallery <dir>', 'folder holding the galleries')
      .option('--json', 'print the outcome as JSON'),
  ).action(async (inputs: string[], o: EnrollCliOptions) => {
    validatePerson(o.person);
    const files = await expandInputs(inputs);
    if (files.length === 0) throw new MespotterError('input_error', 'no reference photos found');
    const engine = await createEngine(o);
    try {
      const index = createCache(engine, o);
      const candidates: ReferenceCandidate[] = [];
      const rejected: RejectedReference[] = [];
      for (const file of files) {
        try {
          const { sha256, analysis } = await analyzePhoto(engine, await readFile(file), index);
          const face = pickReferenceFace(analysis.faces);
          if (!face) rejected.push({ source: displayPath(file), reason: 'no face found' });
          else candidates.push({ source: displayPath(file), sha256, face });
        } catch (error) {
          rejected.push({ source: displayPath(file), reason: describeFsError(error) });
        }
      }
      if (candidates.length === 0) {
        throw new MespotterError(
          'enroll_error',
          `no usable face in any reference photo:\n${rejected.map((r) => `  ${r.source}: ${r.reason}`).join('\n')}`,
        );
      }
      const { gallery, warnings } = buildGallery(o.person, engine.modelSetId, candidates, rejected, {
        minAgreement: DEFAULT_MIN_AGREEMENT,
      });
      const path = await writeGallery(o.gallery, gallery);
      if (o.json) {
        console.log(
          JSON.stringify({
            person: o.person,
            gallery: path,
            accepted: gallery.references.map((r) => r.source),
            rejected: gallery.rejected,
            warnings,
          }),
        );
        return;
      }
      console.log(`enrolled ${o.person}: ${gallery.references.length} reference(s) → ${path}`);
      for (const r of gallery.rejected) {
        console.log(
          `  rejected ${r.source}: ${r.reason}${r.agreement !== undefined ? ` (agreement ${r.agreement.toFixed(2)})` : ''}`,
        );
      }
      for (const w of warnings) console.warn(`warning: ${w}`);
    } finally {
      await engine.close();
    }
  });
