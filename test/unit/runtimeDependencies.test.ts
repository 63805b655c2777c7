import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/buildApp.js';
import { runtimePackages } from '../helpers/runtimeImports.js';

interface PackageJson {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  files?: string[];
}

const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as PackageJson;
const production = Object.keys(pkg.dependencies ?? {}).sort();

describe('Production dependencies are exactly what the shipped code loads', () => {
  // An installed mespotter has only `dependencies`: a runtime import of anything else fails there,
  // and a dependency nothing loads is install weight (the model sources pulled in ~650 packages).
  it('every package the CLI, handlers, GPU job and teacher load is a production dependency, and nothing else is', async () => {
    const used = await runtimePackages(PROJECT_ROOT);
    const missing = [...used].filter(([name]) => !production.includes(name)).map(([n, f]) => `${n} (${f})`);
    expect(missing, 'loaded at run time but not in dependencies').toEqual([]);
    const unused = production.filter((name) => !used.has(name));
    expect(unused, 'in dependencies but loaded by no runtime code').toEqual([]);
  });

  it('the package ships the built models and dist, not the sources they are built from', () => {
    const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });
    expect(packed.status, packed.stderr).toBe(0);
    const files =
      (JSON.parse(packed.stdout) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path) ?? [];
    const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'layers/models/manifest.json'), 'utf8')) as {
      models: Record<string, { file: string }>;
    };
    const models = Object.values(manifest.models).map((m) => `layers/models/${m.file}`);
    expect(files).toEqual(
      expect.arrayContaining(['layers/models/manifest.json', ...models, 'dist/cli/main.js']),
    );
    expect(files.filter((f) => f.endsWith('.ts') || f.startsWith('test/') || f.startsWith('bench/'))).toEqual(
      [],
    );
  });
});
