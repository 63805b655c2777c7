import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/buildApp.js';
import {
  isCurrentLayer,
  LAYER_STAMP,
  LayerArch,
  layerStamp,
  runtimeClosure,
} from '../../layers/native/buildNativeLayer.js';

describe('Native layer: what it holds and when it is rebuilt', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mespotter-layer-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('copies the runtime closure of onnxruntime-node and sharp, not the install-script tooling', () => {
    const closure = runtimeClosure(PROJECT_ROOT);
    for (const p of ['onnxruntime-node', 'onnxruntime-common', 'sharp', 'detect-libc', '@img/colour'])
      expect(closure, p).toContain(p);
    // sharp's semver, wherever npm put it.
    expect(closure.some((p) => p === 'semver' || p.endsWith('/node_modules/semver'))).toBe(true);
    expect(closure).not.toContain('adm-zip');
    expect(closure).not.toContain('global-agent');
  });

  it('stamps the versions and sharp’s binary for the architecture', () => {
    const stamp = layerStamp(PROJECT_ROOT, LayerArch.Arm64);
    expect(stamp.arch).toBe('arm64');
    expect(Object.keys(stamp.packages)).toEqual(
      expect.arrayContaining([
        '@img/sharp-linux-arm64',
        '@img/sharp-libvips-linux-arm64',
        'onnxruntime-node',
      ]),
    );
    expect(Object.keys(layerStamp(PROJECT_ROOT, LayerArch.X64).packages)).toContain('@img/sharp-linux-x64');
  });

  it('reuses a layer only when its stamp matches these versions and this architecture', () => {
    const layer = join(dir, 'layer');
    expect(isCurrentLayer(PROJECT_ROOT, layer, LayerArch.Arm64)).toBe(false);
    mkdirSync(layer, { recursive: true });
    writeFileSync(join(layer, LAYER_STAMP), JSON.stringify(layerStamp(PROJECT_ROOT, LayerArch.Arm64)));
    expect(isCurrentLayer(PROJECT_ROOT, layer, LayerArch.Arm64)).toBe(true);
    expect(isCurrentLayer(PROJECT_ROOT, layer, LayerArch.X64)).toBe(false);
    const older = layerStamp(PROJECT_ROOT, LayerArch.Arm64);
    writeFileSync(
      join(layer, LAYER_STAMP),
      JSON.stringify({ ...older, packages: { ...older.packages, sharp: '0.0.1' } }),
    );
    expect(isCurrentLayer(PROJECT_ROOT, layer, LayerArch.Arm64)).toBe(false);
    writeFileSync(join(layer, LAYER_STAMP), 'not json');
    expect(isCurrentLayer(PROJECT_ROOT, layer, LayerArch.Arm64)).toBe(false);
  });
});
