/**
 * CT-graph step throughput on one core: `npx tsx packages/agent/bench/ctgraph-steps.ts`.
 * Prints steps per second for D2B2 under a uniform random policy (actions from MT19937), for the
 * raw env, the raw env with pre-drawn actions (env cost alone), and the L2D2-C auto-reset wrapper;
 * plus the cost of creating an env with a cold and a warm image-dataset cache.
 */
import { AutoResetEnv } from '../src/envs/env.js'
import { generateCtGraphImageDataset } from '../src/envs/ct-graph-images.js'
import { CtGraphEnv, l2d2cCtGraphConfig } from '../src/envs/ct-graph.js'
import { MT19937 } from '../src/rng/mt19937.js'

const STEPS = 5_000_000
const ROUNDS = 5

function best (label: string, run: () => number): void {
  let bestRate = 0
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint()
    const steps = run()
    const seconds = Number(process.hrtime.bigint() - start) / 1e9
    bestRate = Math.max(bestRate, steps / seconds)
  }
  console.log(`${label.padEnd(48)} ${(bestRate / 1e6).toFixed(1).padStart(6)} M steps/s  (${(1e9 / bestRate).toFixed(0)} ns/step, best of ${ROUNDS})`)
}

const config = l2d2cCtGraphConfig(2, 2, 1)
let sink = 0

best('raw env, random actions (MT19937 randint)', () => {
  const env = new CtGraphEnv(config, [0, 1])
  const rng = new MT19937(1)
  env.reset()
  for (let t = 0; t < STEPS; t++) {
    const r = env.step(rng.randint(0, 3))
    sink += r.reward
    if (r.terminated) env.reset()
  }
  return STEPS
})

const predrawn = new Uint8Array(STEPS)
{
  const rng = new MT19937(2)
  for (let t = 0; t < STEPS; t++) predrawn[t] = rng.randint(0, 3)
}
best('raw env, pre-drawn random actions', () => {
  const env = new CtGraphEnv(config, [0, 1])
  env.reset()
  for (let t = 0; t < STEPS; t++) {
    const r = env.step(predrawn[t] as number)
    sink += r.reward
    if (r.terminated) env.reset()
  }
  return STEPS
})

best('AutoResetEnv wrapper, random actions', () => {
  const env = new AutoResetEnv(new CtGraphEnv(config, [0, 1]))
  const rng = new MT19937(3)
  env.reset()
  for (let t = 0; t < STEPS; t++) sink += env.step(rng.randint(0, 3)).reward
  return STEPS
})

{
  const start = process.hrtime.bigint()
  const seeds = 34
  for (let seed = 1; seed <= seeds; seed++) sink += generateCtGraphImageDataset(seed, 16).images.length
  const coldMs = Number(process.hrtime.bigint() - start) / 1e6 / seeds
  const warmStart = process.hrtime.bigint()
  const envs = 10_000
  for (let i = 0; i < envs; i++) sink += new CtGraphEnv(l2d2cCtGraphConfig(2, 2, 1 + (i % 4)), [i & 1, (i >> 1) & 1]).numActions
  const warmUs = Number(process.hrtime.bigint() - warmStart) / 1e3 / envs
  console.log(`dataset generation (16 images, cold)              ${coldMs.toFixed(2)} ms per dataset`)
  console.log(`env construction (dataset cached)                 ${warmUs.toFixed(1)} µs per env`)
}

if (sink === -1) console.log('unreachable')
