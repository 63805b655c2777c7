import 'aws-sdk-client-mock-vitest/extend';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompareFacesCommand,
  type CompareFacesResponse,
  RekognitionClient,
} from '@aws-sdk/client-rekognition';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceEngine } from '../../core/FaceEngine.js';
import { parseGallery, pickReferenceFace } from '../../core/match/gallery.js';
import { dot } from '../../core/match/similarity.js';
import type { ImageAnalysis } from '../../core/types.js';
import * as fx from '../helpers/imageFixtures.js';
import { latestRunDir, readRunSummary } from '../helpers/reportRuns.js';
import { runCli } from '../helpers/runCli.js';

const cli = (...args: string[]): Promise<string> => runCli(...args, '--lanes', '1', '--no-cache');

/**
 * A stand-in for Rekognition: it "sees" the faces our engine found (boxes as fractions, redrawn
 * a little, as another detector would) and calls a face the person (similarity 99) when it is
 * clearly like the enrolled reference (cosine > 0.5), a stranger (similarity 5) otherwise.
 */
const rekognition = mockClient(RekognitionClient);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let dir: string;
let analyses: Map<string, ImageAnalysis>;
let modelSetId: string;
let reference: Float32Array;
/** Which face of sample1 (a group photo) is enrolled. */
let referenceFace: number;
const isPerson = (embedding: Float32Array): boolean => dot(reference, embedding) > 0.5;
/** Our best score per photo (one reference: the template is the reference itself). */
const bestScores = (): number[] =>
  [...analyses.values()].map((a) => Math.max(...a.faces.map((f) => dot(reference, f.embedding))));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mespotter-teacher-cli-'));
  await mkdir(join(dir, 'photos'));
  const engine = await FaceEngine.create();
  modelSetId = engine.modelSetId;
  analyses = new Map();
  try {
    for (const n of [1, 2, 3, 4]) {
      const bytes = await readFile(fx.samplePath(n));
      await copyFile(fx.samplePath(n), join(dir, 'photos', `s${n}.jpg`));
      analyses.set(sha(bytes), await engine.analyze(bytes));
    }
    const faces = (await engine.analyze(await readFile(fx.samplePath(1)))).faces;
    const picked = pickReferenceFace(faces)!;
    reference = picked.embedding;
    referenceFace = faces.indexOf(picked);
  } finally {
    await engine.close();
  }
  rekognition.on(CompareFacesCommand).callsFake((input: { TargetImage?: { Bytes?: Uint8Array } }) => {
    const analysis = analyses.get(sha(input.TargetImage!.Bytes!));
    if (!analysis) throw new Error('unexpected target image');
    const response: CompareFacesResponse = {
      FaceMatches: analysis.faces.map((f) => {
        const w = f.box.x2 - f.box.x1;
        const h = f.box.y2 - f.box.y1;
        return {
          Similarity: isPerson(f.embedding) ? 99 : 5,
          Face: {
            // A slightly different box, as another detector would draw it.
            BoundingBox: {
              Left: (f.box.x1 + 0.05 * w) / analysis.width,
              Top: (f.box.y1 + 0.08 * h) / analysis.height,
              Width: (0.92 * w) / analysis.width,
              Height: (0.95 * h) / analysis.height,
            },
            Confidence: 99,
          },
        };
      }),
    };
    return response;
  });
  await cli(
    'enroll',
    fx.samplePath(1),
    '--person',
    'ann',
    '--face',
    String(referenceFace),
    '--gallery',
    join(dir, 'galleries'),
  );
}, 300_000);

afterAll(async () => {
  rekognition.restore();
  await rm(dir, { recursive: true, force: true });
});

describe('mespotter teacher', () => {
  it('compare: agreement, calls and cost in JSON, disagreements in HTML', async () => {
    const json = join(dir, 'compare.json');
    const html = join(dir, 'compare.html');
    // Evaluate at a threshold so low that strangers pass: the teacher must disagree with those.
    const out = await cli(
      'teacher',
      'compare',
      join(dir, 'photos'),
      '--person',
      'ann',
      '--gallery',
      join(dir, 'galleries'),
      '--sample',
      '4',
      '--threshold',
      '0.05',
      '--json',
      json,
      '--html',
      html,
    );
    expect(out).toContain('teacher calls: 4 (0 failed), cost $0.0040');
    const report = JSON.parse(await readFile(json, 'utf8'));
    expect(report.photos).toHaveLength(4);
    expect(report.calls).toBe(4);
    expect(report.faces.paired).toBe(report.faces.ours);
    const persons = [...analyses.values()]
      .flatMap((a) => a.faces)
      .filter((f) => isPerson(f.embedding)).length;
    expect(report.atThreshold.tp).toBe(persons);
    expect(report.atThreshold.recall).toBe(1);
    expect(report.atThreshold.fp).toBeGreaterThan(0);
    expect(report.best.agreement).toBe(1);
    expect(report.best.threshold).toBeGreaterThan(0.05);
    const page = await readFile(html, 'utf8');
    expect(page).toContain('data:image/jpeg;base64,');
    expect(report.disagreements.length).toBeGreaterThan(0);
    expect(rekognition).toHaveReceivedCommandWith(CompareFacesCommand, { SimilarityThreshold: 0 });
  }, 300_000);

  it('calibrate: stores the threshold, the logistic and their provenance in the gallery', async () => {
    await cli(
      'teacher',
      'calibrate',
      join(dir, 'photos'),
      '--person',
      'ann',
      '--gallery',
      join(dir, 'galleries'),
      '--sample',
      '4',
      '--logistic',
    );
    const gallery = parseGallery(
      await readFile(join(dir, 'galleries', 'ann.gallery.json'), 'utf8'),
      modelSetId,
    );
    expect(gallery.threshold).toBeGreaterThan(0);
    expect(gallery.calibration).toMatchObject({
      method: 'teacher-agreement',
      teacher: 'aws-rekognition:CompareFaces',
      sampleSize: 4,
      agreement: 1,
    });
    expect(gallery.calibration?.['positives']).toBeGreaterThan(0);
    expect((gallery.calibration?.['logistic'] as { slope: number } | undefined)?.slope).toBeGreaterThan(0);
  }, 300_000);

  it('sort --teacher-cascade: the teacher decides the gray zone; counts and cost in the summary', async () => {
    rekognition.resetHistory();
    const out = join(dir, 'out');
    const stdout = await cli(
      'sort',
      join(dir, 'photos'),
      '--person',
      'ann',
      '--gallery',
      join(dir, 'galleries'),
      '--out',
      out,
      '--threshold',
      '0.05',
      '--teacher-cascade',
      '-1,0.9',
      '--dry-run',
      '--quiet',
    );
    const summary = await readRunSummary(await latestRunDir(join(out, '.mespotter')));
    // Photos whose best face is in [-1, 0.9] go to the teacher (the reference photo, at 1.0, does
    // not); at threshold 0.05 we match all of them and the teacher rejects the strangers.
    const best = bestScores();
    const routed = best.filter((b) => b <= 0.9).length;
    const overturned = best.filter((b) => b <= 0.9 && b <= 0.5).length;
    expect(routed).toBeGreaterThan(1);
    expect(overturned).toBeGreaterThan(0);
    expect(summary.teacher).toMatchObject({ routed, calls: routed, failures: 0, rateLimited: 0, overturned });
    expect(summary.teacher?.costUsd).toBeCloseTo(0.001 * routed, 9);
    expect(summary.counts['matched']).toBe(best.length - overturned);
    expect(stdout).toContain(`${overturned} decisions overturned`);
    expect(rekognition).toHaveReceivedCommandTimes(CompareFacesCommand, routed);
  }, 300_000);
});
