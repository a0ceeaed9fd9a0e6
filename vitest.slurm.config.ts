import { defineConfig } from 'vitest/config';

// The launcher against a real one-node Slurm cluster (scripts/ensure-slurm.sh, scripts/slurm-cluster.sh).
export default defineConfig({
  test: {
    include: ['test/slurm/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
