export { RekognitionTeacher, type RekognitionTeacherOptions, toTeacherFaces } from './RekognitionTeacher.js';
export {
  fitForRekognition,
  isRekognitionS3Format,
  prepareSourceBytes,
  RekognitionLimits,
  sniffFormat,
} from './rekognitionImage.js';
export {
  createS3Client,
  getS3Bytes,
  isS3Url,
  listS3Photos,
  parseS3Url,
  type S3Location,
  type S3Photo,
} from './s3Photos.js';
