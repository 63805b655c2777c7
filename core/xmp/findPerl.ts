import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface PerlLookup {
  /** Search path (PATH). */
  path: string | undefined;
  /** Where ExifTool's `#!` line points; used directly when present. */
  shebang: string;
}

export interface FoundPerl {
  perl: string;
  /** True when the shebang path works, so ExifTool can be started as is. */
  viaShebang: boolean;
}

const executable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

/** ExifTool is a Perl program: find perl before starting it, so a missing one is one clear line. */
export const findPerl = (
  lookup: PerlLookup = { path: process.env['PATH'], shebang: '/usr/bin/perl' },
): FoundPerl | null => {
  if (executable(lookup.shebang)) return { perl: lookup.shebang, viaShebang: true };
  for (const dir of (lookup.path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'perl');
    if (executable(candidate)) return { perl: candidate, viaShebang: false };
  }
  return null;
};
