import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { executeErasure, planForget, planPurgeFaces } from '../../functions/shared/erasure.js';
import { objectBody } from '../helpers/cloudEvents.js';

const s3 = mockClient(S3Client);

describe('Erasure plans (mocked S3)', () => {
  beforeEach(() => {
    process.env['AWS_REGION'] = 'us-east-1';
    s3.reset();
  });

  it('deletes at most 1000 keys per DeleteObjects call and reports the keys S3 refused', async () => {
    // Arrange: 2,500 faces-index entries; S3 refuses one of them.
    const keys = Array.from({ length: 2500 }, (_, i) => `faces/ns/${i}.json`);
    s3.on(ListObjectsV2Command).resolves({ Contents: keys.map((Key) => ({ Key, Size: 10 })) });
    s3.on(DeleteObjectsCommand).callsFake((input: { Delete: { Objects: { Key: string }[] } }) => ({
      Deleted: input.Delete.Objects.filter((o) => o.Key !== 'faces/ns/7.json'),
      Errors: input.Delete.Objects.some((o) => o.Key === 'faces/ns/7.json')
        ? [{ Key: 'faces/ns/7.json', Code: 'AccessDenied', Message: 'Access Denied' }]
        : [],
    }));

    // Act
    const outcome = await executeErasure(await planPurgeFaces('b'));

    // Assert
    const sizes = s3.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input.Delete?.Objects?.length);
    expect(sizes).toEqual([1000, 1000, 500]);
    expect(outcome.deleted).toHaveLength(2499);
    expect(outcome.failed).toEqual([{ key: 'faces/ns/7.json', reason: 'AccessDenied: Access Denied' }]);
  });

  it("lists only the person's own prefixes, with a trailing slash, and refuses names that are not person names", async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    await planForget('b', 'An', { results: false });
    expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input.Prefix)).toEqual([
      'reference/An/',
      'matches/An/',
    ]);
    for (const bad of ['', 'a/b', '..', '*', 'Anna/../Bob'])
      await expect(planForget('b', bad), bad).rejects.toThrow(/not a valid person name/);
  });

  it('rewrites a lines object without the person, reading it again at erase time', async () => {
    const line = (person: string) =>
      JSON.stringify({ path: 'p.jpg', status: 'no_match', person, threshold: 0.4, faces: [] });
    // Generic first: aws-sdk-client-mock lets the later, more specific behaviour win.
    s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    s3.on(ListObjectsV2Command, { Prefix: 'results/' }).resolves({
      Contents: [{ Key: 'results/r/lines/1.jsonl', Size: 9 }],
    });
    s3.on(GetObjectCommand).resolvesOnce({ Body: objectBody(`${line('Anna')}\n${line('Bob')}\n`) } as never);
    const plan = await planForget('b', 'Anna');
    expect(plan.targets).toEqual([{ key: 'results/r/lines/1.jsonl', size: 9, action: 'rewrite' }]);
    // Since planned, the pipeline added Carol's line: it is kept too.
    s3.on(GetObjectCommand).resolves({
      Body: objectBody(`${line('Anna')}\n${line('Bob')}\n${line('Carol')}\n`),
    } as never);
    s3.on(PutObjectCommand).resolves({});

    const outcome = await executeErasure(plan);

    expect(outcome).toEqual({ deleted: [], rewritten: ['results/r/lines/1.jsonl'], failed: [] });
    expect(String(s3.commandCalls(PutObjectCommand)[0]!.args[0].input.Body)).toBe(
      `${line('Bob')}\n${line('Carol')}\n`,
    );
  });
});
