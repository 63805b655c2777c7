import { type ParseArgsConfig, parseArgs } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
type Config<O extends Options> = { args: string[]; options: O; strict: true; allowPositionals: true };

/** What a benchmark's flags parse to: parseArgs' own typed values, and the positionals. */
export type BenchArgs<O extends Options> = ReturnType<typeof parseArgs<Config<O>>>;

/**
 * The one command-line parser of the benchmarks: node:util parseArgs, strict, so an unknown flag or
 * a flag without its value is refused with the usage line; -h / --help prints the usage and exits.
 * Positionals are refused unless `positionals` allows them.
 */
export const benchArgs = <const O extends Options>(
  usage: string,
  options: O,
  o: { positionals?: boolean; argv?: string[] } = {},
): BenchArgs<O> => {
  const argv = o.argv ?? process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    process.exit(0);
  }
  let parsed: BenchArgs<O>;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${usage}`);
  }
  if (!o.positionals && parsed.positionals.length > 0)
    throw new Error(`unexpected argument ${parsed.positionals[0]}\n${usage}`);
  return parsed;
};

/** A comma-separated list of names, each one of `known`. */
export const namesIn = <T extends string>(v: string, known: readonly T[]): T[] => {
  const wanted = v.split(',').map((s) => s.trim());
  const bad = wanted.filter((s) => !(known as readonly string[]).includes(s));
  if (bad.length) throw new Error(`unknown set(s) ${bad.join(', ')}; known: ${known.join(', ')}`);
  return wanted as T[];
};

/** A comma-separated list of integers of at least `min`. */
export const integersIn = (flag: string, v: string, min: number, usage: string): number[] => {
  const xs = v.split(',').map(Number);
  if (xs.some((x) => !Number.isInteger(x) || x < min)) throw new Error(`bad ${flag} ${v}\n${usage}`);
  return xs;
};
