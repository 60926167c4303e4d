/**
 * From run results to the figures the report prints (pure): each run's metrics against its
 * seed's lone-agent baseline and its condition's isolated twin (metrics.ts), then per
 * condition the mean and 95 % Student-t band over seeds (stats.ts).
 */
import {
  ila,
  meanFinalOwnIcr,
  onGrid,
  ratio,
  sortedCurve,
  stepGrid,
  stepsUntilEveryAgent,
  TA_FRACTIONS,
  timeAdvantage,
  timeAdvantageCurve,
  timeTo,
  tla,
  tpot
} from './metrics.js'
import type { RunResult } from './results.js'
import type { Condition, ExperimentSpec } from './spec.js'
import { meanBand, type Band } from './stats.js'

/** The share of all tasks an agent's own ICR must reach for "every agent can do them" (the 90 %). */
export const OWN_ICR_FRACTION = 0.9

/** One run's figures; null where a level was never reached or there is nothing to compare with. */
export interface RunMetrics {
  condition: string
  seed: number
  finalIcr: number
  stepsPerAgent: number
  /** Per-agent steps to the ICR target (15/16 of the best). */
  stepsToTarget: number | null
  /** TPOT at the experiment's horizon (the grid's last point). */
  tpot: number
  /** TLA at the horizon, and ILA at its peak over the grid (vs the lone agent of the same seed). */
  tla: number | null
  ilaPeak: number | null
  /** TA at 50/70/90/100 % of the target. */
  ta: Array<number | null>
  finalOwnIcr: number
  /** Per-agent steps until every agent's own ICR reached 90 % of the best. */
  stepsEveryAgentOwn90: number | null
  /** Isolated twin's stepsEveryAgentOwn90 / this run's. */
  ownSpeedup: number | null
  bytesSentPerAgent: number
  bytesReceivedPerAgent: number
  adoptionsPerAgent: number
  wallSeconds: number
  timeLimited: boolean
  /** Whether the lone agent of its seed, and its isolated twin, were there to compare with. */
  hasBaseline: boolean
  hasTwin: boolean
}

const meanOf = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length)

/** The horizon every run of an experiment is compared up to: the largest final per-agent step count. */
export function horizonOf(results: readonly RunResult[]): number {
  return Math.max(1, ...results.map(r => r.stepsPerAgent), ...results.map(r => sortedCurve(r.curve).at(-1)?.steps ?? 0))
}

export function runMetrics(
  r: RunResult,
  baseline: RunResult | null,
  twin: RunResult | null,
  grid: readonly number[]
): RunMetrics {
  const curve = sortedCurve(r.curve)
  const base = baseline === null ? null : sortedCurve(baseline.curve)
  const ownThreshold = OWN_ICR_FRACTION * r.optimal
  const everyAgent = stepsUntilEveryAgent(r.ownIcr, ownThreshold)
  return {
    condition: r.condition.name,
    seed: r.seed,
    finalIcr: curve.at(-1)?.icr ?? 0,
    stepsPerAgent: r.stepsPerAgent,
    stepsToTarget: timeTo(curve, r.target),
    tpot: tpot(curve, grid).at(-1) ?? 0,
    tla: base === null ? null : (tla(curve, base, grid).at(-1) ?? null),
    ilaPeak: base === null ? null : Math.max(...ila(curve, base, grid)),
    ta: TA_FRACTIONS.map(f => (base === null ? null : timeAdvantage(curve, base, f * r.target))),
    finalOwnIcr: meanFinalOwnIcr(r.ownIcr),
    stepsEveryAgentOwn90: everyAgent,
    ownSpeedup: twin === null ? null : ratio(stepsUntilEveryAgent(twin.ownIcr, ownThreshold), everyAgent),
    bytesSentPerAgent: meanOf(r.learners.map(l => l.bytesSent)),
    bytesReceivedPerAgent: meanOf(r.learners.map(l => l.bytesReceived)),
    adoptionsPerAgent: meanOf(r.learners.map(l => l.masksAdopted)),
    wallSeconds: r.wallSeconds,
    timeLimited: r.stoppedBy === 'time-limit',
    hasBaseline: base !== null,
    hasTwin: twin !== null
  }
}

/** A band over the seeds where a figure exists, and how many seeds that is out of how many runs. */
export interface Summary extends Band {
  runs: number
}

export function summarise(values: ReadonlyArray<number | null>): Summary {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v))
  return { ...meanBand(known), runs: values.length }
}

/** A condition's figures over its seeds. */
export interface ConditionSummary {
  condition: Condition
  seeds: number[]
  finalIcr: Summary
  stepsPerAgent: Summary
  stepsToTarget: Summary
  tpot: Summary
  tla: Summary
  ilaPeak: Summary
  ta: Summary[]
  finalOwnIcr: Summary
  stepsEveryAgentOwn90: Summary
  ownSpeedup: Summary
  bytesSentPerAgent: Summary
  bytesReceivedPerAgent: Summary
  adoptionsPerAgent: Summary
  wallSeconds: number
  timeLimited: number
  /** Mean ICR over seeds (and band) on the grid, up to the condition's last step count. */
  icrCurve: Array<{ x: number; y: number; low: number | null; high: number | null }>
  /** Mean TA over seeds at each % of the target (the reference's TA curve). */
  taCurve: Array<{ x: number; y: number; low: number | null; high: number | null }>
}

export interface ExperimentAnalysis {
  spec: ExperimentSpec
  tasks: string[]
  target: number
  optimal: number
  horizon: number
  runs: RunMetrics[]
  conditions: ConditionSummary[]
}

/** Analyses an experiment's results (any subset of its runs: missing ones are simply absent). */
export function analyse(spec: ExperimentSpec, results: readonly RunResult[]): ExperimentAnalysis {
  const horizon = horizonOf(results)
  const grid = stepGrid(horizon, spec.gridSteps)
  const find = (name: string | null, seed: number): RunResult | null =>
    name === null ? null : (results.find(r => r.condition.name === name && r.seed === seed) ?? null)
  const runs = results.map(r =>
    runMetrics(
      r,
      r.condition.name === spec.baseline ? null : find(spec.baseline, r.seed),
      find(r.condition.compareTo, r.seed),
      grid
    )
  )
  const conditions: ConditionSummary[] = []
  for (const c of spec.conditions) {
    const mine = runs.filter(m => m.condition === c.name)
    const raw = results.filter(r => r.condition.name === c.name)
    if (mine.length === 0) continue
    const field = (k: keyof RunMetrics): Summary => summarise(mine.map(m => m[k] as number | null))
    // Comparisons count only the seeds whose baseline or twin was run: a missing run is not "not reached".
    const vsBase = mine.filter(m => m.hasBaseline)
    const compared = (k: 'tla' | 'ilaPeak'): Summary => summarise(vsBase.map(m => m[k]))
    const end = Math.max(...raw.map(r => r.stepsPerAgent))
    const icrCurve = grid
      .filter(g => g <= end + spec.gridSteps)
      .map(g => {
        const b = meanBand(raw.map(r => onGrid(sortedCurve(r.curve), [g])[0] as number))
        return { x: g, y: b.mean ?? 0, low: b.low, high: b.high }
      })
    const taCurve: ConditionSummary['taCurve'] = []
    if (spec.baseline !== null && c.name !== spec.baseline) {
      const perSeed = raw
        .map(r => ({ r, base: find(spec.baseline, r.seed) }))
        .filter((x): x is { r: RunResult; base: RunResult } => x.base !== null)
        .map(({ r, base }) => timeAdvantageCurve(sortedCurve(r.curve), sortedCurve(base.curve), r.target))
      const percents = [...new Set(perSeed.flatMap(s => s.map(p => p.percent)))].sort((a, b) => a - b)
      for (const x of percents) {
        const vals = perSeed.map(s => s.find(p => Math.abs(p.percent - x) < 1e-9)?.ta ?? null)
        const b = summarise(vals)
        if (b.mean !== null) taCurve.push({ x, y: b.mean, low: b.low, high: b.high })
      }
    }
    conditions.push({
      condition: c,
      seeds: mine.map(m => m.seed),
      finalIcr: field('finalIcr'),
      stepsPerAgent: field('stepsPerAgent'),
      stepsToTarget: field('stepsToTarget'),
      tpot: field('tpot'),
      tla: compared('tla'),
      ilaPeak: compared('ilaPeak'),
      ta: TA_FRACTIONS.map((_, i) => summarise(vsBase.map(m => m.ta[i] ?? null))),
      finalOwnIcr: field('finalOwnIcr'),
      stepsEveryAgentOwn90: field('stepsEveryAgentOwn90'),
      ownSpeedup: summarise(mine.filter(m => m.hasTwin).map(m => m.ownSpeedup)),
      bytesSentPerAgent: field('bytesSentPerAgent'),
      bytesReceivedPerAgent: field('bytesReceivedPerAgent'),
      adoptionsPerAgent: field('adoptionsPerAgent'),
      wallSeconds: mine.reduce((a, m) => a + m.wallSeconds, 0),
      timeLimited: mine.filter(m => m.timeLimited).length,
      icrCurve,
      taCurve
    })
  }
  const first = results[0]
  return {
    spec,
    tasks: first?.tasks ?? [],
    target: first?.target ?? 0,
    optimal: first?.optimal ?? 0,
    horizon,
    runs,
    conditions
  }
}
