/**
 * MiniGrid env steps per second on one core: SimpleCrossingS9N1 (seed 9157) under a uniform
 * random policy over its 3 actions, resetting at episode ends like L2D2-C's wrapper.
 *
 *   pnpm exec tsx packages/agent/bench/minigrid-steps.ts [task] [steps]
 */
import { MiniGridEnv } from '../src/envs/minigrid/env.js'

const task = process.argv[2] ?? 'SimpleCrossingS9N1'
const steps = Number(process.argv[3] ?? 2_000_000)

/** mulberry32: cheap seeded action choice, so the figure is the env's cost, not the RNG's. */
function actionRng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function run (n: number): { seconds: number, episodes: number, checksum: number } {
  const env = new MiniGridEnv(task)
  const pick = actionRng(1)
  let checksum = env.reset()[0] ?? 0
  let episodes = 0
  const start = process.hrtime.bigint()
  for (let i = 0; i < n; i++) {
    const r = env.step(Math.floor(pick() * env.numActions))
    checksum += r.observation[i % 147] ?? 0
    if (r.terminated || r.truncated) { env.reset(); episodes++ }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  return { seconds, episodes, checksum }
}

run(200_000) // warm-up (JIT)
const { seconds, episodes, checksum } = run(steps)
const perSecond = steps / seconds
console.log(`${task}: ${steps} random steps in ${seconds.toFixed(3)} s = ${(perSecond / 1e6).toFixed(2)} M steps/s ` +
  `(${(1e9 / perSecond).toFixed(0)} ns/step, ${episodes} episodes, checksum ${checksum})`)
