import { isValidPersonName } from '../../core/match/personName.js';
import { isPhotoName } from '../../core/photoExtensions.js';
import { decodeEventKey, Prefix, referencePerson } from '../shared/keys.js';
import { manifestFormat } from './manifestEntries.js';

/** What ingest does with one created object. */
export type Route =
  | { kind: 'photo'; key: string; etag?: string; size?: number }
  | { kind: 'not_photo'; key: string }
  | { kind: 'manifest'; key: string; etag: string }
  | { kind: 'enrol'; person: string }
  | { kind: 'ignore'; key: string; why: string };

export interface S3EventRecordLike {
  s3: { bucket: { name: string }; object: { key: string; eTag?: string; size?: number } };
}

/**
 * Routes a created object by prefix. The functions' own writes under reference/ (gallery.json,
 * enrolment.json) and S3 Inventory's data files under manifests/ arrive here too and are ignored,
 * which is what keeps enrolment from triggering itself.
 */
export const routeS3Event = (record: S3EventRecordLike): Route => {
  const key = decodeEventKey(record.s3.object.key);
  const etag = record.s3.object.eTag;
  const size = record.s3.object.size;
  if (key.endsWith('/')) return { kind: 'ignore', key, why: 'folder marker' };
  if (key.startsWith(Prefix.Incoming)) {
    return isPhotoName(key) ? { kind: 'photo', key, etag, size } : { kind: 'not_photo', key };
  }
  if (key.startsWith(Prefix.Reference)) {
    const person = referencePerson(key);
    if (!person || !isPhotoName(key)) return { kind: 'ignore', key, why: 'not a reference photo' };
    if (!isValidPersonName(person)) return { kind: 'ignore', key, why: 'invalid person name' };
    return { kind: 'enrol', person };
  }
  if (key.startsWith(Prefix.Manifests)) {
    if (/\/(data|hive)\//.test(key) || !manifestFormat(key)) {
      return { kind: 'ignore', key, why: 'not a manifest (inventory data or unknown type)' };
    }
    return { kind: 'manifest', key, etag: etag ?? '' };
  }
  return { kind: 'ignore', key, why: 'outside the watched prefixes' };
};
