import type { Box } from '../types.js';

/**
 * An image handed to a teacher: bytes held in memory, or an object the teacher can read from S3
 * itself (no upload from us; `size` in bytes when known lets it skip objects over its limits).
 */
export type TeacherImage =
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 's3'; bucket: string; key: string; size?: number };

/**
 * The person's side of a comparison. A teacher such as CompareFaces uses only the largest face
 * of its source image; `face` (upright original pixels) names the face we mean, so the teacher
 * can crop to it and cannot pick a bystander.
 */
export interface TeacherSource {
  image: TeacherImage;
  face?: Box;
}

/** A photo to search. `width`/`height` are its upright pixel size: the space teacher boxes come back in. */
export interface TeacherTarget {
  image: TeacherImage;
  width: number;
  height: number;
}

/** A face the teacher found in the target. */
export interface TeacherFace {
  /** Upright original pixels, the same space as our `Face.box`. */
  box: Box;
  /**
   * Teacher similarity to the source face, 0..100. Absent when the teacher compared the face but
   * reported it only as below its request threshold (an "unmatched" face).
   */
  similarity?: number;
  /** Teacher confidence (0..100) that the box holds a face. */
  confidence?: number;
}

export interface TeacherComparison {
  faces: TeacherFace[];
  /** Requests sent for this comparison, throttling retries included (only one is billed). */
  attempts: number;
}

/** Why a teacher could not answer; stable codes that end up in results.jsonl. */
export const TeacherFailureCode = {
  Throttled: 'teacher_throttled',
  InvalidParameter: 'teacher_invalid_parameter',
  InvalidImage: 'teacher_invalid_image',
  ImageTooLarge: 'teacher_image_too_large',
  InvalidS3Object: 'teacher_invalid_s3_object',
  AccessDenied: 'teacher_access_denied',
  Credentials: 'teacher_credentials',
  ServiceError: 'teacher_service_error',
  Unknown: 'teacher_error',
} as const;
export type TeacherFailureCode = (typeof TeacherFailureCode)[keyof typeof TeacherFailureCode];

export interface TeacherFailure {
  code: TeacherFailureCode;
  message: string;
  /** Requests sent before giving up. */
  attempts: number;
}

export type TeacherResult =
  | { ok: true; comparison: TeacherComparison }
  | { ok: false; failure: TeacherFailure };

/**
 * A second opinion on who is in a photo (e.g. Amazon Rekognition CompareFaces). Implementations
 * never throw for a failed comparison: they return a typed failure so callers can fall back.
 */
export interface Teacher {
  /** Stable name for reports and provenance, e.g. `aws-rekognition:CompareFaces`. */
  readonly id: string;
  compareFaces(source: TeacherSource, target: TeacherTarget): Promise<TeacherResult>;
}
