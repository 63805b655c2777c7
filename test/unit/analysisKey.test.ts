import { describe, expect, it } from 'vitest';
import { ANALYSIS_VERSION, analysisNamespace } from '../../core/analysis/analysisKey.js';
import { resolveEngineConfig } from '../../core/config.js';
import { computeModelSetId } from '../../core/models/manifest.js';

const hashes = ['a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64)];
const threeModels = computeModelSetId('faceplugin-face-recognition-js', '0.0.1', hashes);
const fourModels = computeModelSetId('faceplugin-face-recognition-js', '0.0.1', [...hashes, 'd'.repeat(64)]);

describe('Function: analysisNamespace', () => {
  it('never serves analyses made with another model set (adding the descriptor model changes the id)', () => {
    const config = resolveEngineConfig();
    expect(analysisNamespace(fourModels, config)).not.toBe(analysisNamespace(threeModels, config));
  });

  it('separates embed modes and flip settings, whose faces differ (descriptors, averaged vectors)', () => {
    // Prepare
    const variants = [
      resolveEngineConfig({ embed: { mode: 'fused', flip: 'none' } }),
      resolveEngineConfig({ embed: { mode: 'fast', flip: 'none' } }),
      resolveEngineConfig({ embed: { mode: 'fused', flip: 'both' } }),
      resolveEngineConfig({ embed: { mode: 'fused', descriptorZoom: 1.25 } }),
    ];

    // Act
    const spaces = variants.map((c) => analysisNamespace(fourModels, c));

    // Assess
    expect(new Set(spaces).size).toBe(variants.length);
  });

  it('changes with the analysis code version and is stable otherwise', () => {
    const config = resolveEngineConfig();
    expect(analysisNamespace(fourModels, config)).toBe(analysisNamespace(fourModels, resolveEngineConfig()));
    expect(analysisNamespace(fourModels, config)).not.toBe(
      analysisNamespace(fourModels, config, ANALYSIS_VERSION - 1),
    );
  });

  it('ignores runtime settings, which do not change results', () => {
    const a = resolveEngineConfig({ runtime: { lanes: 1, intraOpThreads: 1 } });
    const b = resolveEngineConfig({ runtime: { lanes: 4, intraOpThreads: 2, embedBatch: 8 } });
    expect(analysisNamespace(fourModels, a)).toBe(analysisNamespace(fourModels, b));
  });
});
