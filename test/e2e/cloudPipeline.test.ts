import { SendMessageCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceEngine } from '../../core/FaceEngine.js';
import type { CloudRunSummary } from '../../functions/ingest/summarizeRun.js';
import { PROJECT_ROOT } from '../../infra/buildApp.js';
import { LocalCloud } from '../../infra/local/LocalCloud.js';
import { getText, listKeys, put, readResultLines } from '../helpers/cloudObjects.js';
import { type CloudTestPhotos, makeCloudTestPhotos } from '../helpers/cloudPhotos.js';

const PERSON = 'Anna';
const ODD_KEY = 'collection/été 2024/Zoë & friends + 1.jpg';

describe('Serverless pipeline (emulated S3 + SQS, bundled handlers, real models)', () => {
  let cloud: LocalCloud;
  let photos: CloudTestPhotos;

  beforeAll(async () => {
    const engine = await FaceEngine.create();
    photos = await makeCloudTestPhotos(engine);
    await engine.close();
    cloud = await LocalCloud.start({ projectRoot: PROJECT_ROOT });
  });

  afterAll(async () => {
    await cloud?.stop();
  });

  it('listens on the loopback interface only', () => {
    expect(cloud.server.address).toMatch(/127\.0\.0\.1/);
  });

  it('enrols the person from uploads to reference/<person>/', async () => {
    // Prepare / Act
    for (const [i, ref] of photos.references.entries())
      await put(cloud.s3, cloud.bucket, `reference/${PERSON}/ref ${i}.jpg`, ref);
    await cloud.drain();

    // Assess
    const gallery = JSON.parse(await getText(cloud.s3, cloud.bucket, `reference/${PERSON}/gallery.json`)) as {
      person: string;
      references: unknown[];
    };
    expect(gallery.person).toBe(PERSON);
    expect(gallery.references).toHaveLength(photos.references.length);
  });

  it('sorts dropped photos and a manifest run: exact copies, a line for every input', async () => {
    // Prepare: drops into incoming/, and a collection elsewhere run through a manifest.
    const [s1, s2, s3, s4, s5, s6] = photos.samples;
    await put(cloud.s3, cloud.bucket, 'incoming/party.jpg', s1!);
    await put(cloud.s3, cloud.bucket, 'incoming/others.jpg', s2!);
    await put(cloud.s3, cloud.bucket, 'incoming/broken.jpg', photos.corrupt);
    await put(cloud.s3, cloud.bucket, 'incoming/notes.txt', 'not a photo');
    const collection: Record<string, Uint8Array | string> = {
      'collection/sample1.jpg': s1!,
      'collection/sample3.jpg': s3!,
      'collection/sample4.jpg': s4!,
      'collection/more/sample5.jpg': s5!,
      'collection/more/sample6.jpg': s6!,
      [ODD_KEY]: photos.sample1Reencoded,
      'collection/corrupt.jpg': photos.corrupt,
      'collection/readme.md': '# not a photo',
    };
    for (const [key, body] of Object.entries(collection)) await put(cloud.s3, cloud.bucket, key, body);
    const manifest = [
      '"collection/sample1.jpg"',
      JSON.stringify({ key: 'collection/sample3.jpg' }),
      'collection/sample4.jpg',
      JSON.stringify({ prefix: 'collection/more/' }),
      JSON.stringify({ key: ODD_KEY }),
      JSON.stringify({ key: 'collection/corrupt.jpg' }),
      JSON.stringify({ key: 'collection/readme.md' }),
      JSON.stringify({ key: 'collection/missing.jpg' }),
    ].join('\n');

    // Act
    await put(cloud.s3, cloud.bucket, 'manifests/first run.jsonl', manifest);
    await cloud.drain();

    // Assess: exactly the photos of the person were copied, under their original keys.
    expect(await listKeys(cloud.s3, cloud.bucket, 'matches/')).toEqual(
      [
        `matches/${PERSON}/${ODD_KEY}`,
        `matches/${PERSON}/collection/sample1.jpg`,
        `matches/${PERSON}/incoming/party.jpg`,
      ].sort(),
    );
    const lines = await readResultLines(cloud.s3, cloud.bucket);
    const byPath = new Map(lines.map((l) => [l.path, l]));
    const expected: Record<string, string> = {
      'incoming/party.jpg': 'matched',
      'incoming/others.jpg': 'no_match',
      'incoming/broken.jpg': 'error',
      'incoming/notes.txt': 'skipped',
      'collection/sample1.jpg': 'matched',
      'collection/sample3.jpg': 'no_match',
      'collection/sample4.jpg': 'no_match',
      'collection/more/sample5.jpg': 'no_match',
      'collection/more/sample6.jpg': 'no_match',
      [ODD_KEY]: 'matched',
      'collection/corrupt.jpg': 'error',
      'collection/readme.md': 'skipped',
      'collection/missing.jpg': 'error',
    };
    expect(Object.fromEntries([...byPath].map(([p, l]) => [p, l.status]))).toEqual(expected);
    expect(byPath.get('collection/corrupt.jpg')?.code).toBe('corrupt_image');
    expect(byPath.get('incoming/broken.jpg')?.code).toBe('corrupt_image');
    expect(byPath.get('collection/missing.jpg')?.code).toBe('vanished');
    expect(byPath.get(ODD_KEY)?.copy?.outcome).toBe('copied');

    const runId = lines.find((l) => l.path === 'collection/sample1.jpg')!.runId;
    const summary = JSON.parse(
      await getText(cloud.s3, cloud.bucket, `results/${runId}/summary.json`),
    ) as CloudRunSummary;
    expect(summary).toMatchObject({ total: 9, pending: 0, deadLettered: 0, route: 'lambda' });
    expect(summary.counts).toEqual({ matched: 2, no_match: 4, error: 2, skipped: 1 });
    expect(summary.copies).toEqual({ copied: 2 });
  });

  it('does not copy a photo twice when it is dropped again', async () => {
    // Act
    await put(cloud.s3, cloud.bucket, 'incoming/party.jpg', photos.samples[0]!);
    await cloud.drain();

    // Assess
    expect(await listKeys(cloud.s3, cloud.bucket, `matches/${PERSON}/incoming/`)).toEqual([
      `matches/${PERSON}/incoming/party.jpg`,
    ]);
    const line = (await readResultLines(cloud.s3, cloud.bucket)).find((l) => l.path === 'incoming/party.jpg');
    expect(line).toMatchObject({ status: 'matched', cached: true, copy: { outcome: 'already_present' } });
  });

  it('moves a message that keeps failing to its DLQ after the receive limit', async () => {
    // Prepare: a short visibility timeout so the three receives take seconds.
    const q = cloud.queues.copy;
    await cloud.sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: q.url, Attributes: { VisibilityTimeout: '1' } }),
    );

    // Act
    await cloud.sqs.send(
      new SendMessageCommand({ QueueUrl: q.url, MessageBody: '{"not":"a copy message"}' }),
    );
    await cloud.drain(20_000);

    // Assess
    expect(cloud.depths()).toMatchObject({
      copy: 0,
      'copy-dlq': 1,
      'detect-dlq': 0,
      'verify-dlq': 0,
      'ingest-dlq': 0,
    });
  });
});
