import { defineConfig } from 'vitest/config';

export const config = defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/globalTmp.ts'],
    // The AWS SDK's own switch for its notice that SDK releases after January 2027 need Node 22:
    // the project supports Node 20 (engines) and the Lambdas run Node 22; the notice is not a test result.
    // Handlers log bad photos as WARN/ERROR by design; in tests those lines are expected outcomes the
    // assertions check, not problems, so Powertools logs and metrics are silenced unless a test turns them on.
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
    // Model inference is CPU bound: two cores, so keep file-level parallelism modest.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});

// vitest loads the config through its default export; this is the one place we need one.
export default config;
