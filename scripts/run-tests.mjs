#!/usr/bin/env node
// The README's test command: build, run the whole vitest suite, and end with the line
// "N passed, N failed" that CI reads (vitest's own summary is not that line).
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'

const extra = process.argv.slice(2)
const run = (script, ...args) => spawnSync(process.execPath, [script, ...args], { stdio: 'inherit' })
const tsc = 'node_modules/typescript/bin/tsc'
// Format and lint first (Biome, under a second), then the build, which compiles src/ only; tests
// and benchmarks are type-checked on their own (a few seconds).
for (const step of [
  ['node_modules/@biomejs/biome/bin/biome', 'check', '.'],
  [tsc, '-b'],
  [tsc, '-p', 'tsconfig.test.json']
]) {
  const r = run(...step)
  if (r.status !== 0) {
    console.log('0 passed, 1 failed')
    process.exit(r.status ?? 1)
  }
}
rmSync('test-results.json', { force: true })
// dist/ is current now: test/global-setup.ts need not run tsc -b a second time.
const vitest = spawnSync(
  process.execPath,
  [
    'node_modules/vitest/vitest.mjs',
    'run',
    '--reporter=default',
    '--reporter=json',
    '--outputFile=test-results.json',
    ...extra
  ],
  { stdio: 'inherit', env: { ...process.env, TESTS_PREBUILT: '1' } }
)
let summary = '0 passed, 1 failed'
let code = vitest.status ?? 1
try {
  const r = JSON.parse(readFileSync('test-results.json', 'utf8'))
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0)
  // CI reads the last line, which must be exactly "N passed, N failed"; skips are reported above it
  // (each skipping test prints its reason when it loads).
  if (skipped > 0) console.log(`${skipped} skipped (see the reasons printed above)`)
  summary = `${r.numPassedTests} passed, ${r.numFailedTests} failed`
  if (r.numTotalTests === 0) code = 1
  // A suite that failed to load (syntax error, failing hook) counts as a failure even with no failed test.
  if (r.success === false && code === 0) code = 1
} catch (err) {
  console.error(`could not read test-results.json: ${err.message}`)
  code = code === 0 ? 1 : code
}
console.log(summary)
process.exit(code)
