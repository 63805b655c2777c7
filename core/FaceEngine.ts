import type { Affine } from './align/affine.js';
import { ARCFACE_SIZE, ARCFACE_TEMPLATE } from './align/arcfaceTemplate.js';
import { LANDMARK_SIZE, landmarkCrop, rollDegrees, toFivePoints } from './align/landmarks.js';
import { ROLL_SEARCH_ROTATIONS, rollCandidates } from './align/rollSearch.js';
import { warpToTensor } from './align/sample.js';
import { EmbedMode, type EngineConfig, type EngineConfigInput, resolveEngineConfig } from './config.js';
import { scaleBox } from './detect/boxMath.js';
import { decodeDetections } from './detect/decodeDetections.js';
import { fillDetectorInput } from './detect/detectorInput.js';
import { nms } from './detect/nms.js';
import { geometryScore } from './detect/qualityGate.js';
import { paddedPass, planPasses } from './detect/tilePlan.js';
import { createFaceEmbedder, type FaceEmbedder } from './embed/FaceEmbedder.js';
import { type FaceIdentity, IdentityStage } from './embed/IdentityStage.js';
import { ImageError, ImageErrorCode, ModelError } from './errors.js';
import { type DecodedImage, decodeImage, resizeRgb } from './image/decode.js';
import { padReplicate } from './image/padReplicate.js';
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
  readonly #identity: IdentityStage;

  private constructor(
    config: EngineConfig,
    manifest: ModelManifest,
    detector: ModelSession,
    landmarks: ModelSession,
    identity: IdentityStage,
  ) {
    this.config = config;
    this.manifest = manifest;
    this.#detector = detector;
    this.#landmarks = landmarks;
    this.#identity = identity;
  }

  static async create(options: FaceEngineOptions = {}): Promise<FaceEngine> {
    const config = resolveEngineConfig(options.config);
    const models: LoadedModels = await loadModels(options.modelsDir ?? defaultModelsDir());
    const fused = config.embed.mode === EmbedMode.Fused;
    const descriptorEntry = models.manifest.models.descriptor;
    if (fused && (!descriptorEntry || !models.bytes.descriptor)) {
      throw new ModelError(
        'Embed mode "fused" needs the descriptor model, which this model set does not list; ' +
          'rebuild the models with "npm run build" or set embed.mode to "fast".',
      );
    }
    const sessionOptions = { intraOpThreads: config.runtime.intraOpThreads, device: config.runtime.device };
    const [detector, landmarks, embedder, descriptor] = await Promise.all([
      createSession(models.bytes.detector, 'detector', sessionOptions),
      createSession(models.bytes.landmarks, 'landmarks', sessionOptions),
      createSession(models.bytes.embedder, 'embedder', sessionOptions),
      fused && models.bytes.descriptor
        ? createSession(models.bytes.descriptor, 'descriptor', sessionOptions)
        : undefined,
    ]);
    const batch = config.runtime.embedBatch;
    const primary = createFaceEmbedder(embedder, models.manifest.models.embedder, 'embedder', batch);
    const second: FaceEmbedder | undefined =
      descriptor && descriptorEntry
        ? createFaceEmbedder(descriptor, descriptorEntry, 'descriptor', batch)
        : undefined;
    const identity = new IdentityStage(primary, second, config.embed);
    return new FaceEngine(config, models.manifest, detector, landmarks, identity);
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
    const kept = alternatives.filter((alts) => alts.length > 0);
    const picked = await this.#identity.embedBest(
      image,
      kept.map((alts) => alts.map((c) => c.points)),
    );
    const toOriginal = 1 / scale;
    const faces: Face[] = picked.map(({ pick, identity }, i) => {
      const c = kept[i]![pick]!;
      return {
        box: scaleBox(c.det.box, toOriginal),
        score: c.det.score,
        points: c.points.map((p) => ({ x: p.x * toOriginal, y: p.y * toOriginal })) as unknown as FivePoints,
        roll: c.roll,
        quality: c.det.score * c.geometry,
        ...identity,
      };
    });
    return {
      width: decoded.originalWidth,
      height: decoded.originalHeight,
      faces,
      rejected: detections.length - faces.length,
    };
  }

  /**
   * Identity vectors of faces whose five points (original-image pixels, as in `Face.points`) are
   * already known, in a photo decoded by `decodeImage`: e.g. to add descriptors to faces analysed in
   * fast mode without detecting them again. No roll arbitration: the points are taken as they are.
   */
  async embedAt(decoded: DecodedImage, points: readonly FivePoints[]): Promise<FaceIdentity[]> {
    const s = decoded.scale;
    return this.#identity.embedPoints(
      decoded.image,
      points.map((p) => p.map((q) => ({ x: q.x * s, y: q.y * s })) as unknown as FivePoints),
    );
  }

  /** Embeds a face photo that is already aligned to the ArcFace 112x112 template (e.g. glint sets). */
  async embedAligned(bytes: Uint8Array): Promise<Float32Array> {
    return (await this.#aligned(bytes, false)).embedding;
  }

  /**
   * Both identity vectors of a face photo already aligned to the ArcFace 112x112 template: the five
   * points are where that template puts them, so the descriptor gets its own crop from them (parts
   * of its wider framing that fall outside the photo repeat the edge pixels).
   */
  async describeAligned(bytes: Uint8Array): Promise<FaceIdentity> {
    return this.#aligned(bytes, true);
  }

  async #aligned(bytes: Uint8Array, withDescriptor: boolean): Promise<FaceIdentity> {
    const decoded = await decodeImage(bytes, {
      maxSide: ARCFACE_SIZE,
      maxPixels: this.config.decode.maxPixels,
    });
    const { image } = decoded;
    const kx = image.width / ARCFACE_SIZE;
    const ky = image.height / ARCFACE_SIZE;
    const points = ARCFACE_TEMPLATE.map((p) => ({ x: p.x * kx, y: p.y * ky })) as unknown as FivePoints;
    const [result] = await this.#identity.embedPoints(image, [points], withDescriptor);
    return result!;
  }

  async close(): Promise<void> {
    await Promise.all([this.#detector.release(), this.#landmarks.release(), this.#identity.release()]);
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
}

const boxHeight = (b: Box): number => b.y2 - b.y1;

const target = (entry: ModelEntry, size: number) => ({
  width: size,
  height: size,
  colour: entry.preprocess.colour,
  mean: entry.preprocess.mean,
  std: entry.preprocess.std,
});
