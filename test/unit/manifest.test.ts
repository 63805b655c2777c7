import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelError } from '../../core/errors.js';
import { computeModelSetId, loadModels, sha256Hex } from '../../core/models/manifest.js';

const hex = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

const files = {
  detector: { file: 'det.onnx', bytes: Buffer.from('fake detector weights') },
  landmarks: { file: 'lmk.onnx', bytes: Buffer.from('fake landmark weights') },
  embedder: { file: 'emb.onnx', bytes: Buffer.from('fake embedder weights') },
};

const entry = (file: string, sha256: string, shape: (number | string)[]) => ({
  file,
  sha256,
  inputShape: shape,
  inputName: 'input',
  outputNames: ['out'],
  preprocess: { colour: 'rgb', mean: 127, std: 128 },
});

const manifest = (overrides: Partial<Record<keyof typeof files, string>> = {}) => ({
  version: 1,
  modelSetId: 'fake@1.0.0#000000000000',
  source: { package: 'fake', version: '1.0.0', license: 'MIT' },
  models: {
    detector: entry('det.onnx', overrides.detector ?? hex(files.detector.bytes), ['N', 3, 240, 320]),
    landmarks: entry('lmk.onnx', overrides.landmarks ?? hex(files.landmarks.bytes), ['N', 1, 64, 64]),
    embedder: entry('emb.onnx', overrides.embedder ?? hex(files.embedder.bytes), ['N', 3, 112, 112]),
  },
});

describe('Function: sha256Hex', () => {
  it('is the lowercase hex SHA-256 digest', () => {
    // Prepare
    const data = Buffer.from('abc');

    // Act
    const digest = sha256Hex(data);

    // Assess: the FIPS 180-2 test vector.
    expect(digest).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('Function: computeModelSetId', () => {
  it('is package@version# and the first 12 hex digits of the SHA-256 of the comma-joined hashes', () => {
    // Prepare: sha256("a,b") = 1eb7c54d5283...
    const hashes = ['a', 'b'];

    // Act
    const id = computeModelSetId('pkg', '1.2.3', hashes);

    // Assess
    expect(id).toBe('pkg@1.2.3#1eb7c54d5283');
  });

  it('is stable for the same input and changes with any hash or their order', () => {
    // Prepare
    const hashes = [hex('x'), hex('y'), hex('z')];

    // Act
    const first = computeModelSetId('pkg', '1', hashes);
    const again = computeModelSetId('pkg', '1', [...hashes]);
    const reordered = computeModelSetId('pkg', '1', [hashes[1]!, hashes[0]!, hashes[2]!]);
    const changed = computeModelSetId('pkg', '1', [hashes[0]!, hashes[1]!, hex('w')]);

    // Assess
    expect(again).toBe(first);
    expect(new Set([first, reordered, changed]).size).toBe(3);
  });
});

describe('Function: loadModels', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mespotter-models-'));
    for (const f of Object.values(files)) await writeFile(join(dir, f.file), f.bytes);
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the manifest and the verified bytes of every model', async () => {
    // Prepare
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest()));

    // Act
    const loaded = await loadModels(dir);

    // Assess
    expect(loaded.manifest).toEqual(manifest());
    expect(Buffer.from(loaded.bytes.detector).equals(files.detector.bytes)).toBe(true);
    expect(Buffer.from(loaded.bytes.landmarks).equals(files.landmarks.bytes)).toBe(true);
    expect(Buffer.from(loaded.bytes.embedder).equals(files.embedder.bytes)).toBe(true);
  });

  it('fails with a ModelError naming the manifest path when there is no manifest', async () => {
    // Prepare: the model files exist but manifest.json does not.

    // Act
    const result = loadModels(dir);

    // Assess
    await expect(result).rejects.toBeInstanceOf(ModelError);
    await expect(result).rejects.toThrow(`No model manifest at ${join(dir, 'manifest.json')}`);
  });

  it('fails with a ModelError giving file, role and both hashes on a checksum mismatch', async () => {
    // Prepare: the manifest expects other landmark weights.
    const wrong = hex('other weights');
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest({ landmarks: wrong })));

    // Act
    const result = loadModels(dir);

    // Assess
    await expect(result).rejects.toBeInstanceOf(ModelError);
    await expect(result).rejects.toThrow(
      `Checksum mismatch for ${join(dir, 'lmk.onnx')} (landmarks): expected sha256 ${wrong}, got ${hex(files.landmarks.bytes)}`,
    );
  });

  it('fails with a ModelError when a listed model file is missing', async () => {
    // Prepare
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest()));
    await rm(join(dir, 'emb.onnx'));

    // Act
    const result = loadModels(dir);

    // Assess
    await expect(result).rejects.toBeInstanceOf(ModelError);
    await expect(result).rejects.toThrow(`Model file missing: ${join(dir, 'emb.onnx')} (embedder)`);
  });

  it('fails with a ModelError when the manifest does not match the schema', async () => {
    // Prepare: an upper-case hash is not accepted.
    const bad = manifest({ detector: hex(files.detector.bytes).toUpperCase() });
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(bad));

    // Act
    const result = loadModels(dir);

    // Assess
    await expect(result).rejects.toBeInstanceOf(ModelError);
    await expect(result).rejects.toThrow(/Invalid model manifest/);
  });

  it('fails with a ModelError (not a bare SyntaxError) when the manifest is not JSON', async () => {
    // Prepare: a truncated write.
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest()).slice(0, 40));

    // Act
    const result = loadModels(dir);

    // Assess
    await expect(result).rejects.toBeInstanceOf(ModelError);
  });
});

describe('Function: loadModels (the optional descriptor model)', () => {
  let dir: string;
  const descriptorBytes = Buffer.from('fake descriptor weights');
  const withDescriptor = (sha256 = hex(descriptorBytes)) => {
    const m = manifest();
    return {
      ...m,
      models: {
        ...m.models,
        descriptor: {
          ...entry('desc.onnx', sha256, ['N', 3, 150, 150]),
          preprocess: { colour: 'rgb', mean: 0, std: 1 },
          source: { package: '@vladmandic/face-api', version: '1.7.15', license: 'MIT' },
        },
      },
    };
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mespotter-models-'));
    for (const f of Object.values(files)) await writeFile(join(dir, f.file), f.bytes);
    await writeFile(join(dir, 'desc.onnx'), descriptorBytes);
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads and verifies the descriptor when the manifest lists it', async () => {
    // Prepare
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(withDescriptor()));

    // Act
    const loaded = await loadModels(dir);

    // Assess
    expect(Buffer.from(loaded.bytes.descriptor!).equals(descriptorBytes)).toBe(true);
    expect(loaded.manifest.models.descriptor?.source?.package).toBe('@vladmandic/face-api');
  });

  it('loads a three-model manifest without one', async () => {
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest()));
    const loaded = await loadModels(dir);
    expect(loaded.bytes.descriptor).toBeUndefined();
    expect(loaded.manifest.models.descriptor).toBeUndefined();
  });

  it('fails with a ModelError naming the descriptor on a checksum mismatch', async () => {
    // Prepare
    const wrong = hex('other descriptor');
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(withDescriptor(wrong)));

    // Act
    const result = loadModels(dir);

    // Assess
    await expect(result).rejects.toBeInstanceOf(ModelError);
    await expect(result).rejects.toThrow(`Checksum mismatch for ${join(dir, 'desc.onnx')} (descriptor)`);
  });

  it('gives a four-model set another id than the same three models alone', () => {
    const three = [hex(files.detector.bytes), hex(files.landmarks.bytes), hex(files.embedder.bytes)];
    expect(computeModelSetId('pkg', '1', [...three, hex(descriptorBytes)])).not.toBe(
      computeModelSetId('pkg', '1', three),
    );
  });
});
