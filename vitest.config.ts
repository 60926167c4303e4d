import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url))

// Tests import the TypeScript sources directly (aliases below). Anything a test spawns
// (CLI processes, daemons, learner worker threads) runs the compiled dist/, which
// test/global-setup.ts rebuilds with `tsc -b` before the first test, so both always
// run the same code.
export default defineConfig({
  resolve: {
    alias: {
      '@l2d2c/protocol': here('./packages/protocol/src/index.ts'),
      '@l2d2c/agent': here('./packages/agent/src/index.ts')
    }
  },
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    setupFiles: ['./test/setup.ts'],
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks'
  }
})
