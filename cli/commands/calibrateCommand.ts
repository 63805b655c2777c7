import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import pLimit from 'p-limit';
import { EmbedMode } from '../../core/config.js';
import { type ReferenceFace, scoreAgainstReference } from '../../core/decide/againstReference.js';
import { ConfigError } from '../../core/errors.js';
import { checkRegularFile } from '../../core/fs/regularFile.js';
import type { Library } from '../../core/library/Library.js';
import { FUSION_WEIGHTS } from '../../core/match/fusion.js';
import { pickReferenceFace } from '../../core/match/gallery.js';
import { type LabelledPair, parseCsvPairs, parseLfwPairs, selectFolds } from '../../core/match/pairs.js';
import { dPrime, eer, kFoldAccuracy, rocAuc, type ScoredPair, tarAtFar } from '../../core/match/roc.js';
import { strictNumber } from '../../core/util/strictNumber.js';
import { describeScoring, embedOption } from '../embedOption.js';
import {
  addEngineOptions,
  analysisSource,
  createEngine,
  type EngineCliOptions,
  explicitLibrary,
} from '../engineOptions.js';
import { createProgress } from '../progress.js';
import { readInputFile } from '../readInputFile.js';

interface CalibrateCliOptions extends EngineCliOptions {
  pairs: string;
  format: 'lfw' | 'csv';
  root: string;
  folds?: number[];
  aligned?: boolean;
  embed: EmbedMode;
  json?: boolean;
}

const parseFolds = (v: string): number[] => {
  const folds = v.split(',').map((s) => strictNumber(s));
  if (folds.some((f) => f === undefined || !Number.isInteger(f) || f < 1))
    throw new ConfigError(`--folds expects e.g. 1,2,3; got "${v}"`);
  return folds as number[];
};

/**
 * A pair whose photo has no face scores below any real score (a cosine is at least -1, a fused
 * score at least offset - both weights, about -5.9), a certain non-match, so failures count against us.
 */
const MISSING_SCORE =
  Math.min(
    -1,
    FUSION_WEIGHTS.offset -
      Math.abs(FUSION_WEIGHTS.embeddingWeight) -
      Math.abs(FUSION_WEIGHTS.descriptorWeight),
  ) - 1;

export const calibrateCommand = (): Command =>
  addEngineOptions(
    new Command('calibrate')
      .description('verification accuracy, ROC AUC, EER threshold and TAR at FAR 1e-3 on labelled pairs')
      .requiredOption('--pairs <file>', 'pairs file')
      .addOption(new Option('--format <format>', 'pairs file format').choices(['lfw', 'csv']).default('lfw'))
      .requiredOption('--root <dir>', 'folder the pair paths are relative to')
      .option('--folds <list>', 'only these 1-based folds, e.g. 1,2,3', parseFolds)
      .option('--aligned', 'photos are already aligned 112x112 faces: embed them directly')
      .addOption(embedOption())
      .option('--json', 'print one JSON line'),
  ).action(async (o: CalibrateCliOptions) => {
    const text = (await readInputFile(o.pairs, 'pairs file')).toString('utf8');
    let pairs: LabelledPair[] = o.format === 'lfw' ? parseLfwPairs(text) : parseCsvPairs(text);
    if (o.folds) pairs = selectFolds(pairs, o.folds);
    const engine = await createEngine(o, true);
    let library: Library | undefined;
    try {
      library = explicitLibrary(o);
      const analyse = analysisSource(engine, library, o.cache !== false);
      const files = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
      // Each photo's main face (the reference-face rule enrol uses), scored below as sort would.
      const embeddings = new Map<string, ReferenceFace | undefined>();
      const failures = new Map<string, string>();
      const progress = createProgress(process.stderr, Boolean(o.json));
      progress.start(files.length);
      const limit = pLimit(engine.config.runtime.lanes);
      let done = 0;
      await Promise.all(
        files.map((f) =>
          limit(async () => {
            try {
              const path = join(o.root, f);
              await checkRegularFile(path);
              const bytes = await readFile(path);
              if (o.aligned) embeddings.set(f, await engine.describeAligned(bytes));
              else {
                const face = pickReferenceFace((await analyse(bytes)).analysis.faces);
                if (!face) failures.set(f, 'no face');
                embeddings.set(f, face);
              }
            } catch (error) {
              failures.set(f, (error as Error).message);
            }
            progress.update(++done, 0);
          }),
        ),
      );
      progress.stop();
      let fusedPairs = 0;
      let scorable = 0;
      const scored: ScoredPair[] = pairs.map((p) => {
        const ea = embeddings.get(p.a);
        const eb = embeddings.get(p.b);
        let score = MISSING_SCORE;
        if (ea && eb) {
          // A person enrolled from a's face, and b's face scored for them: sort's template and score.
          const r = scoreAgainstReference(ea, [eb], o.embed);
          score = r.scores[0]!;
          scorable++;
          if (r.fused[0]) fusedPairs++;
        }
        return { score, same: p.same, ...(p.fold ? { fold: p.fold } : {}) };
      });
      const folds = new Set(scored.map((p) => p.fold)).size;
      const kfold = kFoldAccuracy(scored, scored[0]?.fold ? folds : 10);
      const auc = rocAuc(scored);
      const e = eer(scored);
      const tar = tarAtFar(scored, 1e-3);
      const result = {
        embed: o.embed,
        fusedPairs,
        pairs: scored.length,
        images: files.length,
        missingFaces: failures.size,
        accuracy: kfold.mean,
        accuracyStd: kfold.std,
        auc,
        threshold: kfold.threshold,
        eer: e.rate,
        eerThreshold: e.threshold,
        tarAtFar1e3: tar.tar,
        tarAtFar1e3Threshold: tar.threshold,
        tarAtFar1e3Resolved: tar.resolved,
        dPrime: dPrime(scored),
      };
      if (o.json) {
        console.log(JSON.stringify(result));
        return;
      }
      console.log(`scoring ${describeScoring(o.embed)}`);
      if (fusedPairs < scorable && o.embed === EmbedMode.Fused)
        console.log(
          `  ${scorable - fusedPairs} pair(s) without a descriptor scored by the first embedder alone`,
        );
      console.log(
        `pairs ${result.pairs} (${result.images} photos, ${result.missingFaces} without a usable face)`,
      );
      console.log(
        `accuracy ${(100 * kfold.mean).toFixed(2)}% ± ${(100 * kfold.std).toFixed(2)} (${kfold.perFold.length}-fold, threshold chosen on the other folds)`,
      );
      console.log(`ROC AUC ${auc.toFixed(4)}   d' ${result.dPrime.toFixed(2)}`);
      console.log(`EER ${(100 * e.rate).toFixed(2)}% at threshold ${e.threshold.toFixed(4)}`);
      console.log(
        `TAR ${(100 * tar.tar).toFixed(2)}% at FAR ${tar.far.toExponential(1)} (threshold ${tar.threshold.toFixed(4)})${tar.resolved ? '' : ' — too few different-person pairs to resolve FAR 1e-3'}`,
      );
      console.log(
        `suggested threshold ${kfold.threshold.toFixed(4)} (mean of the per-fold accuracy thresholds)`,
      );
      for (const [f, why] of [...failures].slice(0, 10)) console.log(`  ${f}: ${why}`);
    } finally {
      library?.close();
      await engine.close();
    }
  });
