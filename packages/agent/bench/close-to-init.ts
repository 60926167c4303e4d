/**
 * Close-to-init training (learner/mask-anchor.ts): steps to threshold and DELTA size, with and
 * without the option, on the 16 meta CT-graph tasks. Prints figures, asserts nothing.
 *
 *   pnpm bench:close-to-init [--variants off,hinge:1e-3,...] [--tasks all|0,1,...] [--seeds 1,2,3]
 *     [--budget 12800] [--eval-every 640] [--out FILE.jsonl] [--json]
 *   pnpm bench:close-to-init --report FILE.jsonl [FILE.jsonl ...]     (tables from earlier runs)
 *
 * Each (variant, seed) is one learner from the default preset (random initial masks) meeting the
 * tasks in order, driven by the CurriculumDriver as `l2d2c train` drives it: an evaluation (25
 * stochastic episodes) at the task's start and every `--eval-every` steps, so steps to threshold
 * is the driver's (first evaluation ≥ 0.9 × optimal return). Per task it records that count, the
 * DELTA bytes and flips (weights differing from the task's initial mask) of the mask at that
 * first evaluation ≥ 0.9 ("mastery") and at the task's end (the driver's default budget: the
 * evaluation that confirms mastery, or the `--budget` cap; this is the mask a node stores and
 * serves), and the mean update time.
 * Step counts are deterministic (seeded); times are not (a shared machine).
 *
 * The report pairs each variant's runs with the 'off' runs of the same task and seed: the mean
 * paired difference of steps to threshold with a 95 % t interval, and wins/ties/losses. A run
 * that never reaches the threshold counts as the budget (and is listed).
 */
import { appendFileSync, readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { encodeMaskCompact, type Mask } from '@l2d2c/protocol'
import '../src/polyfill.js'
import { CurriculumDriver, DEFAULT_DRIVER_CONFIG } from '../src/agent/curriculum-driver.js'
import { META_CTGRAPH_TASKS, taskSpec } from '../src/envs/index.js'
import { DEFAULT_PPO, type PpoConfig } from '../src/learner/hyperparams.js'
import { ANCHOR_KINDS, type AnchorKind } from '../src/learner/mask-anchor.js'
import { InProcessLearner } from '../src/learner/thread/in-process-learner.js'
import type { NewMaskMode } from '../src/masks/combine.js'
import { deltaBaseOfMask } from '../src/masks/initial-mask.js'

export interface Variant {
  readonly name: string
  readonly ppo: Partial<PpoConfig>
}

/**
 * "off" | "l1:λ" | "l2:λ" | "hinge:λ" (closeToInit λ with that rule) | "eps:ε" (Adam's ε, no penalty),
 * or several joined by "+" ("eps:1e-5+l2:3e-5").
 */
export function parseVariant(spec: string): Variant {
  let ppo: Partial<PpoConfig> = { closeToInit: 0 }
  for (const part of spec.split('+')) {
    if (part === 'off') continue
    const [kind, raw] = part.split(':') as [string, string | undefined]
    const x = Number(raw)
    if (!(x >= 0) || raw === undefined) throw new Error(`variant ${spec}: expected KIND:NUMBER`)
    if ((ANCHOR_KINDS as readonly string[]).includes(kind))
      ppo = { ...ppo, closeToInit: x, closeToInitRule: kind as AnchorKind }
    else if (kind === 'eps') ppo = { ...ppo, optimizer: { ...DEFAULT_PPO.optimizer, eps: x } }
    else throw new Error(`unknown variant ${spec}`)
  }
  return { name: spec, ppo }
}

export interface RunRecord {
  readonly variant: string
  readonly seed: number
  readonly task: number
  readonly key: string
  readonly budget: number
  readonly evalEvery: number
  readonly stepsToThreshold: number | null
  /** The mask at the first evaluation ≥ threshold (null: never reached). */
  readonly masteryBytes: number | null
  readonly masteryFlips: number | null
  readonly finalBytes: number
  readonly finalFlips: number
  readonly finalReturn: number | null
  readonly updateMs: number
  /** Every evaluation's mean return, from the task's start (0 steps) every `evalEvery` steps, and the mastery level. */
  readonly evals?: readonly number[]
  readonly mastered?: number
}

/** DELTA bytes (BITS if smaller: encodeMaskCompact) and flips against the task's initial mask. */
export function deltaSize(mask: Mask): { bytes: number; flips: number } {
  const base = deltaBaseOfMask(mask)
  let flips = 0
  mask.layers.forEach((l, i) => {
    const bits = base.layers[i]!.initialBits
    for (let k = 0; k < l.scores.length; k++) flips += +(l.scores[k]! >= 0) ^ bits[k]!
  })
  return { bytes: encodeMaskCompact(mask, { base }).length, flips }
}

export async function runVariant(
  variant: Variant,
  seed: number,
  tasks: readonly number[],
  budget: number,
  evalEvery: number,
  onRecord: (r: RunRecord) => void,
  maskInit: NewMaskMode = 'random'
): Promise<void> {
  const keys = tasks.map(t => META_CTGRAPH_TASKS[t]!)
  const learner = new InProcessLearner()
  await learner.init({ shapeTask: keys[0]!, seed, backend: 'wasm', ppo: variant.ppo, newMaskMode: maskInit })
  const mastery = new Map<string, { bytes: number; flips: number }>()
  const update = new Map<string, { ms: number; n: number }>()
  const driver = new CurriculumDriver(
    learner,
    {
      ...DEFAULT_DRIVER_CONFIG,
      tasks: keys,
      stepsPerTask: budget,
      evalEverySteps: evalEvery,
      commPerTask: 0,
      finalEvaluation: false
    },
    {
      onIteration: stats => {
        const u = update.get(stats.taskKey) ?? { ms: 0, n: 0 }
        u.ms += stats.timings.updateMs
        u.n++
        update.set(stats.taskKey, u)
      },
      onEvaluation: async (key, reward) => {
        if (mastery.has(key) || reward < DEFAULT_DRIVER_CONFIG.threshold * taskSpec(key).optimalReturn) return
        mastery.set(key, deltaSize(await learner.exportMask(key)))
      },
      onTaskEnd: async report => {
        const final = deltaSize(await learner.exportMask(report.key))
        const m = mastery.get(report.key) ?? null
        const u = update.get(report.key) ?? { ms: 0, n: 1 }
        onRecord({
          variant: maskInit === 'random' ? variant.name : `${variant.name} (${maskInit})`,
          seed,
          task: tasks[keys.indexOf(report.key)]!,
          key: report.key,
          budget,
          evalEvery,
          stepsToThreshold: report.stepsToThreshold,
          masteryBytes: m?.bytes ?? null,
          masteryFlips: m?.flips ?? null,
          finalBytes: final.bytes,
          finalFlips: final.flips,
          finalReturn: report.finalReturn,
          updateMs: u.ms / u.n,
          evals: report.evaluations.map(e => e.reward),
          mastered: DEFAULT_DRIVER_CONFIG.threshold * taskSpec(report.key).optimalReturn
        })
      }
    }
  )
  try {
    await driver.run()
  } finally {
    await learner.dispose()
  }
}

export interface AdoptedRecord {
  readonly variant: string
  /** How the adopted mask was trained. */
  readonly teacher: string
  readonly seed: number
  readonly task: number
  /** The adopted mask: trained by `teacher` for `adoptSteps`. */
  readonly adoptedBytes: number
  readonly adoptedEval: number
  /** Evaluations every `evalEvery` steps while the adopter trains it further with `variant`. */
  readonly evals: number[]
  readonly finalBytes: number
}

/**
 * Masks that did not start at the task's initial mask: a mask trained by `teacher` for
 * `adoptSteps` (a peer's) is imported by a learner running `variant` and trained further for
 * `steps`; the penalty's anchor stays the task's initial mask.
 */
export async function runAdopted(
  variant: Variant,
  seed: number,
  tasks: readonly number[],
  adoptSteps: number,
  steps: number,
  evalEvery: number,
  onRecord: (r: AdoptedRecord) => void,
  teacherVariant: Variant = parseVariant('off')
): Promise<void> {
  const teacher = new InProcessLearner()
  const student = new InProcessLearner()
  const first = META_CTGRAPH_TASKS[tasks[0]!]!
  await teacher.init({ shapeTask: first, seed, backend: 'wasm', ppo: teacherVariant.ppo })
  await student.init({ shapeTask: first, seed: seed + 1000, backend: 'wasm', ppo: variant.ppo })
  try {
    for (const t of tasks) {
      const key = META_CTGRAPH_TASKS[t]!
      await teacher.setTask(key)
      let trained = 0
      while (trained < adoptSteps) trained = (await teacher.trainIteration()).taskSteps
      const adopted = await teacher.exportMask(key)
      const adoptedEval = (await teacher.evaluate(key)).meanReturn
      await student.setTask(key)
      await student.importMask(adopted)
      const evals: number[] = []
      let done = 0
      let next = evalEvery
      while (done < steps) {
        done += (await student.trainIteration()).steps
        if (done >= next) {
          evals.push((await student.evaluate(key)).meanReturn)
          next += evalEvery
        }
      }
      onRecord({
        variant: variant.name,
        teacher: teacherVariant.name,
        seed,
        task: t,
        adoptedBytes: deltaSize(adopted).bytes,
        adoptedEval,
        evals,
        finalBytes: deltaSize(await student.exportMask(key)).bytes
      })
    }
  } finally {
    await teacher.dispose()
    await student.dispose()
  }
}

export function adoptedTable(records: readonly AdoptedRecord[]): string {
  const lines = [
    '| teacher → adopter | runs | adopted mask: eval, DELTA | evals while trained further: mean, min, < 0.9 | DELTA after |',
    '| --- | --- | --- | --- | --- |'
  ]
  // Only masks the teacher had mastered (evaluation ≥ 0.9) are adopted in practice.
  const mastered = records.filter(r => r.adoptedEval >= 0.9)
  for (const pair of [...new Set(mastered.map(r => `${r.teacher} → ${r.variant}`))]) {
    const rs = mastered.filter(r => `${r.teacher} → ${r.variant}` === pair)
    const evals = rs.flatMap(r => r.evals)
    lines.push(
      `| ${pair} | ${rs.length} | ${pm(
        rs.map(r => r.adoptedEval),
        2
      )}, ${pm(rs.map(r => r.adoptedBytes))} | ${mean(evals).toFixed(3)}, ${Math.min(...evals).toFixed(2)}, ${evals.filter(e => e < 0.9).length}/${evals.length} | ${pm(rs.map(r => r.finalBytes))} |`
    )
  }
  return lines.join('\n')
}

// ---------- report ----------

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length)
const sd = (xs: readonly number[]): number => {
  if (xs.length < 2) return 0
  const m = mean(xs)
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1))
}
/** Two-sided 97.5 % quantile of Student's t with `df` degrees of freedom (df ≥ 1). */
function tQuantile975(df: number): number {
  const table: Record<number, number> = { 1: 12.71, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 10: 2.228, 20: 2.086 }
  if (table[df] !== undefined) return table[df]!
  if (df >= 30) return 1.96 + 2.4 / df // within 0.005 of the exact value for df ≥ 30
  return df < 10 ? 2.3 : 2.1
}
const pm = (xs: readonly number[], digits = 0): string =>
  `${mean(xs).toLocaleString('en-US', { maximumFractionDigits: digits })} ± ${sd(xs).toLocaleString('en-US', { maximumFractionDigits: digits })}`

export interface VariantSummary {
  variant: string
  runs: number
  solved: number
  steps: { mean: number; sd: number }
  masteryBytes: { mean: number; sd: number; max: number }
  masteryFlipPct: { mean: number; sd: number }
  finalBytes: { mean: number; sd: number; max: number }
  finalFlipPct: { mean: number; sd: number }
  updateMs: number
  /** Against 'off', paired by task and seed. */
  paired: { n: number; meanDiff: number; ci95: [number, number]; wins: number; ties: number; losses: number } | null
}

const WEIGHTS = 109_600

export function summarise(records: readonly RunRecord[]): VariantSummary[] {
  const variants = [...new Set(records.map(r => r.variant))]
  const byKey = (r: RunRecord): string => `${r.seed}/${r.task}`
  // A variant is compared with 'off' under the same mask init: "l1:1e-6 (blc)" with "off (blc)".
  const baseline = (v: string): string => v.replace(/^\S+/, 'off')
  return variants.map(v => {
    const off = new Map(records.filter(r => r.variant === baseline(v)).map(r => [byKey(r), r]))
    const rs = records.filter(r => r.variant === v)
    const steps = rs.map(r => r.stepsToThreshold ?? r.budget)
    const mb = rs.flatMap(r => (r.masteryBytes === null ? [] : [r.masteryBytes]))
    const mf = rs.flatMap(r => (r.masteryFlips === null ? [] : [(100 * r.masteryFlips) / WEIGHTS]))
    let paired: VariantSummary['paired'] = null
    if (v !== baseline(v)) {
      const d = rs.flatMap(r => {
        const o = off.get(byKey(r))
        return o === undefined ? [] : [(r.stepsToThreshold ?? r.budget) - (o.stepsToThreshold ?? o.budget)]
      })
      if (d.length > 0) {
        const half = d.length > 1 ? (tQuantile975(d.length - 1) * sd(d)) / Math.sqrt(d.length) : Infinity
        paired = {
          n: d.length,
          meanDiff: mean(d),
          ci95: [mean(d) - half, mean(d) + half],
          wins: d.filter(x => x < 0).length,
          ties: d.filter(x => x === 0).length,
          losses: d.filter(x => x > 0).length
        }
      }
    }
    return {
      variant: v,
      runs: rs.length,
      solved: rs.filter(r => r.stepsToThreshold !== null).length,
      steps: { mean: mean(steps), sd: sd(steps) },
      masteryBytes: { mean: mean(mb), sd: sd(mb), max: Math.max(...mb) },
      masteryFlipPct: { mean: mean(mf), sd: sd(mf) },
      finalBytes: {
        mean: mean(rs.map(r => r.finalBytes)),
        sd: sd(rs.map(r => r.finalBytes)),
        max: Math.max(...rs.map(r => r.finalBytes))
      },
      finalFlipPct: {
        mean: mean(rs.map(r => (100 * r.finalFlips) / WEIGHTS)),
        sd: sd(rs.map(r => (100 * r.finalFlips) / WEIGHTS))
      },
      updateMs: mean(rs.map(r => r.updateMs)),
      paired
    }
  })
}

/** Evaluations below the mastery level after a run's first one at or above it ("—" without traces). */
function afterMastery(rs: readonly RunRecord[]): string {
  let below = 0
  let total = 0
  for (const r of rs) {
    if (r.evals === undefined || r.mastered === undefined) return '—'
    const first = r.evals.findIndex(e => e >= r.mastered!)
    if (first < 0) continue
    const after = r.evals.slice(first + 1)
    below += after.filter(e => e < r.mastered!).length
    total += after.length
  }
  return `${below}/${total}`
}

export function reportTable(records: readonly RunRecord[]): string {
  const lines = [
    '| variant | runs solved | steps to 0.9 | Δ steps vs off (95 % CI) | better/same/worse | DELTA at mastery (max) | flips at mastery | DELTA at end (max) | flips at end | final eval < 0.9 | evals < 0.9 after mastery |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |'
  ]
  const variants = [...new Set(records.map(r => r.variant))]
  for (const s of summarise(records)) {
    const rs = records.filter(r => r.variant === s.variant)
    const steps = rs.map(r => r.stepsToThreshold ?? r.budget)
    const mb = rs.flatMap(r => (r.masteryBytes === null ? [] : [r.masteryBytes]))
    const mf = rs.flatMap(r => (r.masteryFlips === null ? [] : [(100 * r.masteryFlips) / WEIGHTS]))
    const p = s.paired
    lines.push(
      `| ${s.variant} | ${s.solved}/${s.runs} | ${pm(steps)} | ${p === null ? '—' : `${p.meanDiff >= 0 ? '+' : ''}${Math.round(p.meanDiff)} (${Math.round(p.ci95[0])}, ${Math.round(p.ci95[1])})`} | ${p === null ? '—' : `${p.wins}/${p.ties}/${p.losses}`} | ${pm(mb)} (${s.masteryBytes.max.toLocaleString('en-US')}) | ${pm(mf, 2)} % | ${pm(rs.map(r => r.finalBytes))} (${s.finalBytes.max.toLocaleString('en-US')}) | ${pm(
        rs.map(r => (100 * r.finalFlips) / WEIGHTS),
        2
      )} % | ${rs.filter(r => r.finalReturn === null || r.finalReturn < (r.mastered ?? 0.9)).length}/${rs.length} | ${afterMastery(rs)} |`
    )
  }
  const unsolved = records.filter(r => r.stepsToThreshold === null)
  if (unsolved.length > 0)
    lines.push('', `never reached 0.9: ${unsolved.map(r => `${r.variant} seed ${r.seed} task ${r.task}`).join(', ')}`)
  if (variants.length === 0) lines.push('(no records)')
  return lines.join('\n')
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!)
if (isMain) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      variants: { type: 'string', default: 'off,l1:1e-6,l1:2e-6,l1:3e-6' },
      tasks: { type: 'string', default: 'all' },
      seeds: { type: 'string', default: '1,2,3' },
      budget: { type: 'string', default: '12800' },
      'eval-every': { type: 'string', default: '640' },
      'mask-init': { type: 'string', default: 'random' },
      out: { type: 'string' },
      report: { type: 'boolean', default: false },
      adopted: { type: 'boolean', default: false },
      teacher: { type: 'string', default: 'off' },
      json: { type: 'boolean', default: false }
    }
  })
  let records: RunRecord[] = []
  if (values.adopted) {
    const tasks = values.tasks === 'all' ? [...META_CTGRAPH_TASKS.keys()] : values.tasks.split(',').map(Number)
    const adopted: AdoptedRecord[] = []
    for (const spec of values.variants.split(','))
      for (const seed of values.seeds.split(',').map(Number))
        await runAdopted(
          parseVariant(spec),
          seed,
          tasks,
          3840,
          Number(values.budget),
          Number(values['eval-every']),
          r => {
            adopted.push(r)
            if (values.out !== undefined) appendFileSync(values.out, `${JSON.stringify(r)}\n`)
            process.stderr.write(`${r.variant} seed ${r.seed} task ${r.task}: ${JSON.stringify(r)}\n`)
          },
          parseVariant(values.teacher)
        )
    console.log(adoptedTable(adopted))
    process.exit(0)
  }
  if (values.report) {
    for (const file of positionals)
      for (const line of readFileSync(file, 'utf8').split('\n'))
        if (line.trim() !== '') records.push(JSON.parse(line) as RunRecord)
  } else {
    const tasks = values.tasks === 'all' ? [...META_CTGRAPH_TASKS.keys()] : values.tasks.split(',').map(Number)
    const seeds = values.seeds.split(',').map(Number)
    const budget = Number(values.budget)
    const evalEvery = Number(values['eval-every'])
    for (const spec of values.variants.split(',')) {
      const variant = parseVariant(spec)
      for (const seed of seeds) {
        await runVariant(
          variant,
          seed,
          tasks,
          budget,
          evalEvery,
          r => {
            records.push(r)
            if (values.out !== undefined) appendFileSync(values.out, `${JSON.stringify(r)}\n`)
            process.stderr.write(
              `${r.variant} seed ${r.seed} task ${String(r.task).padStart(2)}: threshold ${r.stepsToThreshold ?? 'never'}, DELTA ${r.masteryBytes ?? '-'} B at mastery, ${r.finalBytes} B at the task's end, update ${r.updateMs.toFixed(1)} ms\n`
            )
          },
          values['mask-init'] as NewMaskMode
        )
      }
    }
  }
  // 'off' first, then by name.
  const rank = (v: string): string => (v.startsWith('off') ? `0${v}` : `1${v}`)
  records = records.sort((a, b) => rank(a.variant).localeCompare(rank(b.variant)) || a.seed - b.seed || a.task - b.task)
  console.log(values.json ? JSON.stringify(summarise(records)) : reportTable(records))
}
