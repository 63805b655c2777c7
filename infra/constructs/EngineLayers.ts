import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Architecture, Code, LayerVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ConfigError } from '../../core/errors.js';
import { LAYER_STAMP } from '../../layers/native/buildNativeLayer.js';

export interface EngineLayersProps {
  /** layers/models: built ONNX files + manifest.json (by `npm run build`). */
  modelsDir: string;
  /** Built native layer: nodejs/node_modules with onnxruntime-node and sharp for linux-<architecture>. */
  nativeDir: string;
  architecture: Architecture;
}

/** Where the models layer lands in the function (layers unpack into /opt). */
export const MODELS_MOUNT = '/opt';

/**
 * The two layers the engine needs: the models (data) and the native packages (code), kept apart
 * because they change at different times and the function bundles stay small without either.
 */
export class EngineLayers extends Construct {
  readonly models: LayerVersion;
  readonly native: LayerVersion;

  constructor(scope: Construct, id: string, props: EngineLayersProps) {
    super(scope, id);
    requireBuilt(join(props.modelsDir, 'manifest.json'), '"npm run build" (npm ci runs it)');
    requireBuilt(
      join(props.nativeDir, 'nodejs', 'node_modules', 'onnxruntime-node'),
      'npm run cloud:layers (or leave context nativeLayerDir unset: the app builds it)',
    );
    this.models = new LayerVersion(this, 'Models', {
      description: 'mespotter ONNX models and their manifest',
      // Only the built artefacts; the build script itself stays out.
      code: Code.fromAsset(props.modelsDir, { exclude: ['*', '!*.onnx', '!manifest.json'] }),
      compatibleArchitectures: [props.architecture],
      compatibleRuntimes: [Runtime.NODEJS_22_X],
    });
    this.native = new LayerVersion(this, 'Native', {
      description: `onnxruntime-node and sharp for linux-${props.architecture.name} (other platforms pruned)`,
      // The build stamp is bookkeeping for the builder, not part of the layer.
      code: Code.fromAsset(props.nativeDir, { exclude: [LAYER_STAMP] }),
      compatibleArchitectures: [props.architecture],
      compatibleRuntimes: [Runtime.NODEJS_22_X],
    });
  }
}

const requireBuilt = (path: string, command: string): void => {
  if (!existsSync(path)) throw new ConfigError(`${path} is missing: run ${command} before synth`);
};
