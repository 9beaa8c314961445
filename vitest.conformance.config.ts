import { defineConfig } from 'vitest/config';

/**
 * `npm run test:conformance`: the connector against moto, a third-party AWS emulator. Each file
 * starts its own moto; the global setup builds `dist/` (the CLI runs end to end) and decides
 * whether moto is there at all.
 */
export default defineConfig({
  test: {
    include: ['test/conformance/**/*.conformance.test.ts'],
    globalSetup: ['test/conformance/globalSetup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Skipped tests carry the reason in their name; the verbose reporter prints it.
    reporters: ['verbose'],
  },
});
