/**
 * A peer for side-by-side speed benchmarks: @vladmandic/face-api running the comparable full pipeline
 * (SSD MobileNet v1 detection + 68-point landmarks + 128-d face descriptor) on the tfjs WASM backend.
 *
 * It uses face-api's `dist/face-api.node-wasm.js` build, which is CommonJS and `require`s two packages
 * that face-api does not depend on itself (they are devDependencies of face-api, peers in practice):
 *   @tensorflow/tfjs@4.22.0 and @tensorflow/tfjs-backend-wasm@4.22.0
 * (face-api 1.7.15 was built against tfjs 4.22.0, see its dist/tfjs.version.js). When they are
 * missing, createFaceApiPeer() rejects with a MissingPeerPackagesError naming them.
 *
 * Nothing is downloaded at run time: the models are loaded from face-api's own model/ folder with
 * loadFromDisk, and the WASM binary is read from node_modules/@tensorflow/tfjs-backend-wasm/dist by a
 * patched `tf.env().platform.fetch` (setWasmPaths(..., usePlatformFetch = true)).
 *
 * Threads: tfjs-backend-wasm 4.x reports WASM_HAS_MULTITHREAD_SUPPORT = false whenever IS_NODE
 * (tensorflow/tfjs#3830), so in Node it always runs the single-threaded SIMD binary and
 * setThreadsCount has no effect. We still ask for min(2, cores) threads so a build that supports
 * threads in Node would use both cores of the 2-core bench machine; the peer reports the count
 * actually in use (`info.threads`).
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type * as FaceApi from '@vladmandic/face-api';
import { decodeImage } from '../../core/image/decode.js';

/** Versions face-api 1.7.15's node-wasm build was made for (dist/tfjs.version.js). */
export const REQUIRED_PEER_PACKAGES = [
  '@tensorflow/tfjs@4.22.0',
  '@tensorflow/tfjs-backend-wasm@4.22.0',
] as const;

export class MissingPeerPackagesError extends Error {
  constructor(readonly missing: readonly string[]) {
    super(
      `face-api peer needs ${missing.join(' and ')} (not installed; add them as devDependencies: ` +
        `npm i -D ${missing.join(' ')})`,
    );
    this.name = 'MissingPeerPackagesError';
  }
}

export interface FaceApiPeerOptions {
  /** SSD score threshold; face-api's default is 0.5. */
  minConfidence?: number;
  /** Most faces SSD returns per image; face-api's default is 100. */
  maxResults?: number;
  /** Shrink the decoded image so its long side is at most this many pixels; default: full resolution. */
  maxSide?: number;
  /** Refuse images with more pixels than this (same guard as the engine); default 100 MP. */
  maxPixels?: number;
  /** WASM threads to ask for; default min(2, CPU count). See the note at the top about Node. */
  threads?: number;
  /** Folder holding face-api's *-weights_manifest.json and .bin files; default: face-api's own model/. */
  modelDir?: string;
}

export interface FaceApiPeerInfo {
  backend: string;
  /** Which .wasm binary was fetched (vanilla, simd or threaded-simd). */
  wasmBinary: string | undefined;
  simd: boolean;
  multithread: boolean;
  threads: number;
  tfjsVersion: string;
  faceApiVersion: string;
}

export interface FaceApiPeer {
  readonly info: FaceApiPeerInfo;
  /** Decodes the file and runs detectAllFaces().withFaceLandmarks().withFaceDescriptors() on it. */
  analyzeFile(path: string): Promise<{ faces: number }>;
  /** Number of tfjs tensors alive; stays flat across analyzeFile calls when nothing leaks. */
  numTensors(): number;
  close(): Promise<void>;
}

/** The runtime parts of tfjs + tfjs-backend-wasm the peer needs; face-api's typings only carry a subset. */
interface TfRuntime {
  version: { [name: string]: string };
  tensor3d(values: Uint8Array, shape: [number, number, number], dtype: 'int32'): FaceApi.tf.Tensor3D;
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
  memory(): { numTensors: number };
  env(): {
    platform: { fetch: PlatformFetch };
    set(flag: string, value: unknown): void;
    getAsync(flag: string): Promise<unknown>;
  };
  setWasmPaths(prefixOrFileMap: string, usePlatformFetch?: boolean): void;
  setThreadsCount(count: number): void;
  getThreadsCount(): number;
}

/** A long-side bound no real photo reaches, so decodeImage never shrinks. */
const FULL_RESOLUTION = 1 << 20;
/** The engine's default decompression-bomb guard (core/config.ts decode.maxPixels). */
const DEFAULT_MAX_PIXELS = 100_000_000;

type PlatformFetch = (input: string, init?: unknown) => Promise<Response>;

type FaceApiModule = typeof FaceApi & { tf: TfRuntime; version: string };

const require = createRequire(import.meta.url);

function resolvePackageDir(name: string): string | undefined {
  let entry: string;
  try {
    // Resolve the main entry (package.json itself could be hidden by an "exports" map); nothing is loaded.
    entry = require.resolve(name);
  } catch {
    return undefined;
  }
  for (let dir = path.dirname(entry); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (pkg.name === name) return dir;
    } catch {
      // no package.json here (or unreadable): keep walking up
    }
  }
  return undefined;
}

/** Loads tfjs, the wasm backend and face-api's node-wasm build; throws MissingPeerPackagesError if absent. */
function loadFaceApi(): { faceapi: FaceApiModule; wasmDir: string; faceApiDir: string } {
  const faceApiDir = resolvePackageDir('@vladmandic/face-api');
  const tfjsDir = resolvePackageDir('@tensorflow/tfjs');
  const wasmPkgDir = resolvePackageDir('@tensorflow/tfjs-backend-wasm');
  const missing = [
    ...(faceApiDir ? [] : ['@vladmandic/face-api@1.7.15']),
    ...(tfjsDir ? [] : [REQUIRED_PEER_PACKAGES[0]]),
    ...(wasmPkgDir ? [] : [REQUIRED_PEER_PACKAGES[1]]),
  ];
  if (missing.length > 0 || !faceApiDir || !wasmPkgDir) throw new MissingPeerPackagesError(missing);
  const faceapi = require(path.join(faceApiDir, 'dist', 'face-api.node-wasm.js')) as FaceApiModule;
  return { faceapi, wasmDir: path.join(wasmPkgDir, 'dist'), faceApiDir };
}

export async function createFaceApiPeer(options: FaceApiPeerOptions = {}): Promise<FaceApiPeer> {
  const { faceapi, wasmDir, faceApiDir } = loadFaceApi();
  const tf = faceapi.tf;
  const modelDir = options.modelDir ?? path.join(faceApiDir, 'model');

  // Serve the .wasm binaries from disk: no network at run time.
  const wasmPrefix = wasmDir + path.sep;
  const platform = tf.env().platform;
  const originalFetch = platform.fetch;
  let wasmBinary: string | undefined;
  platform.fetch = async (input, init) => {
    const url = String(input);
    if (url.startsWith(wasmPrefix) && url.endsWith('.wasm')) {
      wasmBinary = path.basename(url);
      const bytes = await readFile(url);
      return new Response(bytes, { status: 200, headers: { 'content-type': 'application/wasm' } });
    }
    return originalFetch.call(platform, input, init);
  };
  tf.setWasmPaths(wasmPrefix, true);
  tf.setThreadsCount(Math.max(1, options.threads ?? Math.min(2, os.availableParallelism())));

  let closed = false;
  try {
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs could not initialise the wasm backend');
    await tf.ready();

    await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
    await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
    await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);
  } catch (error) {
    platform.fetch = originalFetch;
    throw error;
  }

  // decodeImage always takes a long-side bound; one larger than any photo decodes at full resolution.
  const maxSide = options.maxSide ?? FULL_RESOLUTION;
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;

  const detectorOptions = new faceapi.SsdMobilenetv1Options({
    minConfidence: options.minConfidence ?? 0.5,
    maxResults: options.maxResults ?? 100,
  });

  const info: FaceApiPeerInfo = {
    backend: tf.getBackend(),
    wasmBinary,
    simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
    multithread: Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')),
    threads: tf.getThreadsCount(),
    tfjsVersion: tf.version['tfjs-core'] ?? 'unknown',
    faceApiVersion: faceapi.version,
  };

  return {
    info,
    async analyzeFile(file: string): Promise<{ faces: number }> {
      if (closed) throw new Error('face-api peer is closed');
      // Decode through the engine's own (and the project's only) sharp module: same libvips settings,
      // EXIF rotation and sRGB conversion as mespotter, at full resolution unless maxSide is given.
      const { image: rgb } = await decodeImage(await readFile(file), { maxSide, maxPixels });
      const input = tf.tensor3d(rgb.data, [rgb.height, rgb.width, 3], 'int32');
      try {
        const results = await faceapi
          .detectAllFaces(input, detectorOptions)
          .withFaceLandmarks()
          .withFaceDescriptors();
        return { faces: results.length };
      } finally {
        input.dispose();
      }
    },
    numTensors: () => tf.memory().numTensors,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      faceapi.nets.ssdMobilenetv1.dispose();
      faceapi.nets.faceLandmark68Net.dispose();
      faceapi.nets.faceRecognitionNet.dispose();
      platform.fetch = originalFetch;
    },
  };
}
