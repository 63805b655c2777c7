import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { type EngineConfigInput, resolveEngineConfig } from '../../core/config.js';
import { ConfigError } from '../../core/errors.js';

const defaults = {
  decode: { maxPixels: 100_000_000, maxFileBytes: 200 * 1024 * 1024, analysisMaxSide: 2048 },
  detect: {
    minFaceSize: 48,
    detectorMinFace: 15,
    maxGrid: 4,
    tileOverlap: 0.25,
    scoreThreshold: 0.65,
    tileScoreThreshold: 0.8,
    nmsIou: 0.4,
    nmsContainment: 0.7,
    paddedPass: 0.5,
    maxFaces: 64,
  },
  align: { rollAgreement: 20, minGeometry: 0.5 },
  embed: { mode: 'fused', flip: 'none', descriptorFraming: 'aligned', descriptorZoom: 1 },
  runtime: { lanes: Math.max(1, availableParallelism()), intraOpThreads: 1, device: 'cpu', embedBatch: 16 },
};

describe('Function: resolveEngineConfig', () => {
  it('fills every default when called without input', () => {
    // Prepare
    const input = undefined;

    // Act
    const config = resolveEngineConfig(input);

    // Assess
    expect(config).toEqual(defaults);
  });

  it('fills every default from an empty object and from empty sections', () => {
    // Prepare
    const inputs: EngineConfigInput[] = [{}, { decode: {}, detect: {}, align: {}, embed: {}, runtime: {} }];

    for (const input of inputs) {
      // Act
      const config = resolveEngineConfig(input);

      // Assess
      expect(config).toEqual(defaults);
    }
  });

  it('overrides only the given values and keeps the other defaults', () => {
    // Prepare
    const input: EngineConfigInput = {
      detect: { maxGrid: 2, scoreThreshold: 0.5 },
      runtime: { device: 'cuda' },
    };

    // Act
    const config = resolveEngineConfig(input);

    // Assess
    expect(config).toEqual({
      ...defaults,
      detect: { ...defaults.detect, maxGrid: 2, scoreThreshold: 0.5 },
      runtime: { ...defaults.runtime, device: 'cuda' },
    });
  });

  it('returns a frozen object', () => {
    // Prepare
    const input = {};

    // Act
    const config = resolveEngineConfig(input);

    // Assess
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('throws a ConfigError naming the bad setting for invalid values', () => {
    // Prepare
    const invalid: [unknown, string][] = [
      [{ detect: { tileOverlap: 0.6 } }, 'tileOverlap'],
      [{ detect: { maxGrid: 2.5 } }, 'maxGrid'],
      [{ detect: { maxGrid: 0 } }, 'maxGrid'],
      [{ detect: { minFaceSize: -1 } }, 'minFaceSize'],
      [{ decode: { analysisMaxSide: 100 } }, 'analysisMaxSide'],
      [{ align: { minGeometry: 2 } }, 'minGeometry'],
      [{ align: { rollAgreement: 0 } }, 'rollAgreement'],
      [{ runtime: { device: 'tpu' } }, 'device'],
      [{ runtime: { lanes: '4' } }, 'lanes'],
      [{ embed: { mode: 'slow' } }, 'mode'],
      [{ embed: { flip: 'yes' } }, 'flip'],
      [{ embed: { descriptorZoom: 3 } }, 'descriptorZoom'],
    ];

    for (const [input, key] of invalid) {
      // Act
      const act = () => resolveEngineConfig(input as EngineConfigInput);

      // Assess
      expect(act).toThrow(ConfigError);
      expect(act).toThrow(/^Invalid engine configuration/);
      expect(act).toThrow(key);
    }
  });
});
