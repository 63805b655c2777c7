import { analyzePhoto } from '../../core/analysis/analyzePhoto.js';
import type { FacesIndex } from '../../core/analysis/FacesIndex.js';
import { GalleryError } from '../../core/errors.js';
import type { FaceEngine } from '../../core/FaceEngine.js';
import { DEFAULT_MIN_AGREEMENT } from '../../core/match/defaults.js';
import {
  buildGallery,
  pickReferenceFace,
  type ReferenceCandidate,
  type RejectedReference,
  serializeGallery,
} from '../../core/match/gallery.js';
import { isPhotoName } from '../../core/photoExtensions.js';
import { ENROLMENT_FILE, galleryKey, Prefix } from '../shared/keys.js';
import { listObjects } from '../shared/listObjects.js';
import { isPermanent } from '../shared/resultLines.js';
import { getObjectBytes, putJson, putText } from '../shared/s3Objects.js';

export interface EnrolmentReport {
  person: string;
  at: string;
  accepted: string[];
  rejected: RejectedReference[];
  warnings: string[];
  error?: string;
}

const tryBuild = (
  person: string,
  modelSetId: string,
  candidates: readonly ReferenceCandidate[],
  rejected: readonly RejectedReference[],
): ReturnType<typeof buildGallery> | GalleryError => {
  try {
    return buildGallery(person, modelSetId, candidates, rejected, { minAgreement: DEFAULT_MIN_AGREEMENT });
  } catch (error) {
    if (error instanceof GalleryError) return error;
    throw error;
  }
};

const listReferencePhotos = async (bucket: string, person: string): Promise<string[]> => {
  const keys: string[] = [];
  for await (const o of listObjects(bucket, `${Prefix.Reference}${person}/`)) {
    if (o.Key && isPhotoName(o.Key)) keys.push(`${o.Key}\u0000${o.ETag}`);
  }
  return keys.sort();
};

/**
 * Rebuilds reference/<person>/gallery.json from every photo under reference/<person>/. Uploads
 * trigger one rebuild each and may race: before writing, the listing is taken again and the
 * build repeated if it changed, so the last writer always saw the last upload.
 */
export const enrolPerson = async (
  engine: FaceEngine,
  index: FacesIndex,
  bucket: string,
  person: string,
  maxBytes: number,
): Promise<EnrolmentReport> => {
  for (let attempt = 0; ; attempt++) {
    const listing = await listReferencePhotos(bucket, person);
    const candidates: ReferenceCandidate[] = [];
    const rejected: RejectedReference[] = [];
    for (const entry of listing) {
      const key = entry.slice(0, entry.indexOf('\u0000'));
      try {
        const { bytes } = await getObjectBytes(bucket, key, maxBytes);
        const { sha256, analysis } = await analyzePhoto(engine, bytes, index);
        const face = pickReferenceFace(analysis.faces);
        if (face) candidates.push({ source: key, sha256, face });
        else rejected.push({ source: key, reason: 'no face found' });
      } catch (error) {
        // A bad reference photo is rejected; a failure to read it (S3, models) retries the enrolment.
        if (!isPermanent(error)) throw error;
        rejected.push({ source: key, reason: error.message });
      }
    }
    const again = await listReferencePhotos(bucket, person);
    if (again.join('\n') !== listing.join('\n') && attempt < 3) continue;
    const report: EnrolmentReport = {
      person,
      at: new Date().toISOString(),
      accepted: [],
      rejected,
      warnings: [],
    };
    const built =
      candidates.length === 0 ? undefined : tryBuild(person, engine.modelSetId, candidates, rejected);
    if (candidates.length === 0) {
      report.error = 'no usable face in any reference photo';
    } else if (built instanceof GalleryError) {
      // A reference set mixing two people is refused, never blended; the previous gallery stays.
      report.error = built.message;
    } else if (built) {
      const { gallery, warnings } = built;
      await putText(bucket, galleryKey(person), serializeGallery(gallery), 'application/json');
      report.accepted = gallery.references.map((r) => r.source);
      report.rejected = gallery.rejected;
      report.warnings = warnings;
    }
    // Not a photo and not gallery.json: ingest ignores it, so writing it triggers nothing.
    await putJson(bucket, `${Prefix.Reference}${person}/${ENROLMENT_FILE}`, report);
    return report;
  }
};
