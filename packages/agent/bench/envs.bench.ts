/**
 * pnpm bench:envs [--steps N] [--json]
 *
 * Environment steps per second on one core for each task family, under a uniform random
 * policy, through the L2D2-C auto-reset wrapper (the way the learner steps them).
 */
import { parseArgs } from 'node:util'
import { AutoResetEnv } from '../src/envs/env.js'
import { taskSpec } from '../src/envs/registry.js'
import { createPrng } from '../src/rng/prng.js'

const { values } = parseArgs({
  options: { steps: { type: 'string', default: '2000000' }, json: { type: 'boolean', default: false } }
})
const steps = Number(values.steps)

const tasks = [
  'ctgraph/d2b2/img1/leaf00',
  'ctgraph/d4b2/img1/leaf0000',
  'ctgraph/d2b3/img1/leaf00',
  'minigrid/SimpleCrossingS9N1/seed9157',
  'minigrid/SimpleCrossingS9N3/seed9157',
  'minigrid/LavaCrossingS11N5/seed9157',
  'minigrid/DoorKey-5x5/seed9157'
]

function measure(key: string, n: number): { stepsPerSecond: number; episodes: number; nsPerStep: number } {
  const spec = taskSpec(key)
  const env = new AutoResetEnv(spec.createEnv())
  // Seeded (the project's PRNG), so every run steps the same episodes.
  const pick = createPrng(1)
  env.reset()
  let episodes = 0
  let checksum = 0
  for (let i = 0; i < Math.min(n, 100_000); i++) env.step(pick.nextInt(spec.numActions)) // warm-up
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < n; i++) {
    const r = env.step(pick.nextInt(spec.numActions))
    checksum += r.observation[0] ?? 0
    if (r.done) episodes++
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  if (checksum < 0) console.log(checksum) // keep the loop observable
  return { stepsPerSecond: n / seconds, episodes, nsPerStep: (seconds * 1e9) / n }
}

const rows = tasks.map(key => ({ key, ...measure(key, steps) }))
if (values.json) {
  console.log(JSON.stringify({ steps, node: process.version, rows }, null, 2))
} else {
  console.log(
    `environment throughput, random policy, ${steps.toLocaleString('en-US')} steps each, one core, node ${process.version}`
  )
  for (const r of rows)
    console.log(
      `${r.key.padEnd(40)} ${(r.stepsPerSecond / 1e6).toFixed(2).padStart(7)} M steps/s  ${r.nsPerStep.toFixed(0).padStart(6)} ns/step  ${r.episodes} episodes`
    )
}
