import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectMessageSchema } from '../../functions/shared/messages.js';
import { PROJECT_ROOT } from '../../infra/buildApp.js';
import { WORKER_SETTINGS } from '../../infra/constructs/workerSettings.js';
import type { InvocationInfo } from '../../infra/local/EventSourcePoller.js';
import { LocalCloud } from '../../infra/local/LocalCloud.js';
import { listKeys, put } from '../helpers/cloudObjects.js';
import { SAMPLES_DIR } from '../helpers/cloudPhotos.js';

const DROPS = ['incoming/party.jpg', 'incoming/others.jpg', 'incoming/broken.jpg'];

/** Every message in a queue, received until it is empty (each received once: long visibility). */
const drainQueue = async (cloud: LocalCloud, url: string): Promise<string[]> => {
  const bodies: string[] = [];
  for (;;) {
    const out = await cloud.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 300 }),
    );
    if (!out.Messages?.length) return bodies;
    bodies.push(...out.Messages.map((m) => m.Body ?? ''));
  }
};

// A misconfigured detect function must not turn a whole run into error lines: each photo's
// message is retried and ends in the DLQ, to be redriven once the setting is fixed.
describe.each([
  ['an empty VERIFY_QUEUE_URL', { VERIFY_QUEUE_URL: '' }],
  ['a MAX_PHOTO_BYTES that is not a number', { MAX_PHOTO_BYTES: 'abc' }],
])('Cloud configuration error: %s (emulated S3 + SQS, bundled handlers)', (_, environment) => {
  let cloud: LocalCloud;
  const invocations: InvocationInfo[] = [];
  // A folder of its own, inside the project so the bundles resolve the native packages.
  const handlersDir = join(
    PROJECT_ROOT,
    'dist',
    `lambda-config-${process.pid}-${Object.keys(environment)[0]}`,
  );

  beforeAll(async () => {
    cloud = await LocalCloud.start({
      projectRoot: PROJECT_ROOT,
      handlersDir,
      // The functions' "configuration invalid" errors are the expected outcome here: keep the log quiet.
      environment: { ...environment, POWERTOOLS_LOG_LEVEL: 'SILENT' },
      // One-second visibility: the three receives before redrive take seconds, not minutes.
      visibilitySeconds: 1,
      onInvoke: (i) => invocations.push(i),
    });
  });

  afterAll(async () => {
    await cloud?.stop();
    await rm(handlersDir, { recursive: true, force: true });
  });

  it('retries every dropped photo, then dead-letters it, and writes no result line', async () => {
    // Arrange: two real photos and a corrupt one (whose own fault would be a line, once configured).
    const sample1 = await readFile(join(SAMPLES_DIR, 'sample1.jpg'));
    const sample2 = await readFile(join(SAMPLES_DIR, 'sample2.jpg'));
    await put(cloud.s3, cloud.bucket, DROPS[0]!, sample1);
    await put(cloud.s3, cloud.bucket, DROPS[1]!, sample2);
    await put(cloud.s3, cloud.bucket, DROPS[2]!, sample1.subarray(0, 2000));

    // Act: the drop run's finalizer keeps checking for about a day; do not wait for it.
    await cloud.drain(90_000, { exceptFinalizers: true });

    // Assert: nothing recorded as an outcome, every photo waiting in the detect DLQ; the drop run
    // knows its inputs (for its summary's `pending`) and has no summary yet.
    const results = await listKeys(cloud.s3, cloud.bucket, 'results/');
    expect(results.filter((k) => !/^results\/drop-[\d-]+\/inputs\//.test(k))).toEqual([]);
    expect(results.length).toBeGreaterThan(0);
    expect(await listKeys(cloud.s3, cloud.bucket, 'matches/')).toEqual([]);
    expect(cloud.depths()).toMatchObject({ detect: 0, 'ingest-dlq': 0 });
    const dead = (await drainQueue(cloud, cloud.queues.detect.dlqUrl)).map((b) =>
      detectMessageSchema.parse(JSON.parse(b)),
    );
    // SQS delivers at least once, so the DLQ may hold a photo twice (the emulator's redrive sometimes does).
    const deadKeys = new Set(dead.map((m) => (m.kind === 'photo' ? m.key : m.person)));
    expect([...deadKeys].sort()).toEqual([...DROPS].sort());
    // Each was tried the full number of times, and every detect invocation failed as a whole.
    const detect = invocations.filter((i) => i.name === 'detect');
    const tried = detect.reduce((n, i) => n + i.records, 0);
    expect(tried).toBeGreaterThanOrEqual(DROPS.length * WORKER_SETTINGS.detect.maxReceiveCount);
    expect(detect.every((i) => i.failed === i.records)).toBe(true);
  });
});
