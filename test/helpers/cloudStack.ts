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

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

export interface PolicyStatementJson {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** The role of a stack function (by its description's `mespotter <name>:`) or the GPU job. */
const roleOf = (template: Template, who: string): string => {
  if (who === 'gpu-batch') {
    const roles = template.findResources('AWS::IAM::Role') as Resources;
    return Object.keys(roles).find((k) => k.startsWith('GpuBatchJobRole'))!;
  }
  const functions = template.findResources('AWS::Lambda::Function') as Resources;
  const fn = Object.values(functions).find((f) =>
    String(f.Properties['Description']).startsWith(`mespotter ${who}:`),
  );
  if (!fn) throw new Error(`no function ${who}`);
  return (fn.Properties['Role'] as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
};

/** Every statement of the policies attached to a function's (or the GPU job's) role. */
export const statementsOf = (template: Template, who: string): PolicyStatementJson[] => {
  const role = roleOf(template, who);
  const policies = template.findResources('AWS::IAM::Policy') as Resources;
  return Object.values(policies)
    .filter((p) => (p.Properties['Roles'] as { Ref: string }[]).some((r) => r.Ref === role))
    .flatMap((p) => (p.Properties['PolicyDocument'] as { Statement: PolicyStatementJson[] }).Statement);
};

/** The template's resource ARNs as plain text: a bucket's Arn is arn:aws:s3:::<logical id>. */
const resolveArn = (template: Template, value: unknown): string => {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (v['Fn::Join']) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => resolveArn(template, p)).join(sep);
  }
  if (v['Fn::GetAtt']) {
    const [id, attr] = v['Fn::GetAtt'] as [string, string];
    const type = (template.toJSON().Resources as Resources)[id]?.Type;
    return type === 'AWS::S3::Bucket' && attr === 'Arn' ? `arn:aws:s3:::${id}` : `${type}:${id}:${attr}`;
  }
  if (v['Ref'] === 'AWS::Partition') return 'aws';
  if (v['Ref']) return `ref:${String(v['Ref'])}`;
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
};

/** IAM's wildcards: `*` any run of characters ('/' included), `?` one character. */
const wildcard = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

/**
 * What a principal may do to one object of the stack's bucket, by IAM's rules for identity
 * policies: an explicit Deny wins, else any Allow, else no. Statements with conditions are not
 * modelled (the stack's S3 statements have none) and make this throw.
 */
export const bucketAccess = (
  template: Template,
  who: string,
  bucket: string = Object.keys(template.findResources('AWS::S3::Bucket'))[0] ?? '',
) => {
  const statements = statementsOf(template, who).map((s) => ({
    effect: s.Effect,
    actions: list(s.Action).map((a) => wildcard(String(a))),
    resources: list(s.Resource).map((r) => wildcard(resolveArn(template, r))),
    conditional: s.Condition !== undefined,
  }));
  return (action: string, key: string): boolean => {
    const arn = `arn:aws:s3:::${bucket}/${key}`;
    const applies = statements.filter(
      (s) => s.actions.some((a) => a.test(action)) && s.resources.some((r) => r.test(arn)),
    );
    if (applies.some((s) => s.conditional)) throw new Error(`conditional statement for ${action} ${key}`);
    if (applies.some((s) => s.effect === 'Deny')) return false;
    return applies.some((s) => s.effect === 'Allow');
  };
};

const TOKEN = 'https://sqs.us-east-1.amazonaws.com/111122223333/resolved-token';
const concrete = (v: unknown): string => (typeof v === 'string' ? v : TOKEN);

/** The GPU job definition's environment, tokens made concrete. */
export const jobEnvironmentOf = (template: Template): Record<string, string> => {
  const [job] = Object.values(template.findResources('AWS::Batch::JobDefinition') as Resources);
  const env = (job!.Properties['ContainerProperties'] as { Environment: { Name: string; Value: unknown }[] })
    .Environment;
  return Object.fromEntries(env.map((e) => [e.Name, concrete(e.Value)]));
};

/** A function's environment with CloudFormation tokens (queue URLs, the bucket name) made concrete. */
export const environmentOf = (template: Template, who: string): Record<string, string> => {
  const functions = template.findResources('AWS::Lambda::Function') as Resources;
  const fn = Object.values(functions).find((f) =>
    String(f.Properties['Description']).startsWith(`mespotter ${who}:`),
  );
  if (!fn) throw new Error(`no function ${who}`);
  const vars = (fn.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, concrete(v)]));
};
