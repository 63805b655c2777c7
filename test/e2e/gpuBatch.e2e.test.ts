import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceEngine } from '../../core/FaceEngine.js';
import { runKeysKey } from '../../functions/shared/keys.js';
import { createObservability } from '../../functions/shared/observability.js';
import { runGpuBatch } from '../../gpu-batch/runGpuBatch.js';
import { PROJECT_ROOT } from '../../infra/buildApp.js';
import { LocalCloud } from '../../infra/local/LocalCloud.js';
import { listKeys, put, readResultLines } from '../helpers/cloudObjects.js';
import { type CloudTestPhotos, makeCloudTestPhotos } from '../helpers/cloudPhotos.js';

const PERSON = 'Anna';
const RUN = 'big-run-1';

describe('GPU batch container entrypoint (on CPU, against the emulated cloud)', () => {
  let cloud: LocalCloud;
  let engine: FaceEngine;
  let photos: CloudTestPhotos;

  beforeAll(async () => {
    engine = await FaceEngine.create();
    photos = await makeCloudTestPhotos(engine);
    cloud = await LocalCloud.start({ projectRoot: PROJECT_ROOT });
    for (const [i, ref] of photos.references.entries())
      await put(cloud.s3, cloud.bucket, `reference/${PERSON}/ref ${i}.jpg`, ref);
    await cloud.drain();
  });

  afterAll(async () => {
    await cloud?.stop();
    await engine?.close();
  });

  it('runs every listed key through the detect stage; verify and copy finish the run', async () => {
    // Prepare: what ingest leaves for a run it routed to the GPU job
    await put(cloud.s3, cloud.bucket, 'archive/with her.jpg', photos.samples[0]!);
    await put(cloud.s3, cloud.bucket, 'archive/others.jpg', photos.samples[1]!);
    await put(cloud.s3, cloud.bucket, 'archive/corrupt.jpg', photos.corrupt);
    const keys = ['archive/with her.jpg', 'archive/others.jpg', 'archive/corrupt.jpg', 'archive/missing.jpg'];
    await put(cloud.s3, cloud.bucket, runKeysKey(RUN), `${keys.map((k) => JSON.stringify(k)).join('\n')}\n`);
    const { logger, metrics } = createObservability('gpu-batch');

    // Act
    const result = await runGpuBatch(
      { runId: RUN, bucket: cloud.bucket, keysKey: runKeysKey(RUN) },
      {
        engine,
        logger,
        metrics,
        settings: { verifyQueueUrl: cloud.queues.verify.url, maxPhotoBytes: undefined, facesIndex: true },
      },
      { concurrency: 2, attempts: 2, backoffMs: 10, handOffQueueUrl: cloud.queues.detect.url },
    );
    await cloud.drain();

    // Assess
    expect(result).toEqual({ photos: 4, handedOff: 0 });
    expect(await listKeys(cloud.s3, cloud.bucket, 'matches/')).toEqual([
      `matches/${PERSON}/archive/with her.jpg`,
    ]);
    const lines = (await readResultLines(cloud.s3, cloud.bucket)).filter((l) => l.runId === RUN);
    expect(
      Object.fromEntries(lines.map((l) => [l.path, [l.status, l.code ?? l.copies?.[0]?.outcome]])),
    ).toEqual({
      'archive/with her.jpg': ['matched', 'copied'],
      'archive/others.jpg': ['no_match', undefined],
      'archive/corrupt.jpg': ['error', 'corrupt_image'],
      'archive/missing.jpg': ['error', 'vanished'],
    });
  });

  it('hands photos it cannot finish to the detect queue instead of recording a transient fault', async () => {
    // Prepare: the verify queue is unreachable from the container (an SQS outage, as far as it can tell).
    const run = 'big-run-2';
    await put(cloud.s3, cloud.bucket, 'archive2/with her.jpg', photos.samples[0]!);
    await put(cloud.s3, cloud.bucket, 'archive2/corrupt.jpg', photos.corrupt);
    const keys = ['archive2/with her.jpg', 'archive2/corrupt.jpg'];
    await put(cloud.s3, cloud.bucket, runKeysKey(run), `${keys.map((k) => JSON.stringify(k)).join('\n')}\n`);
    const { logger, metrics } = createObservability('gpu-batch');
    const unreachable = `${cloud.queues.verify.url}-missing`;

    // Act
    const result = await runGpuBatch(
      { runId: run, bucket: cloud.bucket, keysKey: runKeysKey(run) },
      {
        engine,
        logger,
        metrics,
        settings: { verifyQueueUrl: unreachable, maxPhotoBytes: undefined, facesIndex: true },
      },
      { concurrency: 2, attempts: 2, backoffMs: 10, handOffQueueUrl: cloud.queues.detect.url },
    );
    await cloud.drain();

    // Assess: the corrupt photo's own fault is its line; the other one was finished by the Lambda path.
    expect(result).toEqual({ photos: 2, handedOff: 1 });
    const lines = (await readResultLines(cloud.s3, cloud.bucket)).filter((l) => l.runId === run);
    expect(
      Object.fromEntries(lines.map((l) => [l.path, [l.status, l.code ?? l.copies?.[0]?.outcome]])),
    ).toEqual({
      'archive2/with her.jpg': ['matched', 'copied'],
      'archive2/corrupt.jpg': ['error', 'corrupt_image'],
    });
    expect(cloud.depths()).toMatchObject({ 'detect-dlq': 0, 'verify-dlq': 0 });
  });
});
