import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { type Gallery, serializeGallery } from '../../core/match/gallery.js';
import { getObjectBytes } from '../../functions/shared/s3Objects.js';
import { GalleryCache } from '../../functions/verify/GalleryCache.js';
import { objectBody } from '../helpers/cloudEvents.js';
import { aGallery } from '../helpers/factories.js';

const s3 = mockClient(S3Client);

const gallery = (person: string): Gallery =>
  aGallery(person, new Float32Array(512).fill(1 / Math.sqrt(512)), { createdAt: '2026-01-01T00:00:00Z' });

describe('Function: getObjectBytes', () => {
  beforeEach(() => {
    process.env['AWS_REGION'] = 'us-east-1';
    s3.reset();
  });

  it('refuses an object whose declared size is over the cap without reading it', async () => {
    const body = objectBody('x');
    s3.on(GetObjectCommand).resolves({ ContentLength: 11, Body: body } as never);
    await expect(getObjectBytes('b', 'k', 10)).rejects.toMatchObject({ code: 'file_too_large' });
    expect(body.destroyed).toBe(true);
  });

  it('cuts a stream off when it runs past the cap', async () => {
    s3.on(GetObjectCommand).resolves({ Body: objectBody('x'.repeat(20)) } as never);
    await expect(getObjectBytes('b', 'k', 10)).rejects.toMatchObject({ code: 'file_too_large' });
  });

  it('reports a key that disappeared as vanished', async () => {
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('gone'), { name: 'NoSuchKey' }));
    await expect(getObjectBytes('b', 'k', 10)).rejects.toMatchObject({ code: 'vanished' });
  });

  it('returns the bytes and the ETag', async () => {
    s3.on(GetObjectCommand).resolves({ ContentLength: 3, ETag: '"e"', Body: objectBody('abc') } as never);
    const out = await getObjectBytes('b', 'k', 10);
    expect(Buffer.from(out.bytes).toString()).toBe('abc');
    expect(out.etag).toBe('"e"');
  });
});

describe('Class: GalleryCache', () => {
  beforeEach(() => {
    s3.reset();
  });

  const listing = (etags: Record<string, string>) =>
    s3.on(ListObjectsV2Command).resolves({
      Contents: [
        ...Object.entries(etags).map(([p, e]) => ({ Key: `reference/${p}/gallery.json`, ETag: e })),
        { Key: 'reference/Anna/photo.jpg', ETag: '"p"' },
      ],
    });

  it('downloads a gallery only when its ETag changes, and drops deleted people', async () => {
    // Prepare
    const cache = new GalleryCache('b', 'models-1', 0);
    s3.on(GetObjectCommand, { Key: 'reference/Anna/gallery.json' }).resolves({
      ETag: '"1"',
      Body: objectBody(serializeGallery(gallery('Anna'))),
    } as never);
    s3.on(GetObjectCommand, { Key: 'reference/Bea/gallery.json' }).resolves({
      ETag: '"9"',
      Body: objectBody(serializeGallery(gallery('Bea'))),
    } as never);

    // Act / Assess: first load, then an unchanged listing, then a changed ETag, then a deletion.
    listing({ Anna: '"1"', Bea: '"9"' });
    expect((await cache.galleries()).map((g) => g.person)).toEqual(['Anna', 'Bea']);
    expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 2);
    await cache.galleries();
    expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 2);
    listing({ Anna: '"2"', Bea: '"9"' });
    await cache.galleries();
    expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 3);
    listing({ Bea: '"9"' });
    expect((await cache.galleries()).map((g) => g.person)).toEqual(['Bea']);
  });

  it('keeps one people matrix until a gallery changes, with each threshold and its source', async () => {
    // Prepare: Anna has a calibrated threshold, Bea none (the default).
    const cache = new GalleryCache('b', 'models-1', 0);
    s3.on(GetObjectCommand, { Key: 'reference/Anna/gallery.json' }).resolves({
      ETag: '"1"',
      Body: objectBody(serializeGallery({ ...gallery('Anna'), threshold: 0.55 })),
    } as never);
    s3.on(GetObjectCommand, { Key: 'reference/Bea/gallery.json' }).resolves({
      ETag: '"9"',
      Body: objectBody(serializeGallery(gallery('Bea'))),
    } as never);
    listing({ Anna: '"1"', Bea: '"9"' });

    // Act
    const first = await cache.people();
    const again = await cache.people();
    listing({ Bea: '"9"' });
    const after = await cache.people();

    // Assess
    expect(again).toBe(first);
    expect(first.searched).toEqual(['Anna', 'Bea']);
    expect(first.matrix.names).toEqual(['Anna', 'Bea']);
    expect([...first.matrix.thresholds].map((t) => Number(t.toFixed(2)))).toEqual([0.55, 0.4]);
    expect(first.thresholds).toEqual([
      { name: 'Anna', threshold: 0.55, thresholdSource: 'person' },
      { name: 'Bea', threshold: 0.4, thresholdSource: 'default' },
    ]);
    expect(after).not.toBe(first);
    expect(after.searched).toEqual(['Bea']);
    expect(after.signature).not.toBe(first.signature);
  });

  it('skips a gallery from other models and reports it', async () => {
    const cache = new GalleryCache('b', 'models-2', 0);
    listing({ Anna: '"1"' });
    s3.on(GetObjectCommand).resolves({
      ETag: '"1"',
      Body: objectBody(serializeGallery(gallery('Anna'))),
    } as never);
    expect(await cache.galleries()).toEqual([]);
    expect(cache.problems).toEqual([{ person: 'Anna', reason: expect.stringMatching(/re-enrol/) }]);
  });

  it("refuses a gallery that is someone else's (the folder names the person)", async () => {
    const cache = new GalleryCache('b', 'models-1', 0);
    listing({ Anna: '"1"' });
    s3.on(GetObjectCommand).resolves({
      ETag: '"1"',
      Body: objectBody(serializeGallery(gallery('Bea'))),
    } as never);
    expect(await cache.galleries()).toEqual([]);
    expect(cache.problems).toEqual([
      { person: 'Anna', reason: expect.stringMatching(/gallery of "Bea", not Anna/) },
    ]);
  });

  it('lists again only after its time to live', async () => {
    const cache = new GalleryCache('b', 'models-1', 30_000);
    listing({});
    await cache.galleries(1_000);
    await cache.galleries(20_000);
    expect(s3).toHaveReceivedCommandTimes(ListObjectsV2Command, 1);
    await cache.galleries(31_001);
    expect(s3).toHaveReceivedCommandTimes(ListObjectsV2Command, 2);
  });
});
