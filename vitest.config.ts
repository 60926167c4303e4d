import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url))

// Tests import the TypeScript sources directly (aliases below). Anything a test spawns
// (CLI processes, daemons, learner worker threads) runs the compiled dist/, which
// test/global-setup.ts rebuilds with `tsc -b` before the first test, so both always
// run the same code.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@l2d2c\/protocol$/, replacement: here('./packages/protocol/src/index.ts') },
      { find: /^@l2d2c\/protocol\/framing$/, replacement: here('./packages/protocol/src/framing.ts') },
      { find: /^@l2d2c\/agent$/, replacement: here('./packages/agent/src/index.ts') },
      { find: /^@l2d2c\/agent\/(.+)$/, replacement: `${here('./packages/agent/src/')}$1/index.ts` }
    ]
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
