/**
 * Length of the face-api descriptor (the second embedder's output). Its own file so that runtime
 * code (the analysis codec) can check stored descriptors without loading the build-time ONNX
 * graph writer, which needs onnx-proto.
 */
export const DESCRIPTOR_DIM = 128;
