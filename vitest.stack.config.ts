import { defineConfig } from 'vitest/config';

// Tests against the real collector, Phoenix and Prometheus started by scripts/stack.
export default defineConfig({
  test: {
    include: ['test/stack/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 1_200_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
