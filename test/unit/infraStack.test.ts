import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentOf, removeSynthesised, synthStack } from '../helpers/cloudStack.js';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** The statements of the role policy attached to the function whose description starts with `name`. */
const policyOf = (template: Template, name: string): { Action: string | string[]; Resource: unknown }[] => {
  const functions = template.findResources('AWS::Lambda::Function') as Resources;
  const fn = Object.values(functions).find((f) =>
    String(f.Properties['Description']).startsWith(`mespotter ${name}:`),
  )!;
  const roleRef = (fn.Properties['Role'] as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  const policies = template.findResources('AWS::IAM::Policy') as Resources;
  return Object.values(policies)
    .filter((p) => (p.Properties['Roles'] as { Ref: string }[]).some((r) => r.Ref === roleRef))
    .flatMap(
      (p) =>
        (p.Properties['PolicyDocument'] as { Statement: { Action: string | string[]; Resource: unknown }[] })
          .Statement,
    );
};

const actions = (s: { Action: string | string[] }): string[] =>
  Array.isArray(s.Action) ? s.Action : [s.Action];
const resourcesText = (s: { Resource: unknown }): string => JSON.stringify(s.Resource);

afterAll(removeSynthesised);

describe('Stack: Mespotter', () => {
  let template: Template;

  beforeAll(() => {
    template = synthStack().template;
  });

  describe('bucket', () => {
    it('blocks public access, encrypts, enforces TLS and expires results/', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        LifecycleConfiguration: {
          Rules: Match.arrayWith([Match.objectLike({ Prefix: 'results/', ExpirationInDays: 90 })]),
        },
      });
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it('notifies the ingest queue for incoming/, reference/ and manifests/ only', () => {
      const notifications = template.findResources('Custom::S3BucketNotifications') as Resources;
      const config = Object.values(notifications)[0]!.Properties['NotificationConfiguration'] as {
        QueueConfigurations: { Filter: { Key: { FilterRules: { Name: string; Value: string }[] } } }[];
      };
      const prefixes = config.QueueConfigurations.map((q) => q.Filter.Key.FilterRules[0]!.Value).sort();
      expect(prefixes).toEqual(['incoming/', 'manifests/', 'reference/']);
    });
  });

  describe('queues and functions', () => {
    it('has four workers, each with a DLQ and a visibility timeout of 6x its function timeout', () => {
      const functions = Object.values(template.findResources('AWS::Lambda::Function') as Resources).filter(
        (f) => String(f.Properties['Description']).startsWith('mespotter'),
      );
      expect(functions).toHaveLength(4);
      const queues = template.findResources('AWS::SQS::Queue') as Resources;
      const withDlq = Object.values(queues).filter((q) => q.Properties['RedrivePolicy']);
      expect(withDlq).toHaveLength(4);
      const timeouts = functions.map((f) => Number(f.Properties['Timeout'])).sort((a, b) => a - b);
      const visibilities = withDlq
        .map((q) => Number(q.Properties['VisibilityTimeout']))
        .sort((a, b) => a - b);
      expect(visibilities).toEqual(timeouts.map((t) => t * 6));
      for (const q of withDlq) expect(q.Properties['RedrivePolicy']).toMatchObject({ maxReceiveCount: 3 });
    });

    it('runs Node 22 on arm64 with the engine layers where the engine or its manifest is needed', () => {
      const ours = Object.values(template.findResources('AWS::Lambda::Function') as Resources).filter((f) =>
        String(f.Properties['Description']).startsWith('mespotter'),
      );
      for (const f of ours)
        expect(f.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
      const detect = ours.find((f) => String(f.Properties['Description']).startsWith('mespotter detect'))!;
      expect(detect.Properties['Layers']).toHaveLength(2);
      expect(detect.Properties).toMatchObject({
        MemorySize: 1769,
        Environment: { Variables: { MESPOTTER_MODELS_DIR: '/opt' } },
      });
      template.resourceCountIs('AWS::Lambda::LayerVersion', 2);
      template.hasResourceProperties('AWS::Lambda::LayerVersion', { CompatibleArchitectures: ['arm64'] });
    });

    it('maps each queue with partial batch responses and a concurrency cap', () => {
      template.resourceCountIs('AWS::Lambda::EventSourceMapping', 4);
      template.allResourcesProperties('AWS::Lambda::EventSourceMapping', {
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: Match.anyValue() },
      });
    });

    it('batches photos: ten per detect invocation, fifty per verify invocation within a window', () => {
      const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping') as Resources);
      const byFunction = (name: string) => {
        const functions = template.findResources('AWS::Lambda::Function') as Resources;
        const id = Object.keys(functions).find((k) =>
          String(functions[k]!.Properties['Description']).startsWith(`mespotter ${name}:`),
        );
        return mappings.find((m) => (m.Properties['FunctionName'] as { Ref: string }).Ref === id)!.Properties;
      };
      expect(byFunction('detect')).toMatchObject({ BatchSize: 10, MaximumBatchingWindowInSeconds: 2 });
      expect(byFunction('verify')).toMatchObject({ BatchSize: 50, MaximumBatchingWindowInSeconds: 3 });
      expect(environmentOf(template, 'detect')['FACES_INDEX']).toBe('on');
    });

    it('builds for x86_64 and without the faces index when asked', () => {
      const { template: t } = synthStack({ architecture: 'x86_64', facesIndex: 'false' });
      const ours = Object.values(t.findResources('AWS::Lambda::Function') as Resources).filter((f) =>
        String(f.Properties['Description']).startsWith('mespotter '),
      );
      for (const f of ours) expect(f.Properties['Architectures']).toEqual(['x86_64']);
      t.allResourcesProperties('AWS::Lambda::LayerVersion', { CompatibleArchitectures: ['x86_64'] });
      expect(environmentOf(t, 'detect')['FACES_INDEX']).toBe('off');
      expect(() => synthStack({ architecture: 'arm' })).toThrow(/architecture must be arm64 or x86_64/);
      expect(() => synthStack({ facesIndex: 'no' })).toThrow(/facesIndex must be true or false/);
    });

    it('alarms on every DLQ and on function errors', () => {
      template.resourceCountIs('AWS::CloudWatch::Alarm', 8);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 1,
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Threshold: 1 });
    });

    it('sets no physical names', () => {
      for (const type of ['AWS::SQS::Queue', 'AWS::Lambda::Function', 'AWS::S3::Bucket']) {
        for (const r of Object.values(template.findResources(type) as Resources)) {
          expect(
            r.Properties?.['QueueName'] ?? r.Properties?.['FunctionName'] ?? r.Properties?.['BucketName'],
          ).toBeUndefined();
        }
      }
    });

    it('outputs the bucket and every queue URL', () => {
      const outputs = Object.keys(template.toJSON().Outputs as object);
      expect(outputs).toEqual(
        expect.arrayContaining([
          'BucketName',
          'IngestQueueUrl',
          'DetectQueueUrl',
          'VerifyQueueUrl',
          'CopyQueueUrl',
          'CopyDlqUrl',
        ]),
      );
    });
  });

  describe('IAM scoping', () => {
    it('lets only copy write to matches/', () => {
      for (const name of ['ingest', 'detect', 'verify', 'copy']) {
        const writesMatches = policyOf(template, name).some(
          (s) => actions(s).includes('s3:PutObject') && resourcesText(s).includes('/matches/*'),
        );
        expect(writesMatches, name).toBe(name === 'copy');
      }
    });

    it('scopes writes to prefixes and never grants s3:* or bucket-wide writes', () => {
      for (const name of ['ingest', 'detect', 'verify', 'copy']) {
        for (const s of policyOf(template, name)) {
          expect(actions(s)).not.toContain('s3:*');
          if (actions(s).includes('s3:PutObject')) {
            expect(resourcesText(s), name).toMatch(/\/(results|faces|matches|reference)\//);
            expect(resourcesText(s), name).not.toMatch(/"\/\*"/);
          }
        }
      }
    });

    it('lets each function send only to the next queue', () => {
      const sends = (name: string) =>
        policyOf(template, name)
          .filter((s) => actions(s).includes('sqs:SendMessage'))
          .map((s) => resourcesText(s));
      expect(sends('detect').join()).toMatch(/Verify/);
      expect(sends('verify').join()).toMatch(/Copy/);
      expect(sends('copy')).toEqual([]);
      expect(sends('ingest').join()).toMatch(/Detect/);
      expect(sends('ingest').join()).not.toMatch(/Verify|Copy/);
    });

    it('grants SubmitJob only when the GPU batch path is configured', () => {
      const hasSubmit = (t: Template) =>
        policyOf(t, 'ingest').some((s) => actions(s).includes('batch:SubmitJob'));
      expect(hasSubmit(template)).toBe(false);
      const withGpu = synthStack({
        gpuJobQueueArn: 'arn:aws:batch:us-east-1:111122223333:job-queue/gpu',
        gpuJobDefinitionArn: 'arn:aws:batch:us-east-1:111122223333:job-definition/mespotter:1',
      }).template;
      expect(hasSubmit(withGpu)).toBe(true);
    });

    it('builds the GPU path in the stack with gpuBatch=true: GPU job, queue from zero, ingest wired to it', () => {
      // Act
      const t = synthStack({ gpuBatch: 'true', gpuMaxVcpus: '8' }).template;

      // Assess: a GPU job running the container, on instances that scale from zero
      t.hasResourceProperties('AWS::Batch::JobDefinition', {
        ContainerProperties: Match.objectLike({
          ResourceRequirements: Match.arrayWith([{ Type: 'GPU', Value: '1' }]),
        }),
      });
      t.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
        ComputeResources: Match.objectLike({ MinvCpus: 0, MaxvCpus: 8, InstanceTypes: ['g5.xlarge'] }),
      });
      t.resourceCountIs('AWS::Batch::JobQueue', 1);
      // ingest submits to that queue and definition, and nothing else
      const submit = policyOf(t, 'ingest').find((s) => actions(s).includes('batch:SubmitJob'))!;
      expect(resourcesText(submit)).toMatch(/GpuBatchQueue/);
      expect(resourcesText(submit)).toMatch(/GpuBatchJob/);
      // the job may send to the verify queue (it runs the detect stage)
      const roles = t.findResources('AWS::IAM::Role') as Resources;
      const jobRole = Object.keys(roles).find((k) => k.startsWith('GpuBatchJobRole'))!;
      const policies = Object.values(t.findResources('AWS::IAM::Policy') as Resources).filter((p) =>
        (p.Properties['Roles'] as { Ref: string }[]).some((r) => r.Ref === jobRole),
      );
      const text = JSON.stringify(policies);
      expect(text).toContain('sqs:SendMessage');
      expect(text).toMatch(/VerifyQueue/);
    });
  });

  describe('teacher cascade', () => {
    const verifyOf = (t: Template) =>
      Object.values(t.findResources('AWS::Lambda::Function') as Resources).find((f) =>
        String(f.Properties['Description']).startsWith('mespotter verify:'),
      )!;
    const envOf = (t: Template) =>
      (verifyOf(t).Properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
    const comparesFaces = (t: Template) =>
      policyOf(t, 'verify').filter((s) => actions(s).some((a) => a.startsWith('rekognition:')));
    const readsAnyObject = (t: Template) =>
      policyOf(t, 'verify').some(
        (s) => actions(s).includes('s3:GetObject') && /"\/\*"/.test(resourcesText(s)),
      );

    it('is off by default: no Rekognition permission, no teacher settings, no native layer in verify', () => {
      expect(comparesFaces(template)).toEqual([]);
      expect(readsAnyObject(template)).toBe(false);
      expect(Object.keys(envOf(template)).filter((k) => k.startsWith('MESPOTTER_TEACHER'))).toEqual([]);
      expect(verifyOf(template).Properties['Layers']).toHaveLength(1);
    });

    it('with teacherGrayZone, gives verify CompareFaces, photo reads, sharp and its settings', () => {
      const t = synthStack({
        teacherGrayZone: '0.3,0.5',
        teacherRate: '5',
        teacherPrice: '0.0008',
        teacherThreshold: '90',
      }).template;
      expect(comparesFaces(t)).toEqual([
        expect.objectContaining({ Action: 'rekognition:CompareFaces', Resource: '*', Effect: 'Allow' }),
      ]);
      expect(readsAnyObject(t)).toBe(true);
      expect(envOf(t)).toMatchObject({
        MESPOTTER_TEACHER_GRAY_ZONE: '0.3,0.5',
        // 5 calls/s for the function, split over its 10 containers.
        MESPOTTER_TEACHER_RATE: '0.5',
        MESPOTTER_TEACHER_PRICE_USD: '0.0008',
        MESPOTTER_TEACHER_THRESHOLD: '90',
      });
      expect(verifyOf(t).Properties['Layers']).toHaveLength(2);
      // The other functions are unchanged.
      for (const name of ['ingest', 'detect', 'copy'])
        expect(policyOf(t, name).some((s) => actions(s).some((a) => a.startsWith('rekognition:')))).toBe(
          false,
        );
    });

    it('refuses a bad gray zone or rate at synth', () => {
      expect(() => synthStack({ teacherGrayZone: '0.5,0.3' })).toThrow(/LO <= HI/);
      expect(() => synthStack({ teacherGrayZone: '0.3,0.5', teacherRate: '0' })).toThrow(/teacherRate/);
    });
  });

  describe('existing bucket', () => {
    it('uses the named bucket instead of creating one', () => {
      const { template: t } = synthStack({ sourceBucket: 'my-photos' });
      t.resourceCountIs('AWS::S3::Bucket', 0);
      expect(JSON.stringify(t.toJSON().Outputs)).toContain('my-photos');
    });
  });
});
