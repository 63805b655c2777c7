import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultLine } from '../../core/report/resultLine.js';
import { listenOnLoopback } from '../../infra/local/listenOnLoopback.js';
import { getText, listKeys } from '../helpers/cloudObjects.js';
import { runCli, runCliStatus } from '../helpers/runCli.js';

const BUCKET = 'mespotter-forget';
const face = (x: number, person: string | null) => ({
  box: { x1: x, y1: 0, x2: x + 10, y2: 10 },
  detScore: 0.9,
  quality: 1,
  person,
  ...(person ? { score: 0.7, decidedBy: 'auto' as const } : {}),
});
const line = (path: string, people: string[]): ResultLine => ({
  path,
  status: people.length > 0 ? 'matched' : 'skipped',
  people,
  faces: people.map((p, i) => face(i * 20, p)),
  ...(people.length > 0
    ? {
        copies: people.map((p) => ({
          people: [p],
          outcome: 'copied' as const,
          destination: `matches/${p}/${path}`,
        })),
      }
    : {}),
});
const jsonl = (...lines: ResultLine[]) => `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;
/** Lines from before one line per photo (one per person), still in results/ after an upgrade. */
const OLD_LINES = `${JSON.stringify({ path: 'incoming/old.jpg', status: 'matched', person: 'Anna', threshold: 0.4, faces: [] })}\n`;

/** What the bucket holds: Anna's data, a person whose name starts like hers, another person, shared state. */
const CONTENT: Record<string, string> = {
  'reference/Anna/anna1.jpg': 'jpeg',
  'reference/Anna/sub/anna2.jpg': 'jpeg',
  'reference/Anna/gallery.json': '{}',
  'reference/Anna/enrolment.json': '{}',
  'reference/Ann/ann1.jpg': 'jpeg',
  'reference/Ann/gallery.json': '{}',
  'reference/Bob/gallery.json': '{}',
  'matches/Anna/incoming/party.jpg': 'jpeg',
  'matches/Anna/collection/été 2024/Zoë + 1.jpg': 'jpeg',
  'matches/Ann/incoming/party.jpg': 'jpeg',
  'matches/Bob/incoming/other.jpg': 'jpeg',
  'incoming/party.jpg': 'jpeg',
  'results/run-1/lines/both.jsonl': jsonl(line('incoming/party.jpg', ['Anna', 'Bob'])),
  'results/run-1/lines/hers.jsonl': jsonl(line('incoming/solo.jpg', ['Anna'])),
  'results/run-1/lines/skipped.jsonl': jsonl(line('incoming/notes.txt', [])),
  'results/run-0/lines/old.jsonl': OLD_LINES,
  'results/run-1/summary.json': '{}',
  'faces/m1-aaaa/ab/ab01.json': '{"faces":[]}',
  'faces/m2-bbbb/cd/cd01.json': '{"faces":[]}',
};

describe('mespotter cloud forget / purge-faces (emulated S3 over the AWS SDK)', () => {
  let server: FauxqsServer;
  let s3: S3Client;
  const saved: Record<string, string | undefined> = {};

  const put = (key: string, body: string) =>
    s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  const all = () => listKeys(s3, BUCKET, '');

  beforeAll(async () => {
    server = await listenOnLoopback(() => startFauxqs({ port: 0, logger: false, host: '127.0.0.1' }));
    const endpoint = `http://127.0.0.1:${server.port}`;
    // The CLI finds the emulator as any SDK program would: AWS_ENDPOINT_URL and the usual variables.
    const env = {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    };
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    s3 = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    for (const [key, body] of Object.entries(CONTENT)) await put(key, body);
  });

  afterAll(async () => {
    s3?.destroy();
    await server?.stop();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('without --yes lists what it would delete, changes nothing and exits 2', async () => {
    // Act
    const { output: out, exitCode } = await runCliStatus(
      'cloud',
      'forget',
      '--bucket',
      BUCKET,
      '--person',
      'Anna',
    );

    // Assert
    expect(exitCode).toBe(2);
    expect(out).toContain(`delete  s3://${BUCKET}/reference/Anna/gallery.json`);
    expect(out).toContain(`delete  s3://${BUCKET}/matches/Anna/collection/été 2024/Zoë + 1.jpg`);
    expect(out).toContain(`rewrite s3://${BUCKET}/results/run-1/lines/both.jsonl`);
    expect(out).toContain(`rewrite s3://${BUCKET}/results/run-1/lines/hers.jsonl`);
    expect(out).toContain(`delete  s3://${BUCKET}/results/run-0/lines/old.jsonl`);
    expect(out).toContain(
      `would delete 7 object(s) (${20 + OLD_LINES.length} bytes) and rewrite 2 for Anna; nothing changed: run again with --yes`,
    );
    expect(await all()).toEqual(Object.keys(CONTENT).sort());
  });

  it("with --yes deletes the person's references, gallery, enrolment, matches and result lines, and nothing else", async () => {
    // Act
    const { output: out, exitCode } = await runCliStatus(
      'cloud',
      'forget',
      '--bucket',
      BUCKET,
      '--person',
      'Anna',
      '--yes',
    );

    // Assert: Anna's objects are gone; Ann (a name Anna's starts with), Bob and the photos are untouched.
    expect(exitCode).toBe(0);
    const gone = [
      'reference/Anna/anna1.jpg',
      'reference/Anna/sub/anna2.jpg',
      'reference/Anna/gallery.json',
      'reference/Anna/enrolment.json',
      'matches/Anna/incoming/party.jpg',
      'matches/Anna/collection/été 2024/Zoë + 1.jpg',
      'results/run-0/lines/old.jsonl',
    ];
    expect(await all()).toEqual(
      Object.keys(CONTENT)
        .filter((k) => !gone.includes(k))
        .sort(),
    );
    for (const k of gone) expect(out).toContain(`deleted s3://${BUCKET}/${k}`);
    expect(out).toContain(`rewrote s3://${BUCKET}/results/run-1/lines/both.jsonl without Anna`);
    expect(out).toContain('Anna: deleted 7 object(s), rewrote 2, 0 failed');
    // The shared photo's line keeps Bob (his face, his copy) and loses Anna: her face is unknown.
    const party = JSON.parse(await getText(s3, BUCKET, 'results/run-1/lines/both.jsonl')) as ResultLine;
    expect(party).toEqual({
      ...line('incoming/party.jpg', ['Bob']),
      faces: [face(0, null), { ...face(20, 'Bob') }],
    });
    // Her own photo's line stays (every input keeps its line), saying nothing about her.
    const solo = await getText(s3, BUCKET, 'results/run-1/lines/hers.jsonl');
    expect(solo).not.toContain('Anna');
    expect(JSON.parse(solo)).toMatchObject({ path: 'incoming/solo.jpg', status: 'no_match', people: [] });
    for (const k of [
      'reference/Ann/gallery.json',
      'matches/Ann/incoming/party.jpg',
      'results/run-1/lines/skipped.jsonl',
    ])
      expect(await getText(s3, BUCKET, k)).toBe(CONTENT[k]);
  });

  it('says so when there is nothing left, and refuses a name that is not a person', async () => {
    const again = await runCliStatus('cloud', 'forget', '--bucket', BUCKET, '--person', 'Anna', '--yes');
    expect(again.output).toMatch(/^nothing stored for Anna/);
    expect(again.exitCode).toBe(0);
    await expect(
      runCli('cloud', 'forget', '--bucket', BUCKET, '--person', '../reference', '--yes'),
    ).rejects.toThrow(/not a valid person name/);
  });

  it('purge-faces lists the index by namespace, then deletes all of it (over 1000 objects)', async () => {
    // Arrange: enough entries for two DeleteObjects calls.
    const extra = Array.from(
      { length: 1100 },
      (_, i) => `faces/m1-aaaa/${String(i % 256).padStart(2, '0')}/e${i}.json`,
    );
    await Promise.all(extra.map((k) => put(k, '{"faces":[]}')));
    const before = await all();

    // Act: first without --yes
    const { output: listing, exitCode } = await runCliStatus('cloud', 'purge-faces', '--bucket', BUCKET);

    // Assert
    expect(exitCode).toBe(2);
    expect(listing).toContain(`delete  s3://${BUCKET}/faces/m1-aaaa/: 1101 object(s)`);
    expect(listing).toContain(`delete  s3://${BUCKET}/faces/m2-bbbb/: 1 object(s)`);
    expect(await all()).toEqual(before);

    // Act: then with it
    const { output: out, exitCode: done } = await runCliStatus(
      'cloud',
      'purge-faces',
      '--bucket',
      BUCKET,
      '--yes',
    );

    // Assert
    expect(done).toBe(0);
    expect(out).toContain('the faces index: deleted 1102 object(s), rewrote 0, 0 failed');
    expect(await listKeys(s3, BUCKET, 'faces/')).toEqual([]);
    expect(await all()).toEqual(before.filter((k) => !k.startsWith('faces/')));
  });

  it('reports a bucket it cannot list in one line (exit 2 from the CLI), touching nothing', async () => {
    await expect(runCli('cloud', 'purge-faces', '--bucket', 'no-such-bucket', '--yes')).rejects.toThrow(
      /^cannot list s3:\/\/no-such-bucket: NoSuchBucket/,
    );
  });
});
