import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MespotterError, XmpError } from '../../core/errors.js';
import { ExifToolSession } from '../../core/xmp/ExifToolSession.js';
import { findPerl } from '../../core/xmp/findPerl.js';

const fakeBin = (withPerl: boolean, executable = true): string => {
  const dir = mkdtempSync(join(tmpdir(), 'perl-'));
  if (withPerl) {
    writeFileSync(join(dir, 'perl'), '#!/bin/sh\n');
    chmodSync(join(dir, 'perl'), executable ? 0o755 : 0o644);
  }
  return dir;
};

describe('findPerl', () => {
  it('prefers the shebang path when it is executable', () => {
    const bin = fakeBin(true);
    expect(findPerl({ path: '', shebang: join(bin, 'perl') })).toEqual({
      perl: join(bin, 'perl'),
      viaShebang: true,
    });
  });

  it('falls back to PATH (exiftool then runs through `perl` on PATH)', () => {
    const empty = fakeBin(false);
    const bin = fakeBin(true);
    expect(findPerl({ path: [empty, bin].join(delimiter), shebang: join(empty, 'perl') })).toEqual({
      perl: join(bin, 'perl'),
      viaShebang: false,
    });
  });

  it('finds nothing when perl is absent or not executable', () => {
    const empty = fakeBin(false);
    const noExec = fakeBin(true, false);
    const dirNamedPerl = fakeBin(false);
    mkdirSync(join(dirNamedPerl, 'perl'));
    expect(
      findPerl({ path: [empty, noExec, dirNamedPerl].join(delimiter), shebang: join(empty, 'perl') }),
    ).toBeNull();
    expect(findPerl({ path: undefined, shebang: join(empty, 'perl') })).toBeNull();
  });

  it('the session refuses to start without perl, with one clear line', () => {
    const empty = fakeBin(false);
    let error: unknown;
    try {
      ExifToolSession.open({ perl: { path: empty, shebang: join(empty, 'perl') } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(XmpError);
    expect(error).toBeInstanceOf(MespotterError);
    expect((error as XmpError).code).toBe('perl_missing');
    expect((error as XmpError).message).toMatch(/^perl not found .*install perl/);
    expect((error as XmpError).message).not.toContain('\n');
  });
});
