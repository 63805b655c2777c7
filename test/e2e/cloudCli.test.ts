import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRunId } from '../../cli/cloud/cloudRunStatus.js';
import { referenceKeys } from '../../cli/cloud/enrollInCloud.js';
import { startCloudRun } from '../../cli/cloud/startCloudRun.js';
import { analyzePhoto } from '../../core/analysis/analyzePhoto.js';
import { FaceEngine } from '../../core/FaceEngine.js';
import { DEFAULT_MIN_AGREEMENT } from '../../core/match/defaults.js';
import {
  buildGallery,
  pickReferenceFace,
  type ReferenceCandidate,
  serializeGallery,
} from '../../core/match/gallery.js';
import type { ResultLine } from '../../core/report/resultLine.js';
import { PROJECT_ROOT } from '../../infra/buildApp.js';
import { LocalCloud } from '../../infra/local/LocalCloud.js';
import { getText, listKeys, put } from '../helpers/cloudObjects.js';
import { type CloudTestPhotos, makeCloudTestPhotos } from '../helpers/cloudPhotos.js';
import { runCli, runCliStatus } from '../helpers/runCli.js';

describe('mespotter cloud: arguments checked before any request', () => {
  it('keeps reference file names, made unique', () => {
    expect(referenceKeys('Anna', ['a/1.jpg', 'b/1.jpg', 'c/1.JPG', 'd/2.jpg'])).toEqual([
      'reference/Anna/1.jpg',
      'reference/Anna/1-2.jpg',
      'reference/Anna/1-3.JPG',
      'reference/Anna/2.jpg',
    ]);
  });

  it('wants a manifest or a prefix, and never one of its own prefixes', async () => {
    await expect(startCloudRun({ bucket: 'b' })).rejects.toThrow(/--manifest FILE or --prefix/);
    await expect(startCloudRun({ bucket: 'b', manifest: 'm.jsonl', prefix: 'p/' })).rejects.toThrow(
      /one of them/,
    );
    await expect(startCloudRun({ bucket: 'b', prefix: 'matches/Anna/' })).rejects.toThrow(/own prefixes/);
    await expect(startCloudRun({ bucket: 'b', manifest: 'run.parquet' })).rejects.toThrow(/JSON lines/);
  });

  it('takes run ids as folder names only', () => {
    expect(checkRunId('drop-2026-12-02')).toBe('drop-2026-12-02');
    expect(() => checkRunId('../x')).toThrow(/not a run id/);
    expect(() => checkRunId('a/b')).toThrow(/not a run id/);
  });
});

/**
 * The user's side of the cloud path: `mespotter cloud enroll|run|status|results|report` against
 * the emulated pipeline (bundled handlers, real models). The commands reach it only through
 * AWS_ENDPOINT_URL (set by LocalCloud, as a LocalStack user would set it), over the AWS SDK.
 */
describe('mespotter cloud enroll / run / status / results / report (emulated pipeline)', () => {
  let cloud: LocalCloud;
  let photos: CloudTestPhotos;
  let engine: FaceEngine;
  let runId: string;
  const dir = mkdtempSync(join(tmpdir(), 'mespotter-cloud-cli-'));

  beforeAll(async () => {
    engine = await FaceEngine.create();
    photos = await makeCloudTestPhotos(engine);
    cloud = await LocalCloud.start({ projectRoot: PROJECT_ROOT });
    process.env['MESPOTTER_CLOUD_POLL_MS'] = '200';
  });

  afterAll(async () => {
    delete process.env['MESPOTTER_CLOUD_POLL_MS'];
    await cloud?.stop();
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('talks to the endpoint in AWS_ENDPOINT_URL', () => {
    expect(process.env['AWS_ENDPOINT_URL']).toBe(cloud.endpoint);
  });

  it('enroll uploads reference photos to reference/NAME/ and, with --wait, prints the enrolment', async () => {
    // Prepare: two references with the same file name in different folders.
    const files = photos.references.map((ref, i) => ({
      ref,
      path: join(dir, `refs${i % 2}`, `anna${Math.floor(i / 2)}.jpg`),
    }));
    for (const f of files) {
      mkdirSync(join(f.path, '..'), { recursive: true });
      writeFileSync(f.path, f.ref);
    }

    // Act
    const out = await runCli(
      'cloud',
      'enroll',
      '--bucket',
      cloud.bucket,
      '--person',
      'Anna',
      '--wait',
      ...files.map((f) => f.path),
    );

    // Assess: every file uploaded under its own key, and the pipeline's report printed.
    const keys = await listKeys(cloud.s3, cloud.bucket, 'reference/Anna/');
    expect(keys.filter((k) => k.endsWith('.jpg'))).toHaveLength(files.length);
    expect(keys).toContain('reference/Anna/gallery.json');
    expect(out).toContain(`Anna: ${files.length} reference(s) accepted`);
  });

  it('run --prefix starts a manifest run, prints its id and, with --wait, its summary', async () => {
    // Prepare
    const [s1, s2, s3] = photos.samples;
    await put(cloud.s3, cloud.bucket, 'collection/with her.jpg', s1!);
    await put(cloud.s3, cloud.bucket, 'collection/others.jpg', s2!);
    await put(cloud.s3, cloud.bucket, 'collection/more/others.jpg', s3!);
    await put(cloud.s3, cloud.bucket, 'collection/broken.jpg', photos.corrupt);

    // Act
    const r = await runCliStatus(
      'cloud',
      'run',
      '--bucket',
      cloud.bucket,
      '--prefix',
      'collection/',
      '--wait',
    );

    // Assess: the id printed first is the run's folder under results/; the corrupt photo makes it incomplete.
    runId = r.output.split('\n')[0]!;
    expect(runId).toMatch(/^collection-\d{8}T\d{6}Z-[0-9a-f]{10}$/);
    expect(r.output).toContain('summary: 4 line(s): 1 matched, 2 no match, 0 no face, 0 skipped, 1 error(s)');
    expect(r.output).toMatch(/Anna: 1 photo\(s\)/);
    expect(r.exitCode).toBe(1);
    expect(await listKeys(cloud.s3, cloud.bucket, `results/${runId}/`)).toContain(
      `results/${runId}/summary.json`,
    );
    expect(await listKeys(cloud.s3, cloud.bucket, 'matches/')).toEqual([
      'matches/Anna/collection/with her.jpg',
    ]);
  });

  it('status lists the runs and shows one run', async () => {
    expect((await runCli('cloud', 'status', '--bucket', cloud.bucket)).split('\n')).toContain(runId);
    const out = await runCli('cloud', 'status', '--bucket', cloud.bucket, runId);
    expect(out).toContain(`${runId}: manifest manifests/cli/collection-`);
    expect(out).toContain('inputs 4, result lines 4 (100 %)');
  });

  it('results prints one line per input, filtered by status on request', async () => {
    const lines = (await runCli('cloud', 'results', '--bucket', cloud.bucket, runId))
      .split('\n')
      .map((l) => JSON.parse(l) as ResultLine);
    expect(Object.fromEntries(lines.map((l) => [l.path, l.status]))).toEqual({
      'collection/broken.jpg': 'error',
      'collection/more/others.jpg': 'no_match',
      'collection/others.jpg': 'no_match',
      'collection/with her.jpg': 'matched',
    });
    const matched = await runCli('cloud', 'results', '--bucket', cloud.bucket, runId, '--status', 'matched');
    expect(matched.split('\n').map((l) => (JSON.parse(l) as ResultLine).path)).toEqual([
      'collection/with her.jpg',
    ]);
  });

  it('report renders the run with the CLI report code, thumbnails downloaded from the bucket', async () => {
    // Act
    const out = join(dir, 'report');
    const printed = await runCli('cloud', 'report', '--bucket', cloud.bucket, '--out', out, runId);

    // Assess
    expect(printed).toMatch(/wrote .*report\.html: 4 line\(s\), [1-9]\d* thumbnail\(s\)/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('Anna');
    expect(html).toContain('with her.jpg');
    expect(readdirSync(join(out, 'thumbs')).length).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toMatchObject({
      runId,
      total: 4,
      counts: { matched: 1, error: 1 },
    });
    // Never into a folder that holds something.
    await expect(runCli('cloud', 'report', '--bucket', cloud.bucket, '--out', out, runId)).rejects.toThrow(
      /not empty/,
    );
    const bare = join(dir, 'bare');
    await runCli('cloud', 'report', '--bucket', cloud.bucket, '--out', bare, '--no-thumbnails', runId);
    expect(existsSync(join(bare, 'report.html'))).toBe(true);
    expect(readdirSync(join(bare, 'thumbs'))).toEqual([]);
  });

  it('enroll --gallery uploads an exported gallery as it is, and refuses one of someone else', async () => {
    // Prepare: a gallery of the second person made on this machine, as `library export` writes it.
    const candidates: ReferenceCandidate[] = [];
    for (const [i, ref] of photos.secondReferences.entries()) {
      const { sha256, analysis } = await analyzePhoto(engine, ref);
      const face = pickReferenceFace(analysis.faces);
      if (face) candidates.push({ source: `bea${i}.jpg`, sha256, face });
    }
    const { gallery } = buildGallery('Bea', engine.modelSetId, candidates, [], {
      minAgreement: DEFAULT_MIN_AGREEMENT,
    });
    const file = join(dir, 'Bea.gallery.json');
    writeFileSync(file, serializeGallery({ ...gallery, threshold: 0.45 }));

    // Act
    await runCli('cloud', 'enroll', '--bucket', cloud.bucket, '--person', 'Bea', '--gallery', file);

    // Assess
    const uploaded = JSON.parse(await getText(cloud.s3, cloud.bucket, 'reference/Bea/gallery.json')) as {
      person: string;
      threshold: number;
      references: unknown[];
    };
    expect(uploaded).toMatchObject({ person: 'Bea', threshold: 0.45 });
    expect(uploaded.references).toHaveLength(candidates.length);
    await expect(
      runCli('cloud', 'enroll', '--bucket', cloud.bucket, '--person', 'Cleo', '--gallery', file),
    ).rejects.toThrow(/gallery of "Bea", not Cleo/);
    await expect(
      runCli('cloud', 'enroll', '--bucket', cloud.bucket, '--person', 'Anna', '--gallery', file),
    ).rejects.toThrow(/gallery of "Bea"/);
  });
});
