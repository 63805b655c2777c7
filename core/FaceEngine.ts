import { type Affine, invertAffine } from './align/affine.js';
import { ARCFACE_SIZE, ARCFACE_TEMPLATE } from './align/arcfaceTemplate.js';
import { LANDMARK_SIZE, landmarkCrop, rollDegrees, toFivePoints } from './align/landmarks.js';
import { ROLL_SEARCH_ROTATIONS, rollCandidates } from './align/rollSearch.js';
import { warpToTensor } from './align/sample.js';
import { umeyama } from './align/umeyama.js';
import { type EngineConfig, type EngineConfigInput, resolveEngineConfig } from './config.js';
import { scaleBox } from './detect/boxMath.js';
import { decodeDetections } from './detect/decodeDetections.js';
import { fillDetectorInput } from './detect/detectorInput.js';
import { nms } from './detect/nms.js';
import { geometryScore } from './detect/qualityGate.js';
import { paddedPass, planPasses } from './detect/tilePlan.js';
import { ImageError, ImageErrorCode } from './errors.js';
import { type DecodedImage, decodeImage, resizeRgb } from './image/decode.js';
import { padReplicate } from './image/padReplicate.js';
import { l2Normalize } from './match/similarity.js';
import { defaultModelsDir } from './models/defaultModelsDir.js';
import { type LoadedModels, loadModels, type ModelEntry, type ModelManifest } from './models/manifest.js';
import { createSession, type ModelSession } from './runtime/session.js';
import type { Box, Detection, Face, FivePoints, ImageAnalysis, RgbImage } from './types.js';

export interface FaceEngineOptions {
  modelsDir?: string;
  config?: EngineConfigInput;
}

/** Tiles per detector call: enough to amortise the call, small enough to bound memory. */
const DETECT_BATCH = 16;
/** Working-pixel margin for "touches an inner tile edge". */
const EDGE_MARGIN = 2;
/** Faces smaller than this in the analysis image are too coarse to embed. */
const MIN_FACE_ANALYSIS_PX = 16;

interface Candidate {
  det: Detection;
  points: FivePoints;
  roll: number;
  geometry: number;
}

/**
 * The face engine: photo bytes in, faces with boxes, landmarks, quality and embeddings out.
 * The CLI, the Lambdas and the GPU container all call this; there is no other copy of a stage.
 */
export class FaceEngine {
  readonly config: EngineConfig;
  readonly manifest: ModelManifest;
  readonly #detector: ModelSession;
  readonly #landmarks: ModelSession;
  readonly #embedder: ModelSession;

  private constructor(
    config: EngineConfig,
    manifest: ModelManifest,
    sessions: [ModelSession, ModelSession, ModelSession],
  ) {
    this.config = config;
    this.manifest = manifest;
    [this.#detector, this.#landmarks, this.#embedder] = sessions;
  }

  static async create(options: FaceEngineOptions = {}): Promise<FaceEngine> {
    const config = resolveEngineConfig(options.config);
    const models: LoadedModels = await loadModels(options.modelsDir ?? defaultModelsDir());
    const sessionOptions = { intraOpThreads: config.runtime.intraOpThreads, device: config.runtime.device };
    const sessions = await Promise.all([
      createSession(models.bytes.detector, 'detector', sessionOptions),
      createSession(models.bytes.landmarks, 'landmarks', sessionOptions),
      createSession(models.bytes.embedder, 'embedder', sessionOptions),
    ]);
    return new FaceEngine(config, models.manifest, sessions);
  }

  get modelSetId(): string {
    return this.manifest.modelSetId;
  }

  /** Decodes (EXIF-upright, shrunk for analysis) and analyses one photo. */
  async analyze(bytes: Uint8Array): Promise<ImageAnalysis> {
    if (bytes.byteLength > this.config.decode.maxFileBytes) {
      throw new ImageError(
        ImageErrorCode.TooLarge,
        `file too large: ${bytes.byteLength} bytes exceeds ${this.config.decode.maxFileBytes}`,
      );
    }
    const decoded = await decodeImage(bytes, {
      maxSide: this.config.decode.analysisMaxSide,
      maxPixels: this.config.decode.maxPixels,
    });
    return this.analyzeDecoded(decoded);
  }

  async analyzeDecoded(decoded: DecodedImage): Promise<ImageAnalysis> {
    const { image, scale } = decoded;
    const detections = await this.#detect(image, scale);
    const alternatives = (await this.#locate(image, detections)).map((alts) =>
      alts.filter(
        (c) =>
          c.geometry >= this.config.align.minGeometry && c.det.box.y2 - c.det.box.y1 >= MIN_FACE_ANALYSIS_PX,
      ),
    );
    const chosen = await this.#embedBest(
      image,
      alternatives.filter((alts) => alts.length > 0),
    );
    const toOriginal = 1 / scale;
    const faces: Face[] = chosen.map(({ candidate: c, embedding }) => ({
      box: scaleBox(c.det.box, toOriginal),
      score: c.det.score,
      points: c.points.map((p) => ({ x: p.x * toOriginal, y: p.y * toOriginal })) as unknown as FivePoints,
      roll: c.roll,
      quality: c.det.score * c.geometry,
      embedding,
    }));
    return {
      width: decoded.originalWidth,
      height: decoded.originalHeight,
      faces,
      rejected: detections.length - faces.length,
    };
  }

  /** Embeds a face photo that is already aligned to the ArcFace 112x112 template (e.g. glint sets). */
  async embedAligned(bytes: Uint8Array): Promise<Float32Array> {
    const decoded = await decodeImage(bytes, {
      maxSide: ARCFACE_SIZE,
      maxPixels: this.config.decode.maxPixels,
    });
    const { image } = decoded;
    const k = image.width / ARCFACE_SIZE;
    const identity: Affine = { a: k, b: 0, c: 0, d: 0, e: image.height / ARCFACE_SIZE, f: 0 };
    const [result] = await this.#embedWarps(image, [identity]);
    return result!.embedding;
  }

  async close(): Promise<void> {
    await Promise.all([this.#detector.release(), this.#landmarks.release(), this.#embedder.release()]);
  }

  async #detect(image: RgbImage, analysisScale: number): Promise<Detection[]> {
    const entry = this.manifest.models.detector;
    const [inputHeight, inputWidth] = [Number(entry.inputShape[2]), Number(entry.inputShape[3])];
    const cfg = this.config.detect;
    const passes = planPasses(image.width, image.height, {
      inputWidth,
      inputHeight,
      analysisScale,
      minFaceSize: cfg.minFaceSize,
      detectorMinFace: cfg.detectorMinFace,
      maxGrid: cfg.maxGrid,
      tileOverlap: cfg.tileOverlap,
    });
    if (cfg.paddedPass > 0)
      passes.push(paddedPass(image.width, image.height, inputWidth, inputHeight, cfg.paddedPass));
    const jobs: {
      pass: (typeof passes)[number];
      working: RgbImage;
      tile: (typeof passes)[number]['tiles'][number];
    }[] = [];
    for (const pass of passes) {
      const resized = await resizeRgb(image, pass.width, pass.height);
      const working = pass.padX || pass.padY ? padReplicate(resized, pass.padX, pass.padY) : resized;
      for (const tile of pass.tiles) jobs.push({ pass, working, tile });
    }
    const plane = 3 * inputWidth * inputHeight;
    const all: Detection[] = [];
    for (let start = 0; start < jobs.length; start += DETECT_BATCH) {
      const batch = jobs.slice(start, start + DETECT_BATCH);
      const input = new Float32Array(batch.length * plane);
      batch.forEach((j, i) => {
        fillDetectorInput(
          j.working,
          j.tile,
          input,
          i * plane,
          inputWidth,
          inputHeight,
          entry.preprocess.mean,
          entry.preprocess.std,
        );
      });
      const out = await this.#detector.run({
        [entry.inputName]: { data: input, dims: [batch.length, 3, inputHeight, inputWidth] },
      });
      const scores = out[entry.outputNames[0]!]!;
      const boxes = out[entry.outputNames[1]!]!;
      const anchors = scores.dims[1]!;
      batch.forEach((j, i) => {
        all.push(
          ...decodeDetections(scores.data, boxes.data, i, anchors, j.pass, j.tile, {
            inputWidth,
            inputHeight,
            scoreThreshold: j.pass.grid === 1 ? cfg.scoreThreshold : cfg.tileScoreThreshold,
            edgeMargin: EDGE_MARGIN,
          }),
        );
      });
    }
    const kept = nms(all, { iou: cfg.nmsIou, containment: cfg.nmsContainment });
    // Largest faces first: in a crowd the cap drops the background, not the subject.
    return kept.sort((a, b) => boxHeight(b.box) - boxHeight(a.box)).slice(0, cfg.maxFaces);
  }

  /** Landmarks for each detection: one candidate when the roll is clear, a few when it is not. */
  async #locate(image: RgbImage, detections: Detection[]): Promise<Candidate[][]> {
    if (detections.length === 0) return [];
    const rotations = ROLL_SEARCH_ROTATIONS;
    // Every face through every search rotation in one batched call (64x64 crops are cheap).
    const search = await this.#runLandmarks(
      image,
      detections.flatMap((d) => rotations.map((r) => landmarkCrop(d.box, r, image.width, image.height))),
    );
    const rolls = detections.map((_, i) =>
      rollCandidates(
        rotations.map((rotation, k) => ({ rotation, roll: rollDegrees(search[i * rotations.length + k]!) })),
        this.config.align.rollAgreement,
      ),
    );
    // Final landmarks from crops turned so the face is upright in them, where the model is accurate.
    const jobs = detections.flatMap((det, i) => rolls[i]!.map((roll) => ({ det, i, roll })));
    const points = await this.#runLandmarks(
      image,
      jobs.map((j) => landmarkCrop(j.det.box, j.roll, image.width, image.height)),
    );
    const result: Candidate[][] = detections.map(() => []);
    jobs.forEach((j, k) => {
      const p = points[k]!;
      result[j.i]!.push({
        det: j.det,
        points: p,
        roll: rollDegrees(p),
        geometry: geometryScore(p, j.det.box),
      });
    });
    return result;
  }

  async #runLandmarks(image: RgbImage, crops: Affine[]): Promise<FivePoints[]> {
    const entry = this.manifest.models.landmarks;
    const plane = LANDMARK_SIZE * LANDMARK_SIZE;
    const input = new Float32Array(crops.length * plane);
    crops.forEach((crop, i) => {
      warpToTensor(image, crop, target(entry, LANDMARK_SIZE), input, i * plane);
    });
    const out = await this.#landmarks.run({
      [entry.inputName]: { data: input, dims: [crops.length, 1, LANDMARK_SIZE, LANDMARK_SIZE] },
    });
    const result = out[entry.outputNames[0]!]!;
    const stride = result.dims[1]!;
    return crops.map((crop, i) => toFivePoints(result.data, i * stride, crop));
  }

  /** Embeds every candidate and keeps, per face, the one with the strongest (largest-norm) embedding. */
  async #embedBest(
    image: RgbImage,
    alternatives: Candidate[][],
  ): Promise<{ candidate: Candidate; embedding: Float32Array }[]> {
    const flat = alternatives.flat();
    // Template → image map for sampling: invert the image → template similarity.
    const embedded = await this.#embedWarps(
      image,
      flat.map((c) => invertAffine(umeyama(c.points, ARCFACE_TEMPLATE))),
    );
    const out: { candidate: Candidate; embedding: Float32Array }[] = [];
    let k = 0;
    for (const alts of alternatives) {
      let best = k;
      for (let j = k + 1; j < k + alts.length; j++) if (embedded[j]!.norm > embedded[best]!.norm) best = j;
      out.push({ candidate: flat[best]!, embedding: embedded[best]!.embedding });
      k += alts.length;
    }
    return out;
  }

  async #embedWarps(image: RgbImage, warps: Affine[]): Promise<{ embedding: Float32Array; norm: number }[]> {
    const entry = this.manifest.models.embedder;
    const plane = 3 * ARCFACE_SIZE * ARCFACE_SIZE;
    const result: { embedding: Float32Array; norm: number }[] = [];
    const batchSize = this.config.runtime.embedBatch;
    for (let start = 0; start < warps.length; start += batchSize) {
      const batch = warps.slice(start, start + batchSize);
      const input = new Float32Array(batch.length * plane);
      batch.forEach((w, i) => {
        warpToTensor(image, w, target(entry, ARCFACE_SIZE), input, i * plane);
      });
      const out = await this.#embedder.run({
        [entry.inputName]: { data: input, dims: [batch.length, 3, ARCFACE_SIZE, ARCFACE_SIZE] },
      });
      const emb = out[entry.outputNames[0]!]!;
      const dim = emb.dims[1]!;
      for (let i = 0; i < batch.length; i++) {
        // Copy out of the session's buffer before normalising.
        const embedding = emb.data.slice(i * dim, (i + 1) * dim);
        const norm = l2Normalize(embedding);
        result.push({ embedding, norm });
      }
    }
    return result;
  }
}

const boxHeight = (b: Box): number => b.y2 - b.y1;

const target = (entry: ModelEntry, size: number) => ({
  width: size,
  height: size,
  colour: entry.preprocess.colour,
  mean: entry.preprocess.mean,
  std: entry.preprocess.std,
});
