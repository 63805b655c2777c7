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
import type { ResultLine } from '../../core/report/resultLine.js';
import { executeErasure, planForget, planPurgeFaces } from '../../functions/shared/erasure.js';
import { forgetInLines, mentions, withoutPerson } from '../../functions/shared/forgetInLines.js';
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

  it('rewrites a line without the person and deletes objects of old per-person lines that were theirs', async () => {
    // Arrange: a photo where Anna and Bob were found (one line), and an object of v1 lines (one per person).
    const both = photoLine();
    const v1 = (person: string) =>
      JSON.stringify({ path: 'old.jpg', status: 'no_match', person, threshold: 0.4, faces: [] });
    // Generic first: aws-sdk-client-mock lets the later, more specific behaviour win.
    s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    s3.on(ListObjectsV2Command, { Prefix: 'results/' }).resolves({
      Contents: [
        { Key: 'results/r/lines/1.jsonl', Size: 9 },
        { Key: 'results/r/lines/2.jsonl', Size: 5 },
        { Key: 'results/r/lines/3.jsonl', Size: 5 },
        { Key: 'results/r/summary.json', Size: 5 },
      ],
    });
    s3.on(GetObjectCommand, { Key: 'results/r/lines/1.jsonl' }).resolves({
      Body: objectBody(`${JSON.stringify(both)}\n`),
    } as never);
    s3.on(GetObjectCommand, { Key: 'results/r/lines/2.jsonl' }).resolves({
      Body: objectBody(`${v1('Anna')}\n`),
    } as never);
    s3.on(GetObjectCommand, { Key: 'results/r/lines/3.jsonl' }).resolves({
      Body: objectBody(`${JSON.stringify(withoutPerson(photoLine(), 'Anna'))}\n`),
    } as never);
    s3.on(PutObjectCommand).resolves({});
    s3.on(DeleteObjectsCommand).resolves({});

    // Act
    const plan = await planForget('b', 'Anna');
    const outcome = await executeErasure(plan);

    // Assert: 3.jsonl says nothing about Anna and is left alone.
    expect(plan.targets).toEqual([
      { key: 'results/r/lines/1.jsonl', size: 9, action: 'rewrite' },
      { key: 'results/r/lines/2.jsonl', size: 5, action: 'delete' },
    ]);
    expect(outcome).toEqual({
      deleted: ['results/r/lines/2.jsonl'],
      rewritten: ['results/r/lines/1.jsonl'],
      failed: [],
    });
    const rewritten = JSON.parse(String(s3.commandCalls(PutObjectCommand)[0]!.args[0].input.Body));
    expect(rewritten).toEqual(withoutPerson(both, 'Anna'));
    expect(JSON.stringify(rewritten)).not.toContain('Anna');
  });
});

/** A photo where Anna and Bob were found, with a copy each and a teacher check of Anna. */
const photoLine = (): ResultLine => ({
  path: 'incoming/p.jpg',
  status: 'matched',
  people: ['Anna', 'Bob'],
  sha256: 'abc',
  faces: [
    {
      box: { x1: 0, y1: 0, x2: 9, y2: 9 },
      detScore: 0.9,
      quality: 1,
      person: 'Anna',
      score: 0.7,
      margin: 0.5,
      decidedBy: 'auto',
    },
    {
      box: { x1: 20, y1: 0, x2: 29, y2: 9 },
      detScore: 0.9,
      quality: 1,
      person: 'Bob',
      score: 0.6,
      margin: 0.4,
      decidedBy: 'auto',
    },
    {
      box: { x1: 40, y1: 0, x2: 49, y2: 9 },
      detScore: 0.9,
      quality: 1,
      person: null,
      score: 0.3,
      best: 'Anna',
    },
  ],
  copies: [
    { people: ['Anna'], outcome: 'copied', destination: 'matches/Anna/incoming/p.jpg' },
    { people: ['Bob'], outcome: 'copied', destination: 'matches/Bob/incoming/p.jpg' },
  ],
  teacher: [{ person: 'Anna', outcome: 'confirmed', localStatus: 'matched', calls: 1, costUsd: 0.001 }],
});

describe('forget in result lines (pure)', () => {
  it('removes the person from people, faces, copies and teacher entries; the others stay as they were', () => {
    const out = withoutPerson(photoLine(), 'Anna');
    expect(out.status).toBe('matched');
    expect(out.people).toEqual(['Bob']);
    expect(out.faces).toEqual([
      { box: { x1: 0, y1: 0, x2: 9, y2: 9 }, detScore: 0.9, quality: 1, person: null },
      photoLine().faces[1],
      { box: { x1: 40, y1: 0, x2: 49, y2: 9 }, detScore: 0.9, quality: 1, person: null },
    ]);
    expect(out.copies).toEqual([photoLine().copies![1]]);
    expect(out).not.toHaveProperty('teacher');
    expect(mentions(out, 'Anna')).toBe(false);
    expect(mentions(out, 'Bob')).toBe(true);
  });

  it('makes a photo where only the person was found a no_match, and keeps lines about others untouched', () => {
    const theirs = withoutPerson(withoutPerson(photoLine(), 'Bob'), 'Anna');
    expect(theirs).toMatchObject({ status: 'no_match', people: [] });
    expect(theirs).not.toHaveProperty('copies');
    const text = `${JSON.stringify(photoLine())}\nnot json\n`;
    expect(forgetInLines(text, 'Zoe')).toEqual({ text, changed: false, empty: false });
  });
});
