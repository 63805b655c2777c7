import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, ContextKey } from '../../infra/buildApp.js';
import { HANDLERS } from '../../infra/constructs/lambdaBundle.js';
import type { MespotterStack } from '../../infra/stacks/MespotterStack.js';

/** Stand-ins for the built artefacts, so the stack synthesises without bundling or layer builds. */
const stubArtefacts = (): Record<string, string> => {
  const root = mkdtempSync(join(tmpdir(), 'mespotter-cdk-'));
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

export const synthStack = (
  context: Record<string, string> = {},
): { stack: MespotterStack; template: Template } => {
  const { stack } = buildApp({
    context: { ...stubArtefacts(), ...context },
    // The CloudFormation schema check costs ~6 s and the assertions below cover what we rely on.
    builtinCloudFormationValidation: false,
  });
  return { stack, template: Template.fromStack(stack) };
};
