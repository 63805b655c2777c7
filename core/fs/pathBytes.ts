import { dirname, join } from 'node:path';

/**
 * File names on Linux are bytes, not text: a name that is not valid UTF-8 must stay a Buffer all the
 * way from readdir to the copy, or it is mangled and then "vanishes". These join and split either form.
 */
export type FsPath = string | Buffer;

const SLASH = 0x2f;

export const dirnameOf = (p: FsPath): FsPath => {
  if (typeof p === 'string') return dirname(p);
  const i = p.lastIndexOf(SLASH);
  return i <= 0 ? Buffer.from(i === 0 ? '/' : '.') : p.subarray(0, i);
};

export const joinPath = (dir: FsPath, name: FsPath): FsPath =>
  typeof dir === 'string' && typeof name === 'string'
    ? join(dir, name)
    : Buffer.concat([Buffer.from(dir), Buffer.from('/'), Buffer.from(name)]);

/** True when the bytes decode to UTF-8 and back unchanged. */
export const isUtf8 = (bytes: Buffer): boolean => Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);

/** A Buffer path that is valid UTF-8 becomes a string; others stay bytes. */
export const normalizePath = (p: FsPath): FsPath =>
  typeof p === 'string' || !isUtf8(p) ? p : p.toString('utf8');

/** Text for messages: invalid bytes show as U+FFFD (the result line also carries the exact bytes). */
export const displayPath = (p: FsPath): string => (typeof p === 'string' ? p : p.toString('utf8'));
