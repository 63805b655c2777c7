import { Command } from 'commander';
import type { EmbedMode } from '../../core/config.js';
import { decideAgainstReference } from '../../core/decide/againstReference.js';
import { MespotterError } from '../../core/errors.js';
import type { Library } from '../../core/library/Library.js';
import { DEFAULT_THRESHOLD } from '../../core/match/defaults.js';
import { pickReferenceFace } from '../../core/match/gallery.js';
import { describeScoring, embedOption } from '../embedOption.js';
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
  embed: EmbedMode;
  json?: boolean;
}

export const compareCommand = (): Command =>
  addEngineOptions(
    new Command('compare')
      .description('similarity between the main face in photo A and the best-matching face in photo B')
      .argument('<a>', 'photo whose largest face is the reference')
      .argument('<b>', 'photo to search')
      .option('--threshold <t>', `decision threshold (default ${DEFAULT_THRESHOLD})`, parseThreshold)
      .addOption(embedOption())
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
      // A person enrolled from a's face, looked for in b by the decision core: sort's scores and verdict.
      const { decision, scores } = decideAgainstReference(ref, rb.analysis.faces, threshold, o.embed);
      const top = Math.max(...scores);
      const same = decision.people.length > 0;
      if (o.json) {
        console.log(
          JSON.stringify({ a, b, similarity: top, threshold, same, facesInB: scores.length, embed: o.embed }),
        );
      } else {
        console.log(
          `similarity ${top.toFixed(4)} (threshold ${threshold}): ${same ? 'same person' : 'different people'}`,
        );
        console.log(`scoring ${describeScoring(o.embed)}`);
        if (scores.length > 1) console.log(`(best of ${scores.length} faces in ${b})`);
      }
    } finally {
      library?.close();
      await engine.close();
    }
  });
