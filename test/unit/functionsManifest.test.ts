import { describe, expect, it } from 'vitest';
import {
  manifestFormat,
  parseCsvLine,
  parseInventoryManifest,
  parseInventoryRow,
  parseJsonLine,
} from '../../functions/ingest/manifestEntries.js';
import { routeS3Event } from '../../functions/ingest/routeS3Event.js';
import { decodeEventKey, manifestRunId, matchKey } from '../../functions/shared/keys.js';
import { encodeEventKey } from '../../infra/local/s3EventEnvelope.js';

const record = (key: string) => ({
  s3: { bucket: { name: 'b' }, object: { key: encodeEventKey(key), eTag: 'e' } },
});

describe('Function: manifest entries', () => {
  it('recognises manifest types by name', () => {
    expect(manifestFormat('manifests/a.jsonl')).toBe('jsonl');
    expect(manifestFormat('manifests/a.CSV')).toBe('csv');
    expect(manifestFormat('manifests/inv/photos/cfg/2026-01-01T00-00Z/manifest.json')).toBe('inventory');
    expect(manifestFormat('manifests/inv/data/x.csv.gz')).toBeUndefined();
  });

  it('parses JSON lines: strings, objects, prefixes, bare keys; skips blanks and comments', () => {
    expect(parseJsonLine('"a b.jpg"', 1)).toEqual({ key: 'a b.jpg' });
    expect(parseJsonLine('{"key":"x.jpg","bucket":"b"}', 1)).toEqual({ key: 'x.jpg', bucket: 'b' });
    expect(parseJsonLine('{"prefix":"2024/"}', 1)).toEqual({ prefix: '2024/', bucket: undefined });
    expect(parseJsonLine('photos/plain.jpg', 1)).toEqual({ key: 'photos/plain.jpg' });
    expect(parseJsonLine('   ', 1)).toBeUndefined();
    expect(parseJsonLine('# note', 1)).toBeUndefined();
    expect(() => parseJsonLine('{"nope":1}', 7)).toThrow(/line 7/);
  });

  it('parses bucket,key CSV with quoting, headers and prefixes', () => {
    expect(parseCsvLine('bucket,key', 1)).toBeUndefined();
    expect(parseCsvLine('b,"a, ""quoted"" key.jpg"', 2)).toEqual({ bucket: 'b', key: 'a, "quoted" key.jpg' });
    expect(parseCsvLine('b,folder/', 3)).toEqual({ bucket: 'b', prefix: 'folder/' });
    expect(() => parseCsvLine('onlyone', 4)).toThrow(/bucket,key/);
  });

  it('reads S3 Inventory manifests and URL-encoded rows', () => {
    const m = parseInventoryManifest(
      JSON.stringify({
        sourceBucket: 'b',
        destinationBucket: 'arn:aws:s3:::b',
        fileFormat: 'CSV',
        fileSchema: 'Bucket, Key, Size, LastModifiedDate',
        files: [{ key: 'manifests/inv/data/1.csv.gz' }],
      }),
    );
    expect(m).toMatchObject({ destinationBucket: 'b', keyColumn: 1, bucketColumn: 0 });
    expect(parseInventoryRow('"b","summer%202024/Zo%C3%AB.jpg","12","2026"', m)).toEqual({
      bucket: 'b',
      key: 'summer 2024/Zoë.jpg',
    });
    expect(() => parseInventoryManifest('{"fileFormat":"Parquet"}')).toThrow(/not supported/);
  });
});

describe('Function: routeS3Event', () => {
  it('decodes event keys with + for spaces and percent-encoded unicode', () => {
    expect(decodeEventKey('incoming/my+photo+%C3%A9t%C3%A9%2B1.jpg')).toBe('incoming/my photo été+1.jpg');
    expect(routeS3Event(record('incoming/my photo été+1.jpg'))).toMatchObject({
      kind: 'photo',
      key: 'incoming/my photo été+1.jpg',
    });
  });

  it('routes by prefix and ignores the pipeline’s own writes', () => {
    expect(routeS3Event(record('incoming/notes.txt')).kind).toBe('not_photo');
    expect(routeS3Event(record('reference/Anna/a.jpg'))).toEqual({ kind: 'enrol', person: 'Anna' });
    expect(routeS3Event(record('reference/Anna/gallery.json')).kind).toBe('ignore');
    expect(routeS3Event(record('reference/Anna/enrolment.json')).kind).toBe('ignore');
    expect(routeS3Event(record('reference/../x.jpg')).kind).toBe('ignore');
    expect(routeS3Event(record('manifests/run.jsonl')).kind).toBe('manifest');
    expect(routeS3Event(record('manifests/inv/b/cfg/data/1.csv.gz')).kind).toBe('ignore');
    expect(routeS3Event(record('manifests/inv/b/cfg/hive/dt=1/symlink.txt')).kind).toBe('ignore');
    expect(routeS3Event(record('matches/Anna/x.jpg')).kind).toBe('ignore');
  });
});

describe('Function: keys', () => {
  it('derives stable run ids, and match keys that keep the original key', () => {
    expect(manifestRunId('manifests/first run.jsonl', '"abc"')).toBe(
      manifestRunId('manifests/first run.jsonl', '"abc"'),
    );
    expect(manifestRunId('manifests/first run.jsonl', '"abc"')).toMatch(/^first-run-[0-9a-f]{10}$/);
    expect(manifestRunId('manifests/first run.jsonl', '"abd"')).not.toBe(
      manifestRunId('manifests/first run.jsonl', '"abc"'),
    );
    expect(matchKey('Anna', 'incoming/a b.jpg')).toBe('matches/Anna/incoming/a b.jpg');
  });
});
