/** Extensions treated as photos; anything else is reported as skipped, not silently ignored. */
export const PHOTO_EXTENSIONS: ReadonlySet<string> = new Set([
  '.jpg',
  '.jpeg',
  '.jpe',
  '.png',
  '.webp',
  '.tif',
  '.tiff',
  '.gif',
  '.avif',
  '.heic',
  '.heif',
  '.pgm',
  '.ppm',
]);

/** True when a file name or object key ends in a photo extension (case-insensitive). */
export const isPhotoName = (name: string): boolean => {
  const dot = name.lastIndexOf('.');
  return dot > name.lastIndexOf('/') && PHOTO_EXTENSIONS.has(name.slice(dot).toLowerCase());
};
