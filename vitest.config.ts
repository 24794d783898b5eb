import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'out/**'],
    // Vitest's default is one worker fewer than the cores, for its own process: one worker
    // on a two-core machine, which left half of CI's machine idle for the fingerprint
    // suites' minutes. Vitest's own process only waits for its workers.
    maxWorkers: availableParallelism(),
  },
});
