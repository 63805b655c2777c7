import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ConfigError } from '../../core/errors.js';
import { parseGallery, serializeGallery } from '../../core/match/gallery.js';
import { isValidPersonName } from '../../core/match/personName.js';
import { isPhotoName } from '../../core/photoExtensions.js';
import { s3Client } from '../../functions/shared/clients.js';
import { ENROLMENT_FILE, galleryKey, Prefix } from '../../functions/shared/keys.js';
import { listObjects } from '../../functions/shared/listObjects.js';
import { readModelSetId } from '../../functions/shared/modelSet.js';
import { getObjectText } from '../../functions/shared/s3Objects.js';
import { checkInputFile } from '../readInputFile.js';

export interface EnrolUpload {
  /** Local file → its key under reference/<person>/. */
  uploaded: { file: string; key: string }[];
  /** With a gallery: where it went. */
  gallery?: string;
}

/** Reference photos' keys: their file names, made unique (two folders may both hold "1.jpg"). */
export const referenceKeys = (person: string, files: readonly string[]): string[] => {
  const taken = new Set<string>();
  return files.map((file) => {
    const name = basename(file);
    const dot = name.lastIndexOf('.');
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    let candidate = name;
    for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${stem}-${n}${ext}`;
    taken.add(candidate.toLowerCase());
    return `${Prefix.Reference}${person}/${candidate}`;
  });
};

const put = (bucket: string, key: string, body: Uint8Array | string, contentType?: string) =>
  s3Client().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));

/**
 * Enrols a person in the stack's bucket: reference photos go to reference/<person>/, where each
 * upload makes the detect function rebuild reference/<person>/gallery.json (and enrolment.json);
 * or a gallery exported by `mespotter library export --galleries` goes straight to gallery.json,
 * with the library's human labels (negatives) and threshold. Not both: the cloud's rebuild from
 * photos would replace that gallery.
 */
export const enrollInCloud = async (o: {
  bucket: string;
  person: string;
  photos: readonly string[];
  gallery?: string;
}): Promise<EnrolUpload> => {
  if (!isValidPersonName(o.person)) throw new ConfigError(`not a valid person name: "${o.person}"`);
  if (o.gallery && o.photos.length > 0)
    throw new ConfigError(
      'give reference photos or --gallery, not both: each photo upload rebuilds the gallery from the photos',
    );
  if (!o.gallery && o.photos.length === 0) throw new ConfigError('give reference photos, or --gallery FILE');
  if (o.gallery) {
    await checkInputFile(o.gallery, 'gallery');
    const text = await readFile(o.gallery, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new ConfigError(`cannot read ${o.gallery}: ${error.code ?? error.message}`);
    });
    // The cloud runs this checkout's models: a gallery made with others would be refused by verify.
    const gallery = parseGallery(text, await readModelSetId(), o.gallery);
    if (gallery.person !== o.person)
      throw new ConfigError(`${o.gallery} is the gallery of "${gallery.person}", not ${o.person}`);
    for await (const obj of listObjects(o.bucket, `${Prefix.Reference}${o.person}/`))
      if (obj.Key && isPhotoName(obj.Key))
        throw new ConfigError(
          `s3://${o.bucket}/${obj.Key} is a reference photo of ${o.person}: the next upload there would ` +
            `rebuild the gallery from the photos; remove them (mespotter cloud forget) before uploading a gallery`,
        );
    const key = galleryKey(o.person);
    await put(o.bucket, key, serializeGallery(gallery), 'application/json');
    return { uploaded: [], gallery: key };
  }
  for (const file of o.photos) {
    if (!isPhotoName(file)) throw new ConfigError(`${file} is not a photo (by its extension)`);
    const s = await stat(file).catch((error: NodeJS.ErrnoException) => {
      throw new ConfigError(`cannot read ${file}: ${error.code ?? error.message}`);
    });
    if (!s.isFile()) throw new ConfigError(`${file} is not a file`);
  }
  const keys = referenceKeys(o.person, o.photos);
  const uploaded: EnrolUpload['uploaded'] = [];
  for (const [i, file] of o.photos.entries()) {
    await put(o.bucket, keys[i]!, await readFile(file));
    uploaded.push({ file, key: keys[i]! });
  }
  return { uploaded };
};

export interface EnrolmentOutcome {
  at: string;
  accepted: string[];
  rejected: { source: string; reason: string }[];
  warnings: string[];
  error?: string;
}

/**
 * Waits for the enrolment report that covers every uploaded photo (accepted or rejected; the
 * cloud rebuilds the gallery per upload, and the last rebuild sees them all), or one written
 * since `since` that refused the set (`error`). Undefined if none came within `timeoutMs`.
 */
export const waitForEnrolment = async (
  bucket: string,
  person: string,
  keys: readonly string[],
  since: Date,
  { timeoutMs, pollMs }: { timeoutMs: number; pollMs: number },
): Promise<EnrolmentOutcome | undefined> => {
  const key = `${Prefix.Reference}${person}/${ENROLMENT_FILE}`;
  const until = Date.now() + timeoutMs;
  for (;;) {
    const object = await getObjectText(bucket, key);
    if (object) {
      const report = JSON.parse(object.text) as EnrolmentOutcome;
      const seen = new Set([...report.accepted, ...report.rejected.map((r) => r.source)]);
      if (keys.every((k) => seen.has(k))) return report;
      if (report.error && new Date(report.at) >= since) return report;
    }
    if (Date.now() >= until) return undefined;
    await new Promise((r) => setTimeout(r, pollMs));
  }
};
