import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/conformance/**', 'node_modules/**', 'dist/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // A temporary directory of its own for the run, which must be empty at the end.
    globalSetup: ['test/helpers/tempGuard.ts'],
    // The SDK's eight-line notice about its 2027 Node requirement, once per test file, buries failures.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
