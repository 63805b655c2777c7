/** Types shared by the per-set sections, and enrolment the way the product does it. */
import { basename } from 'node:path';
import { DEFAULT_MIN_AGREEMENT } from '../../core/match/defaults.js';
import {
  buildGallery,
  type Gallery,
  pickReferenceFace,
  type ReferenceCandidate,
  type RejectedReference,
} from '../../core/match/gallery.js';
import type { AnalysedPhoto, Analyzer, Variant } from './analyzer.js';
import type { FaceTrial, PhotoProbe } from './metrics.js';

export interface DetectionStats {
  images: number;
  withFace: number;
  rate: number;
  /** Images with more than one face kept. */
  multiFace: number;
  /** Detections removed by the landmark quality gate, summed. */
  rejectedByGate: number;
}

export const detectionStats = (photos: readonly AnalysedPhoto[]): DetectionStats => {
  const withFace = photos.filter((p) => p.analysis.faces.length > 0).length;
  return {
    images: photos.length,
    withFace,
    rate: photos.length ? withFace / photos.length : Number.NaN,
    multiFace: photos.filter((p) => p.analysis.faces.length > 1).length,
    rejectedByGate: photos.reduce((s, p) => s + p.analysis.rejected, 0),
  };
};

export interface GalleryInfo {
  person: string;
  photos: number;
  references: number;
  rejected: RejectedReference[];
  warnings: string[];
}

export interface Enrolled {
  gallery: Gallery;
  info: GalleryInfo;
}

/** Enrols a person from reference photos: one face per photo (pickReferenceFace), then buildGallery. */
export const enrol = async (
  analyzer: Analyzer,
  modelSetId: string,
  person: string,
  paths: readonly string[],
  variant: Variant = 'raw',
): Promise<Enrolled> => {
  const photos = await Promise.all(paths.map((p) => analyzer.analyze(p, variant)));
  const candidates: ReferenceCandidate[] = [];
  const upstream: RejectedReference[] = [];
  for (const photo of photos) {
    const face = pickReferenceFace(photo.analysis.faces);
    if (face) candidates.push({ source: basename(photo.path), sha256: photo.sha256, face });
    else upstream.push({ source: basename(photo.path), reason: 'no face detected' });
  }
  const { gallery, warnings } = buildGallery(person, modelSetId, candidates, upstream, {
    minAgreement: DEFAULT_MIN_AGREEMENT,
  });
  return {
    gallery,
    info: {
      person,
      photos: paths.length,
      references: gallery.references.length,
      rejected: gallery.rejected,
      warnings,
    },
  };
};

/** What every natural-photo section hands to the report and the calibration. */
export interface NaturalSetResult {
  name: string;
  notes: string[];
  people: string[];
  galleries: GalleryInfo[];
  /** Face-vs-gallery trials used for the verification statistics and the calibration. */
  trials: FaceTrial[];
  /** Photo-level searches, for precision/recall of "photo contains person". */
  probes: PhotoProbe[];
  detection: Record<string, DetectionStats>;
  extra: Record<string, unknown>;
  /** Set-specific lines for the printed report. */
  extraLines?: string[];
  ms: number;
}
