/**
 * How every handler is bundled, shared by the CDK functions and the local emulator so both run
 * the same code. CommonJS because Lambda resolves the native layer (/opt/nodejs/node_modules)
 * through NODE_PATH, which ES module imports ignore; `import.meta.url` (used by core to find the
 * models next to it) is rebuilt from __filename. Native packages come from the layer.
 */
export const LAMBDA_BUNDLE = {
  format: 'cjs',
  target: 'node22',
  external: ['onnxruntime-node', 'sharp'],
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;",
} as const;

/** The four handlers: name → entry file relative to the repository root. */
export const HANDLERS = {
  ingest: 'functions/ingest/handler.ts',
  detect: 'functions/detect/handler.ts',
  verify: 'functions/verify/handler.ts',
  copy: 'functions/copy/handler.ts',
} as const;
export type HandlerName = keyof typeof HANDLERS;
