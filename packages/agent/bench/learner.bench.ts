/**
 * Learner benchmark: prints figures, asserts nothing.
 *
 *   pnpm exec tsx packages/agent/bench/learner.bench.ts [--quick] [--backends cpu,wasm]
 *     [--sample-efficiency [--tasks all] [--seeds 1] [--modes random,lc,blc] [--preset default]]
 *
 * 1. ms per PPO gradient step (CT-graph network: 144 → 200 → 200 → 200 → 3 + 1) for each backend,
 *    gradient mode (manual backward, tf.customGrad fused kernel, plain autodiff) and minibatch size
 *    (the default preset's and B = 256, the size docs/dependencies.md §4.2 measured), and the
 *    manual step with the close-to-init penalty (learner/mask-anchor.ts) on.
 * 2. Inference: µs per batched forward, tfjs vs plain JS.
 * 3. Env steps per second with PPO updates included (default settings, wasm, one core) on the
 *    first task and on the 16th (15 masks already held), for random / LC / BLC new-task masks.
 * 4. (--sample-efficiency) steps-to-threshold per task on the meta CT-graph, random vs LC vs BLC.
 */
import * as tf from '@tensorflow/tfjs'
import { META_CTGRAPH_TASKS, taskSpec } from '../src/envs/index.js'
import { createBackbone } from '../src/learner/backbone.js'
import { DEFAULT_PPO, resolvePpoConfig, type PpoPreset } from '../src/learner/hyperparams.js'
import { LifelongLearner } from '../src/learner/lifelong-learner.js'
import { MaskAnchor } from '../src/learner/mask-anchor.js'
import { MaskedNet } from '../src/learner/masked-net.js'
import { JsPolicy, type Policy } from '../src/learner/policy-js.js'
import { TfPolicy } from '../src/learner/policy-tf.js'
import { manualGradients, tapeGradients, TaskOptimizer, type GradientMode, type Minibatch } from '../src/learner/ppo.js'
import { initTfBackend, type BackendName } from '../src/learner/tf-backend.js'
import type { NewMaskMode } from '../src/masks/combine.js'
import { initialTaskScores } from '../src/masks/score-init.js'
import { createPrng } from '../src/rng/prng.js'
import { runSampleEfficiency } from './learner-tune.js'

const argv = process.argv.slice(2)
const flag = (name: string): boolean => argv.includes(name)
const option = (name: string, fallback: string): string => {
  const i = argv.indexOf(name)
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback
}
const quick = flag('--quick')
const backends = option('--backends', 'cpu,wasm').split(',') as BackendName[]

/** Best of several rounds (the machine is shared: the minimum is the least disturbed figure). */
function timeIt(fn: () => void, reps: number, rounds = quick ? 2 : 5): number {
  fn()
  const times: number[] = []
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now()
    for (let i = 0; i < reps; i++) fn()
    times.push((performance.now() - t0) / reps)
  }
  return Math.min(...times)
}

const backbone = createBackbone({ inputSize: 144, numActions: 3 })
const config = resolvePpoConfig('default')

function randomMinibatch(size: number, seed: number): Minibatch {
  const rng = createPrng(seed)
  return {
    size,
    obs: Float32Array.from({ length: size * 144 }, () => rng.nextInt(256) / 255),
    actions: Int32Array.from({ length: size }, () => rng.nextInt(3)),
    oldLogProbs: new Float32Array(size).fill(Math.log(1 / 3)),
    advantages: Float32Array.from({ length: size }, () => rng.nextFloat() * 2 - 1),
    returns: Float32Array.from({ length: size }, () => rng.nextFloat())
  }
}

async function updateCost(): Promise<void> {
  console.log('\n== PPO gradient step (forward + backward + clip + optimizer), ms per step ==')
  const sizes = [...new Set([config.minibatchSize, 256])]
  console.log(`backend  mode      ${sizes.map(b => `B=${b}`.padStart(10)).join('')}   per sample at B=256`)
  const results = new Map<string, number>()
  for (const name of backends) {
    await initTfBackend(name)
    const net = new MaskedNet(backbone)
    net.load(initialTaskScores(backbone, 'bench'))
    const optimizer = new TaskOptimizer(net, config)
    for (const mode of ['manual', 'fused', 'autodiff'] as GradientMode[]) {
      const row: number[] = []
      for (const size of sizes) {
        const mb = randomMinibatch(size, size)
        const step = (): void => {
          tf.tidy(() => {
            optimizer.step(mode === 'manual' ? manualGradients(net, mb, config) : tapeGradients(net, mb, config, mode))
          })
        }
        const slow = name === 'cpu' || mode === 'autodiff'
        const ms = timeIt(step, slow ? (quick ? 2 : 4) : quick ? 5 : 20)
        results.set(`${name}/${mode}/${size}`, ms)
        row.push(ms)
      }
      const per = row[row.length - 1]! / 256
      console.log(
        `${name.padEnd(8)} ${mode.padEnd(9)} ${row.map(v => v.toFixed(2).padStart(10)).join('')}   ${(per * 1000).toFixed(1)} µs`
      )
    }
    // The manual step with the close-to-init penalty's gradient added (its cost does not depend on
    // λ), timed in alternation with the plain one so that a busy machine slows both alike.
    const anchor = new MaskAnchor({ kind: 'l1', lambda: 1e-6 }, net.layers, initialTaskScores(backbone, 'bench'))
    const anchored = new TaskOptimizer(net, config, anchor)
    const cells: string[] = []
    for (const size of sizes) {
      const mb = randomMinibatch(size, size)
      const stepWith = (o: TaskOptimizer) => (): void => {
        tf.tidy(() => {
          o.step(manualGradients(net, mb, config))
        })
      }
      const reps = name === 'cpu' ? (quick ? 2 : 4) : quick ? 5 : 20
      let plain = Infinity
      let withAnchor = Infinity
      for (let r = 0; r < (quick ? 3 : 8); r++) {
        plain = Math.min(plain, timeIt(stepWith(optimizer), reps, 1))
        withAnchor = Math.min(withAnchor, timeIt(stepWith(anchored), reps, 1))
      }
      cells.push(
        `${withAnchor.toFixed(2)} vs ${plain.toFixed(2)} (+${((100 * (withAnchor - plain)) / plain).toFixed(0)}%)`
      )
    }
    console.log(`${name.padEnd(8)} manual + close-to-init: ${sizes.map((b, i) => `B=${b} ${cells[i]}`).join(', ')}`)
    anchored.dispose()
    optimizer.dispose()
    net.dispose()
  }
  const w = (m: string, b: number): number => results.get(`wasm/${m}/${b}`) ?? NaN
  if (backends.includes('wasm')) {
    console.log(
      `wasm ratios at B=256: autodiff/fused ${(w('autodiff', 256) / w('fused', 256)).toFixed(2)}x, fused/manual ${(w('fused', 256) / w('manual', 256)).toFixed(2)}x; at B=${config.minibatchSize}: fused/manual ${(w('fused', config.minibatchSize) / w('manual', config.minibatchSize)).toFixed(2)}x`
    )
  }
  if (backends.includes('cpu') && backends.includes('wasm')) {
    console.log(`cpu/wasm (manual, B=256): ${((results.get('cpu/manual/256') ?? NaN) / w('manual', 256)).toFixed(1)}x`)
  }
}

async function inferenceCost(): Promise<void> {
  await initTfBackend('wasm')
  console.log('\n== Batched inference (rollout / evaluation), µs per forward pass, wasm ==')
  const scores = initialTaskScores(backbone, 'bench')
  const policies: Array<[string, Policy]> = [
    ['tfjs', new TfPolicy(backbone)],
    ['js', new JsPolicy(backbone)]
  ]
  const rng = createPrng(2)
  for (const [, p] of policies) p.setWireScores(scores)
  console.log(`batch ${policies.map(([n]) => `${n.padStart(10)} (per obs)`).join('  ')}`)
  for (const batch of [1, DEFAULT_PPO.numEnvs, 25]) {
    const obs = Float32Array.from({ length: batch * 144 }, () => rng.nextInt(256) / 255)
    const logits = new Float32Array(batch * 3)
    const values = new Float32Array(batch)
    const cells = policies.map(([, p]) => {
      const us = timeIt(() => p.forward(obs, batch, logits, values), quick ? 50 : 200) * 1000
      return `${us.toFixed(0).padStart(10)} (${(us / batch).toFixed(0).padStart(5)})`
    })
    console.log(`${String(batch).padStart(5)} ${cells.join('  ')}`)
  }
  for (const [, p] of policies) p.release()
}

async function throughput(): Promise<void> {
  await initTfBackend('wasm')
  console.log('\n== Env steps/s with PPO updates included, default settings, wasm, 1 core ==')
  const iterations = quick ? 8 : 30
  const stepsPerIteration = DEFAULT_PPO.numEnvs * DEFAULT_PPO.rolloutLength
  console.log(`(${iterations} iterations of ${stepsPerIteration} steps per measurement after a warm-up, best of 3)`)
  const measure = (learner: LifelongLearner): { sps: number; rolloutShare: number } => {
    let best = { sps: 0, rolloutShare: 0 }
    for (let i = 0; i < iterations / 2; i++) learner.trainIteration()
    for (let r = 0; r < 3; r++) {
      let ms = 0
      let rollout = 0
      for (let i = 0; i < iterations; i++) {
        const s = learner.trainIteration()
        ms += s.timings.totalMs
        rollout += s.timings.rolloutMs
      }
      const sps = (iterations * stepsPerIteration) / (ms / 1000)
      if (sps > best.sps) best = { sps, rolloutShare: rollout / ms }
    }
    return best
  }
  for (const mode of ['random', 'lc', 'blc'] as NewMaskMode[]) {
    const learner = new LifelongLearner({ inputSize: 144, numActions: 3, newMaskMode: mode, seed: 1 })
    learner.setTask(taskSpec(META_CTGRAPH_TASKS[0]!))
    const first = measure(learner)
    // Fill the learner with 14 more tasks (trained one iteration each), then measure on the 16th.
    for (let t = 1; t < 15; t++) {
      learner.setTask(taskSpec(META_CTGRAPH_TASKS[t]!))
      learner.trainIteration()
    }
    learner.setTask(taskSpec(META_CTGRAPH_TASKS[15]!))
    const last = measure(learner)
    // Back to task 1 with 16 masks held: separates the cost of holding masks from machine noise.
    learner.setTask(taskSpec(META_CTGRAPH_TASKS[0]!))
    const again = measure(learner)
    console.log(
      `${mode.padEnd(7)} task 1: ${first.sps.toFixed(0).padStart(6)} steps/s (rollout ${(first.rolloutShare * 100).toFixed(0)}% of time)   task 16: ${last.sps.toFixed(0).padStart(6)} (${(last.rolloutShare * 100).toFixed(0)}%)   task16/task1 ${(last.sps / first.sps).toFixed(2)}   task 1 revisited: ${again.sps.toFixed(0).padStart(6)}`
    )
    learner.dispose()
  }
  console.log('(reference, same machine: 971 steps/s on task 1 falling to 502 on task 16)')
}

async function sampleEfficiency(): Promise<void> {
  const tasksArg = option('--tasks', 'all')
  const tasks = tasksArg === 'all' ? [...Array(16).keys()] : tasksArg.split(',').map(Number)
  const seeds = option('--seeds', '1').split(',').map(Number)
  const preset = option('--preset', 'default') as PpoPreset
  const modes = option('--modes', 'random,lc,blc').split(',') as NewMaskMode[]
  console.log(
    `\n== Steps to threshold (eval ≥ 0.9 × optimal, 25 stochastic episodes after every iteration), preset '${preset}', budget 25,600 per task ==`
  )
  const table = new Map<NewMaskMode, Array<number | null>>()
  for (const mode of modes) {
    const runs = await runSampleEfficiency(
      {
        tasks,
        seeds,
        budget: 25_600,
        preset,
        mode,
        combineLayers: 'body',
        greedy: false,
        evalEpisodes: 25,
        overrides: {},
        backend: 'wasm',
        json: false,
        quiet: true,
        stopAtThreshold: false
      },
      line => console.log(line)
    )
    for (const run of runs) {
      table.set(
        mode,
        run.results.map(r => r.stepsToThreshold)
      )
      const firstHalf = run.results.slice(0, Math.floor(run.results.length / 2))
      const secondHalf = run.results.slice(Math.floor(run.results.length / 2))
      const mean = (rs: typeof run.results): number =>
        rs.reduce((s, r) => s + (r.stepsToThreshold ?? 25_600), 0) / Math.max(1, rs.length)
      console.log(
        `${mode.padEnd(7)} seed ${run.seed}: mean ${mean(run.results).toFixed(0)} steps (first half ${mean(firstHalf).toFixed(0)}, second half ${mean(secondHalf).toFixed(0)}), solved ${run.solved}/${run.results.length}, ${run.stepsPerSecond.toFixed(0)} steps/s`
      )
    }
  }
  console.log(`task  ${modes.map(m => m.padStart(8)).join('')}`)
  tasks.forEach((t, i) => {
    console.log(
      `${String(t).padStart(4)}  ${modes.map(m => String(table.get(m)?.[i] ?? 'never').padStart(8)).join('')}`
    )
  })
  console.log('(reference: mean 19,120 steps to a training reward ≥ 0.9, 16,640–21,760 over the 16 tasks)')
}

await updateCost()
await inferenceCost()
await throughput()
if (flag('--sample-efficiency')) await sampleEfficiency()
