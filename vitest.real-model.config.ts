import { defineConfig } from 'vitest/config';

// issue 22 (item 9): runs against the real small model (SmolLM2-135M on llama.cpp), installed by
// scripts/ensure-real-model.sh; `npm run test:real-model` does both. One file at a time: the model
// has the machine's cores to itself.
export default defineConfig({
  test: {
    include: ['test/real-model/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 900_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
