import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

// Build dist/ once before the suite so spawned processes and workers run current code.
// scripts/run-tests.mjs (pnpm test) has just built it and says so with TESTS_PREBUILT=1 (not
// an L2D2C_* name: the daemons the tests spawn inherit it and refuse unknown L2D2C_* ones).
export default function setup(): void {
  if (process.env.TESTS_PREBUILT === '1') return
  const root = fileURLToPath(new URL('..', import.meta.url))
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b'], { cwd: root, stdio: 'inherit' })
}
