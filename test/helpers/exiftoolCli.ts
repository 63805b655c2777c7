/**
 * The exiftool command line, run as its own process: tests check what was written with exiftool
 * itself, not with mespotter's reader (and not through exiftool-vendored, which only core/xmp uses).
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/** The ExifTool Perl script bundled by exiftool-vendored.pl. */
export const EXIFTOOL_SCRIPT = join(
  dirname(require.resolve('exiftool-vendored.pl/package.json')),
  'bin',
  'exiftool',
);

/** `exiftool -j ...args file`: the one object exiftool prints for the file. */
export const exiftoolJson = async (file: string, args: string[]): Promise<Record<string, unknown>> => {
  const { stdout } = await run('perl', [EXIFTOOL_SCRIPT, '-j', ...args, file], { maxBuffer: 64 << 20 });
  const parsed = JSON.parse(stdout) as Record<string, unknown>[];
  return parsed[0]!;
};

/** Runs exiftool with arguments (a write, as digiKam or a user would) and returns its output. */
export const exiftool = async (args: string[]): Promise<string> => {
  const { stdout } = await run('perl', [EXIFTOOL_SCRIPT, ...args], { maxBuffer: 64 << 20 });
  return stdout;
};

/** Raw face-tag tags of a file: structs, raw values, group-qualified names. */
export const rawFaceTags = (file: string): Promise<Record<string, unknown>> =>
  exiftoolJson(file, ['-struct', '-G1', '-n', '-XMP:all', '-validate', '-Warning']);
