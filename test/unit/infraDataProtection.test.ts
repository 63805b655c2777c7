import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyEnv } from '../../functions/copy/copyEnv.js';
import { detectEnv } from '../../functions/detect/detectEnv.js';
import { ingestEnv } from '../../functions/ingest/ingestEnv.js';
import { verifyEnv } from '../../functions/verify/verifyEnv.js';
import { gpuBatchEnv } from '../../gpu-batch/gpuBatchEnv.js';
import {
  bucketAccess,
  environmentOf,
  jobEnvironmentOf,
  removeSynthesised,
  statementsOf,
  synthStack,
} from '../helpers/cloudStack.js';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** One object of each kind the bucket holds. */
const KEY = {
  photo: 'photos/2024/party.jpg',
  dropped: 'incoming/party.jpg',
  reference: 'reference/Anna/anna1.jpg',
  gallery: 'reference/Anna/gallery.json',
  enrolment: 'reference/Anna/enrolment.json',
  faces: 'faces/m@1-abc/ab/abcdef.json',
  match: 'matches/Anna/photos/2024/party.jpg',
  resultLine: 'results/run-1/lines/0a1b.jsonl',
  summary: 'results/run-1/summary.json',
  keysList: 'results/run-1/keys.jsonl',
  manifest: 'manifests/run.jsonl',
} as const;
type Kind = keyof typeof KEY;

const readable = (t: Template, who: string): Kind[] => {
  const can = bucketAccess(t, who);
  return (Object.keys(KEY) as Kind[]).filter((k) => can('s3:GetObject', KEY[k]));
};
const writable = (t: Template, who: string): Kind[] => {
  const can = bucketAccess(t, who);
  return (Object.keys(KEY) as Kind[]).filter((k) => can('s3:PutObject', KEY[k]));
};

afterAll(removeSynthesised);

describe('Stack: who may read biometric data', () => {
  let template: Template;
  let withTeacher: Template;
  let withGpu: Template;

  beforeAll(() => {
    template = synthStack().template;
    withTeacher = synthStack({ teacherGrayZone: '0.3,0.5' }).template;
    withGpu = synthStack({ gpuBatch: 'true' }).template;
  });

  it('copy reads the photos it copies and its destinations, never references, galleries, faces or results', () => {
    expect(readable(template, 'copy')).toEqual(['photo', 'dropped', 'match', 'manifest']);
    expect(writable(template, 'copy')).toEqual(['match', 'resultLine', 'summary', 'keysList']);
  });

  it('detect reads photos, reference photos and the faces index, but no gallery, enrolment, match or result', () => {
    expect(readable(template, 'detect')).toEqual(['photo', 'dropped', 'reference', 'faces', 'manifest']);
    expect(writable(template, 'detect')).toEqual([
      'gallery',
      'enrolment',
      'faces',
      'resultLine',
      'summary',
      'keysList',
    ]);
  });

  it('verify reads only the faces index and the galleries', () => {
    expect(readable(template, 'verify')).toEqual(['gallery', 'faces']);
    expect(writable(template, 'verify')).toEqual(['resultLine', 'summary', 'keysList']);
  });

  it('verify with the teacher also reads photos and reference photos (Rekognition), still no match or result', () => {
    expect(readable(withTeacher, 'verify')).toEqual([
      'photo',
      'dropped',
      'reference',
      'gallery',
      'faces',
      'manifest',
    ]);
  });

  it('ingest reads only manifests and results', () => {
    expect(readable(template, 'ingest')).toEqual(['resultLine', 'summary', 'keysList', 'manifest']);
    expect(writable(template, 'ingest')).toEqual(['resultLine', 'summary', 'keysList']);
  });

  it('the GPU job reads photos, the faces index and its key list; no reference data, match or result line', () => {
    expect(readable(withGpu, 'gpu-batch')).toEqual(['photo', 'dropped', 'faces', 'keysList', 'manifest']);
    expect(writable(withGpu, 'gpu-batch')).toEqual(['faces', 'resultLine', 'summary', 'keysList']);
    const sends = statementsOf(withGpu, 'gpu-batch')
      .filter((s) => [s.Action].flat().includes('sqs:SendMessage'))
      .map((s) => JSON.stringify(s.Resource));
    expect(sends.join()).toMatch(/Verify/);
    expect(sends.join()).toMatch(/Detect/);
  });

  it('no function can delete objects', () => {
    for (const who of ['ingest', 'detect', 'verify', 'copy']) {
      const can = bucketAccess(template, who);
      for (const key of Object.values(KEY)) expect(can('s3:DeleteObject', key), `${who} ${key}`).toBe(false);
    }
  });

  it('keeps the denials on an existing bucket too', () => {
    const t = synthStack({ sourceBucket: 'my-photos' }).template;
    const copy = bucketAccess(t, 'copy', 'my-photos');
    expect(copy('s3:GetObject', KEY.photo)).toBe(true);
    expect(copy('s3:GetObject', KEY.gallery)).toBe(false);
    expect(copy('s3:GetObject', KEY.faces)).toBe(false);
  });
});

describe('Stack: retention of personal data', () => {
  const rules = (t: Template) => {
    const [bucket] = Object.values(t.findResources('AWS::S3::Bucket') as Resources);
    return (bucket!.Properties['LifecycleConfiguration'] as { Rules: Record<string, unknown>[] }).Rules;
  };
  const dlqRetentions = (t: Template) =>
    Object.values(t.findResources('AWS::SQS::Queue') as Resources)
      .filter((q) => !q.Properties['RedrivePolicy'])
      .map((q) => q.Properties['MessageRetentionPeriod']);

  it('expires the faces index after 30 days and results after 90, keeps DLQ messages a week', () => {
    const { template } = synthStack();
    expect(rules(template)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Id: 'expire-faces',
          Prefix: 'faces/',
          ExpirationInDays: 30,
          Status: 'Enabled',
        }),
        expect.objectContaining({ Id: 'expire-results', Prefix: 'results/', ExpirationInDays: 90 }),
      ]),
    );
    expect(dlqRetentions(template)).toEqual([604_800, 604_800, 604_800, 604_800]);
    // The bucket outlives the stack: it holds the user's photos.
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('takes the retention from context', () => {
    const { template } = synthStack({
      facesRetentionDays: '7',
      resultsRetentionDays: '30',
      dlqRetentionDays: '2',
    });
    expect(rules(template)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Prefix: 'faces/', ExpirationInDays: 7 }),
        expect.objectContaining({ Prefix: 'results/', ExpirationInDays: 30 }),
      ]),
    );
    expect(dlqRetentions(template)).toEqual([172_800, 172_800, 172_800, 172_800]);
  });

  it('refuses retention that is not a whole number of days in range', () => {
    expect(() => synthStack({ facesRetentionDays: '0' })).toThrow(/facesRetentionDays/);
    expect(() => synthStack({ facesRetentionDays: 'forever' })).toThrow(/facesRetentionDays/);
    expect(() => synthStack({ resultsRetentionDays: '1.5' })).toThrow(/resultsRetentionDays/);
    expect(() => synthStack({ dlqRetentionDays: '15' })).toThrow(
      /dlqRetentionDays must be a whole number of days in 1\.\.14/,
    );
  });

  it('warns that an existing bucket gets no lifecycle rules', () => {
    const { stack } = synthStack({ sourceBucket: 'my-photos' });
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('facesRetentionDays'));
  });
});

describe('Stack: every function gets an environment its schema accepts', () => {
  it.each([
    ['default', {}],
    ['teacher cascade', { teacherGrayZone: '0.3,0.5', teacherPrice: '0.0008', teacherThreshold: '90' }],
    ['GPU batch', { gpuBatch: 'true' }],
  ])('%s', (_, context: Record<string, string>) => {
    const { template } = synthStack(context);
    expect(() => ingestEnv.parse(environmentOf(template, 'ingest'))).not.toThrow();
    expect(() => detectEnv.parse(environmentOf(template, 'detect'))).not.toThrow();
    expect(() => verifyEnv.parse(environmentOf(template, 'verify'))).not.toThrow();
    expect(() => copyEnv.parse(environmentOf(template, 'copy'))).not.toThrow();
    if (context['gpuBatch']) {
      expect(ingestEnv.parse(environmentOf(template, 'ingest')).gpuBatch).toBeDefined();
      // SubmitJob adds the run's variables (functions/shared/GpuBatchSubmitter.ts).
      const job = {
        MESPOTTER_RUN_ID: 'r',
        MESPOTTER_BUCKET: 'b',
        MESPOTTER_KEYS_KEY: 'results/r/keys.jsonl',
      };
      expect(() => gpuBatchEnv.parse({ ...jobEnvironmentOf(template), ...job })).not.toThrow();
    }
  });
});

describe('Stack: logs', () => {
  it('keeps every log group a month, the GPU job included', () => {
    const { template } = synthStack({ gpuBatch: 'true' });
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup') as Resources);
    expect(groups).toHaveLength(5);
    for (const g of groups) expect(g.Properties['RetentionInDays']).toBe(30);
    template.hasResourceProperties('AWS::Batch::JobDefinition', {
      ContainerProperties: Match.objectLike({ LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }) }),
    });
  });
});
