import { Command } from 'commander';
import { MespotterError } from '../../core/errors.js';
import type { Library } from '../../core/library/Library.js';
import { DEFAULT_THRESHOLD } from '../../core/match/defaults.js';
import { bestMatch, pickReferenceFace } from '../../core/match/gallery.js';
import { cosine } from '../../core/match/similarity.js';
import {
  addEngineOptions,
  analysisSource,
  createEngine,
  type EngineCliOptions,
  explicitLibrary,
  parseThreshold,
} from '../engineOptions.js';
import { readInputFile } from '../readInputFile.js';

interface CompareCliOptions extends EngineCliOptions {
  threshold?: number;
  json?: boolean;
}

export const compareCommand = (): Command =>
  addEngineOptions(
    new Command('compare')
      .description('similarity between the main face in photo A and the best-matching face in photo B')
      .argument('<a>', 'photo whose largest face is the reference')
      .argument('<b>', 'photo to search')
      .option('--threshold <t>', `decision threshold (default ${DEFAULT_THRESHOLD})`, parseThreshold)
      .option('--json', 'print JSON'),
  ).action(async (a: string, b: string, o: CompareCliOptions) => {
    const engine = await createEngine(o);
    let library: Library | undefined;
    try {
      library = explicitLibrary(o);
      const analyse = analysisSource(engine, library, o.cache !== false);
      const [ra, rb] = [
        await analyse(await readInputFile(a, 'photo')),
        await analyse(await readInputFile(b, 'photo')),
      ];
      const ref = pickReferenceFace(ra.analysis.faces);
      if (!ref) throw new MespotterError('no_face', `no face found in ${a}`);
      if (rb.analysis.faces.length === 0) throw new MespotterError('no_face', `no face found in ${b}`);
      const threshold = o.threshold ?? DEFAULT_THRESHOLD;
      const scores = rb.analysis.faces.map((f) => cosine(ref.embedding, f.embedding));
      const best = bestMatch(scores, threshold);
      const top = Math.max(...scores);
      const same = best.index >= 0;
      if (o.json) {
        console.log(JSON.stringify({ a, b, similarity: top, threshold, same, facesInB: scores.length }));
      } else {
        console.log(
          `similarity ${top.toFixed(4)} (threshold ${threshold}): ${same ? 'same person' : 'different people'}`,
        );
        if (scores.length > 1) console.log(`(best of ${scores.length} faces in ${b})`);
      }
    } finally {
      library?.close();
      await engine.close();
    }
  });
