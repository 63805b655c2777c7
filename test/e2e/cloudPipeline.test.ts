import { SendMessageCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceEngine } from '../../core/FaceEngine.js';
import { type CloudRunSummary, cloudRunSummarySchema } from '../../functions/ingest/summarizeRun.js';
import { PROJECT_ROOT } from '../../infra/buildApp.js';
import { LocalCloud } from '../../infra/local/LocalCloud.js';
import { getText, listKeys, put, readResultLines } from '../helpers/cloudObjects.js';
import { type CloudTestPhotos, makeCloudTestPhotos } from '../helpers/cloudPhotos.js';

const PERSON = 'Anna';
const SECOND = 'Bea';
const ODD_KEY = 'collection/été 2024/Zoë & friends + 1.jpg';

describe('Serverless pipeline (emulated S3 + SQS, bundled handlers, real models)', () => {
  let cloud: LocalCloud;
  let photos: CloudTestPhotos;

  const summaryOf = async (runId: string): Promise<CloudRunSummary> =>
    cloudRunSummarySchema.parse(
      JSON.parse(await getText(cloud.s3, cloud.bucket, `results/${runId}/summary.json`)),
    );

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
    expect(byPath.get(ODD_KEY)).toMatchObject({
      people: [PERSON],
      copies: [{ people: [PERSON], outcome: 'copied', destination: `matches/${PERSON}/${ODD_KEY}` }],
    });

    // Both runs got their summary: the manifest run and the day's drop run.
    const runId = lines.find((l) => l.path === 'collection/sample1.jpg')!.runId;
    const summary = await summaryOf(runId);
    expect(summary).toMatchObject({ total: 9, expected: 9, pending: 0, deadLettered: 0, route: 'lambda' });
    expect(summary.people).toEqual([{ name: PERSON, threshold: 0.4, thresholdSource: 'default', photos: 2 }]);
    expect(summary.counts).toEqual({ matched: 2, no_match: 4, no_face: 0, error: 2, skipped: 1 });
    expect(summary.copies).toMatchObject({ copied: 2, already_present: 0, failed: 0 });
    const dropRun = byPath.get('incoming/party.jpg')!.runId;
    expect(dropRun).toMatch(/^drop-\d{4}-\d\d-\d\d$/);
    const drops = await summaryOf(dropRun);
    expect(drops).toMatchObject({
      total: 4,
      expected: 4,
      pending: 0,
      input: `s3://${cloud.bucket}/incoming/`,
    });
    expect(drops.people).toEqual([{ name: PERSON, threshold: 0.4, thresholdSource: 'default', photos: 1 }]);
    expect(drops.counts).toEqual({ matched: 1, no_match: 1, no_face: 0, error: 1, skipped: 1 });
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
    expect(line).toMatchObject({
      status: 'matched',
      cached: true,
      copies: [{ people: [PERSON], outcome: 'already_present' }],
    });
  });

  it('with two people enrolled, copies a photo to each person in it, and one face is never two people', async () => {
    // Prepare: the middle woman of sample1 enrolled next to Anna (the leftmost).
    for (const [i, ref] of photos.secondReferences.entries())
      await put(cloud.s3, cloud.bucket, `reference/${SECOND}/ref ${i}.jpg`, ref);
    await cloud.drain();
    const drops: Record<string, Uint8Array> = {
      'incoming/two/both.jpg': photos.samples[0]!,
      'incoming/two/bea only.jpg': photos.withoutFirst,
      'incoming/two/anna only.jpg': photos.withoutSecond,
      'incoming/two/neither.jpg': photos.samples[4]!,
    };

    // Act
    for (const [key, body] of Object.entries(drops)) await put(cloud.s3, cloud.bucket, key, body);
    await cloud.drain();

    // Assess: one copy per person found, at matches/<person>/<key>.
    expect(
      (await listKeys(cloud.s3, cloud.bucket, 'matches/')).filter((k) => k.includes('/incoming/two/')),
    ).toEqual(
      [
        `matches/${PERSON}/incoming/two/both.jpg`,
        `matches/${SECOND}/incoming/two/both.jpg`,
        `matches/${SECOND}/incoming/two/bea only.jpg`,
        `matches/${PERSON}/incoming/two/anna only.jpg`,
      ].sort(),
    );
    const lines = await readResultLines(cloud.s3, cloud.bucket);
    const byPath = new Map(lines.map((l) => [l.path, l]));
    expect(Object.fromEntries(Object.keys(drops).map((k) => [k, byPath.get(k)?.people]))).toEqual({
      'incoming/two/both.jpg': [PERSON, SECOND],
      'incoming/two/bea only.jpg': [SECOND],
      'incoming/two/anna only.jpg': [PERSON],
      'incoming/two/neither.jpg': [],
    });
    expect(byPath.get('incoming/two/neither.jpg')?.status).toBe('no_match');
    expect(byPath.get('incoming/two/both.jpg')?.copies).toEqual([
      { people: [PERSON], outcome: 'copied', destination: `matches/${PERSON}/incoming/two/both.jpg` },
      { people: [SECOND], outcome: 'copied', destination: `matches/${SECOND}/incoming/two/both.jpg` },
    ]);
    // Every line, of every run: each face is one person at most, each person one face, as `people` says.
    for (const l of lines) {
      const named = l.faces.map((f) => f.person).filter((p): p is string => p !== null);
      expect(new Set(named).size, l.path).toBe(named.length);
      expect([...named].sort(), l.path).toEqual(l.people);
    }

    // The day's drop run summary counts its lines, with both people searched.
    const runId = byPath.get('incoming/two/both.jpg')!.runId;
    const runLines = lines.filter((l) => l.runId === runId);
    const summary = await summaryOf(runId);
    expect(summary).toMatchObject({ total: 8, expected: 8, pending: 0, route: 'lambda' });
    expect(summary.people).toEqual([
      { name: PERSON, threshold: 0.4, thresholdSource: 'default', photos: 3 },
      { name: SECOND, threshold: 0.4, thresholdSource: 'default', photos: 2 },
    ]);
    for (const p of summary.people)
      expect(p.photos).toBe(runLines.filter((l) => l.people.includes(p.name)).length);
    expect(summary.counts).toEqual({ matched: 4, no_match: 2, no_face: 0, error: 1, skipped: 1 });
    for (const [status, n] of Object.entries(summary.counts))
      expect(n, status).toBe(runLines.filter((l) => l.status === status).length);
    expect(summary.copies).toMatchObject({ copied: 4, already_present: 1, failed: 0 });
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
