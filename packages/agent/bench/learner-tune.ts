/**
 * Sample-efficiency runs of the lifelong learner on the 16-task meta CT-graph (D2B2, image seeds
 * 1–4 × 4 goal leaves): one agent from scratch, tasks in order, a fixed env-step budget per task,
 * a 25-episode evaluation after every iteration. Prints, per task, the steps-to-threshold (first
 * env-step count at which the evaluation reaches 0.9 × optimal return) and the training speed.
 *
 *   pnpm exec tsx packages/agent/bench/learner-tune.ts [--tasks 0,1,2,3] [--seeds 1] [--budget 25600]
 *     [--preset default|reference] [--mode random|lc|blc] [--combine-layers body|all]
 *     [--greedy] [--eval-episodes 25]
 *     [--set numEnvs=8 --set optimizer.lr=0.003 --set optimizer.kind=adam ...] [--stop-at-threshold] [--json]
 *
 * Tasks that never reach the threshold count as the full budget in the mean (and are listed).
 */
import { META_CTGRAPH_TASKS, taskSpec } from '../src/envs/index.js'
import type { CombineLayers, NewMaskMode } from '../src/masks/combine.js'
import type { PpoConfig, PpoPreset } from '../src/learner/hyperparams.js'
import { LifelongLearner } from '../src/learner/lifelong-learner.js'
import { initTfBackend, type BackendChoice } from '../src/learner/tf-backend.js'

export interface TuneArgs {
  tasks: number[]
  seeds: number[]
  budget: number
  preset: PpoPreset
  mode: NewMaskMode
  combineLayers: CombineLayers
  greedy: boolean
  evalEpisodes: number
  overrides: Record<string, unknown>
  backend: BackendChoice
  json: boolean
  quiet: boolean
  /** Move to the next task as soon as the threshold is reached (faster tuning runs). */
  stopAtThreshold: boolean
}

function parseArgs(argv: string[]): TuneArgs {
  const a: TuneArgs = {
    tasks: [0, 1, 2, 3],
    seeds: [1],
    budget: 25_600,
    preset: 'default',
    mode: 'random',
    combineLayers: 'body',
    greedy: false,
    evalEpisodes: 25,
    overrides: {},
    backend: 'wasm',
    json: false,
    quiet: false,
    stopAtThreshold: false
  }
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!
    const v = (): string => {
      const x = argv[++i]
      if (x === undefined) throw new Error(`${k} needs a value`)
      return x
    }
    if (k === '--tasks') {
      const x = v()
      a.tasks = x === 'all' ? [...Array(16).keys()] : x.split(',').map(Number)
    } else if (k === '--seeds') a.seeds = v().split(',').map(Number)
    else if (k === '--budget') a.budget = Number(v())
    else if (k === '--preset') a.preset = v() as PpoPreset
    else if (k === '--mode') a.mode = v() as NewMaskMode
    else if (k === '--combine-layers') a.combineLayers = v() as CombineLayers
    else if (k === '--greedy') a.greedy = true
    else if (k === '--eval-episodes') a.evalEpisodes = Number(v())
    else if (k === '--backend') a.backend = v() as BackendChoice
    else if (k === '--json') a.json = true
    else if (k === '--quiet') a.quiet = true
    else if (k === '--stop-at-threshold') a.stopAtThreshold = true
    else if (k === '--set') {
      const [path, raw] = v().split('=') as [string, string]
      const value: unknown =
        raw === 'true' ? true : raw === 'false' ? false : Number.isNaN(Number(raw)) ? raw : Number(raw)
      a.overrides[path] = value
    } else throw new Error(`unknown argument ${k}`)
  }
  return a
}

function buildOverrides(preset: PpoPreset, flat: Record<string, unknown>): Partial<PpoConfig> {
  const out: Record<string, unknown> = {}
  const opt: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(flat)) {
    if (k.startsWith('optimizer.')) opt[k.slice('optimizer.'.length)] = v
    else out[k] = v
  }
  if (Object.keys(opt).length > 0) {
    // An optimizer override replaces the preset's optimizer; unspecified fields keep the preset's lr.
    const base = preset === 'reference' ? { kind: 'rmsprop', lr: 1.5e-4 } : {}
    out.optimizer = { ...base, ...opt }
  }
  return out as Partial<PpoConfig>
}

export interface TaskResult {
  task: number
  key: string
  stepsToThreshold: number | null
  finalEval: number
  stepsPerSecond: number
}

export async function runSampleEfficiency(
  args: TuneArgs,
  log: (line: string) => void
): Promise<{ seed: number; results: TaskResult[]; meanSteps: number; solved: number; stepsPerSecond: number }[]> {
  await initTfBackend(args.backend)
  const ppo = buildOverrides(args.preset, args.overrides)
  const runs = []
  for (const seed of args.seeds) {
    const first = taskSpec(META_CTGRAPH_TASKS[args.tasks[0]!]!)
    const learner = new LifelongLearner({
      inputSize: first.observationSize,
      numActions: first.numActions,
      seed,
      preset: args.preset,
      ppo,
      newMaskMode: args.mode,
      combineLayers: args.combineLayers
    })
    const results: TaskResult[] = []
    let totalSteps = 0
    let totalMs = 0
    for (const t of args.tasks) {
      const spec = taskSpec(META_CTGRAPH_TASKS[t]!)
      learner.setTask(spec)
      let hit: number | null = null
      let last = 0
      let ms = 0
      let steps = 0
      while (steps < args.budget) {
        const s = learner.trainIteration()
        steps = s.taskSteps
        ms += s.timings.totalMs
        const ev = learner.evaluate(spec.key, { episodes: args.evalEpisodes, greedy: args.greedy })
        last = ev.meanReturn
        if (hit === null && ev.meanReturn >= 0.9 * spec.optimalReturn) hit = steps
        if (hit !== null && args.stopAtThreshold) break
      }
      totalSteps += steps
      totalMs += ms
      const r = { task: t, key: spec.key, stepsToThreshold: hit, finalEval: last, stepsPerSecond: steps / (ms / 1000) }
      results.push(r)
      if (!args.quiet)
        log(
          `seed ${seed} task ${String(t).padStart(2)} ${spec.key.padEnd(26)} threshold at ${hit === null ? 'never' : String(hit).padStart(6)}  final eval ${last.toFixed(2)}  ${r.stepsPerSecond.toFixed(0)} steps/s`
        )
    }
    learner.dispose()
    const meanSteps = results.reduce((s, r) => s + (r.stepsToThreshold ?? args.budget), 0) / results.length
    const solved = results.filter(r => r.stepsToThreshold !== null).length
    runs.push({ seed, results, meanSteps, solved, stepsPerSecond: totalSteps / (totalMs / 1000) })
  }
  return runs
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!)
if (isMain) {
  const args = parseArgs(process.argv.slice(2))
  const runs = await runSampleEfficiency(args, line => console.log(line))
  const all = runs.flatMap(r => r.results)
  const mean = all.reduce((s, r) => s + (r.stepsToThreshold ?? args.budget), 0) / all.length
  const solved = all.filter(r => r.stepsToThreshold !== null).length
  const sps = runs.reduce((s, r) => s + r.stepsPerSecond, 0) / runs.length
  const summary = {
    preset: args.preset,
    mode: args.mode,
    combineLayers: args.combineLayers,
    overrides: args.overrides,
    tasks: args.tasks.length,
    seeds: args.seeds,
    meanStepsToThreshold: Math.round(mean),
    solved: `${solved}/${all.length}`,
    stepsPerSecond: Math.round(sps)
  }
  console.log(args.json ? JSON.stringify(summary) : `SUMMARY ${JSON.stringify(summary)}`)
}
