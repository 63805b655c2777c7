import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';

/** What the shipped code runs from: the CLI, the four Lambda handlers, the GPU job, the teacher. */
export const RUNTIME_ENTRIES = [
  'cli/main.ts',
  'functions/ingest/handler.ts',
  'functions/detect/handler.ts',
  'functions/verify/handler.ts',
  'functions/copy/handler.ts',
  'gpu-batch/main.ts',
  'teacher/index.ts',
] as const;

/** `hono/cookie` → `hono`, `@aws-sdk/client-s3/x` → `@aws-sdk/client-s3`. */
export const packageOf = (specifier: string): string => {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
};

const isBuiltin = (specifier: string): boolean =>
  specifier.startsWith('node:') || builtinModules.includes(packageOf(specifier));

// Files found by path at run time rather than imported (the review page serves htmx this way).
const RESOLVED = /\.resolve\(\s*['"]([^'"./][^'"]*)['"]\s*\)/g;

/**
 * The npm packages the runtime entries load, found the way the bundlers see them (esbuild, every
 * package external, type-only imports dropped) plus `require.resolve('pkg/…')` lookups in the
 * files reached. Each package maps to one source file that needs it, for the failure message.
 */
export const runtimePackages = async (projectRoot: string): Promise<Map<string, string>> => {
  const result = await build({
    absWorkingDir: projectRoot,
    entryPoints: [...RUNTIME_ENTRIES],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    write: false,
    metafile: true,
    outdir: 'runtime-imports-out',
    logLevel: 'silent',
  });
  const found = new Map<string, string>();
  const note = (specifier: string, file: string): void => {
    if (isBuiltin(specifier)) return;
    const name = packageOf(specifier);
    if (!found.has(name)) found.set(name, file);
  };
  for (const [file, input] of Object.entries(result.metafile.inputs)) {
    for (const i of input.imports) if (i.external) note(i.path, file);
    const text = readFileSync(join(projectRoot, file), 'utf8');
    for (const m of text.matchAll(RESOLVED)) if (m[1]) note(m[1], file);
  }
  return found;
};
