import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/buildApp.js';
import { LAYER_STAMP } from '../../layers/native/buildNativeLayer.js';

const run = promisify(execFile);

type Resources = Record<
  string,
  { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, string> }
>;

/**
 * What a new user runs after `git clone … && npm ci`: the CDK CLI with cdk.json's app command.
 * Nothing is built beforehand: the app bundles the handlers and builds the native layer into a
 * folder of its own (context buildDir, so the shared dist/ is left alone). Offline: no AWS
 * credentials or calls, no CLI notices, telemetry or version check; the native layer's sharp
 * binary comes from npm's cache (the registry the first time on a machine). The CloudFormation
 * schema check is skipped (CDK_VALIDATION=false, ~6 s): `npx cdk synth` and `deploy` run it.
 */
describe('npx cdk synth on a fresh checkout', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mespotter-synth-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds what the stack needs by itself and synthesises the template', async () => {
    // Prepare: a fresh build folder and an environment without AWS settings.
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
    Object.assign(env, {
      AWS_EC2_METADATA_DISABLED: 'true',
      CDK_VALIDATION: 'false',
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      CDK_DISABLE_VERSION_CHECK: '1',
    });
    const build = join(dir, 'build');
    const out = join(dir, 'cdk.out');
    expect(existsSync(build)).toBe(false);

    // Act
    const cli = join(PROJECT_ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
    const { stderr } = await run(
      process.execPath,
      [cli, 'synth', '-q', '--no-notices', '-o', out, '-c', `buildDir=${build}`],
      { cwd: PROJECT_ROOT, env, timeout: 240_000, maxBuffer: 16 * 1024 ** 2 },
    );

    // Assess: the template, with the four functions on Node 22 arm64 and their layers.
    expect(stderr).toContain('building the native layer');
    const template = Template.fromJSON(
      JSON.parse(readFileSync(join(out, 'Mespotter.template.json'), 'utf8')) as Record<string, unknown>,
    );
    const functions = Object.values(template.findResources('AWS::Lambda::Function') as Resources).filter(
      (f) => String(f.Properties['Description']).startsWith('mespotter '),
    );
    expect(functions.map((f) => String(f.Properties['Description']).split(':')[0]).sort()).toEqual([
      'mespotter copy',
      'mespotter detect',
      'mespotter ingest',
      'mespotter verify',
    ]);
    for (const f of functions)
      expect(f.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
    template.resourceCountIs('AWS::Lambda::LayerVersion', 2);
    template.hasResourceProperties('AWS::Lambda::LayerVersion', {
      CompatibleArchitectures: ['arm64'],
      Description: Match.stringLikeRegexp('onnxruntime-node and sharp'),
    });

    // The handler bundles and the layer it built are the stack's assets.
    for (const name of ['ingest', 'detect', 'verify', 'copy'])
      expect(existsSync(join(build, 'lambda', name, 'index.js')), name).toBe(true);
    const layers = template.findResources('AWS::Lambda::LayerVersion') as Resources;
    const native = Object.values(layers).find((l) =>
      String(l.Properties['Description']).startsWith('onnxruntime-node'),
    );
    const asset = join(out, native?.Metadata?.['aws:asset:path'] ?? 'missing');
    const modules = join(asset, 'nodejs', 'node_modules');
    expect(readdirSync(join(modules, 'onnxruntime-node', 'bin', 'napi-v6'))).toEqual(['linux']);
    expect(readdirSync(join(modules, 'onnxruntime-node', 'bin', 'napi-v6', 'linux'))).toEqual(['arm64']);
    expect(readdirSync(join(modules, '@img')).sort()).toEqual([
      'colour',
      'sharp-libvips-linux-arm64',
      'sharp-linux-arm64',
    ]);
    // The stamp that marks a finished build stays out of the layer.
    expect(existsSync(join(asset, LAYER_STAMP))).toBe(false);
  }, 300_000);
});
