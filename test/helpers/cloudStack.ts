import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, ContextKey } from '../../infra/buildApp.js';
import { HANDLERS } from '../../infra/constructs/lambdaBundle.js';
import type { MespotterStack } from '../../infra/stacks/MespotterStack.js';

/** Stand-ins for the built artefacts, so the stack synthesises without bundling or layer builds. */
const stubArtefacts = (root: string): Record<string, string> => {
  for (const name of Object.keys(HANDLERS)) {
    mkdirSync(join(root, 'lambda', name), { recursive: true });
    writeFileSync(
      join(root, 'lambda', name, 'index.js'),
      'exports.handler = async () => ({ batchItemFailures: [] });\n',
    );
  }
  mkdirSync(join(root, 'native', 'nodejs', 'node_modules', 'onnxruntime-node'), { recursive: true });
  mkdirSync(join(root, 'models'), { recursive: true });
  writeFileSync(join(root, 'models', 'manifest.json'), '{"modelSetId":"stub"}\n');
  return {
    [ContextKey.HandlersDir]: join(root, 'lambda'),
    [ContextKey.NativeLayerDir]: join(root, 'native'),
    [ContextKey.ModelsDir]: join(root, 'models'),
  };
};

const roots: string[] = [];

/** Deletes every folder synthStack made (call from afterAll). */
export const removeSynthesised = (): void => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
};

export const synthStack = (
  context: Record<string, string> = {},
): { stack: MespotterStack; template: Template } => {
  const root = mkdtempSync(join(tmpdir(), 'mespotter-cdk-'));
  // Stubs and the cloud assembly share one temp folder; removeSynthesised() deletes them all.
  roots.push(root);
  const { stack } = buildApp({
    outdir: join(root, 'cdk.out'),
    context: { ...stubArtefacts(root), ...context },
    // The CloudFormation schema check costs ~6 s and the assertions below cover what we rely on.
    builtinCloudFormationValidation: false,
  });
  return { stack, template: Template.fromStack(stack) };
};
