/**
 * The paper's metrics over one run and its baseline (pure; docs/reference-fidelity.md §6.1),
 * on the per-agent env-step clock instead of the reference's evaluation checkpoints:
 *
 * - ICR(s): the collective ICR measured by a run's evaluator, as a step function of the mean
 *   env steps per learner s (its latest row at or before s; 0 before the first). A run that
 *   ended keeps its final ICR from its last step count on, as its masks stay learned.
 * - TPOT(s) = Σ over the grid points g ≤ s of ICR(g). The grid (every `spacing` steps per agent,
 *   the same for every run of an experiment) stands in for the reference's checkpoints, so two
 *   runs whose evaluators sampled at different rates sum over the same points.
 * - TLA(s) = (TPOT_run(s) + 1/32) / (TPOT_baseline(s) + 1/32); ILA(s) = (ICR_run(s) + 1/32) /
 *   (ICR_baseline(s) + 1/32), the baseline being the lone agent with the same seed.
 * - TA(p) = TT_p(baseline) / TT_p(run), TT_p the first per-agent step count at which ICR ≥ p.
 */
import type { CurvePoint, OwnIcrSample } from '../demo/metrics.js'

export type { CurvePoint, OwnIcrSample }

/** The reference's smoothing constant in TLA and ILA (it keeps both finite at ICR 0). */
export const ADVANTAGE_EPSILON = 1 / 32

/** Sorts a curve by steps, dropping points that are not finite. */
export function sortedCurve(points: readonly CurvePoint[]): CurvePoint[] {
  return points.filter(p => Number.isFinite(p.steps) && Number.isFinite(p.icr)).sort((a, b) => a.steps - b.steps)
}

/** ICR at `steps`: the latest point at or before it (0 before the first). `curve` must be sorted. */
export function valueAt(curve: readonly CurvePoint[], steps: number): number {
  let v = 0
  for (const p of curve) {
    if (p.steps > steps) break
    v = p.icr
  }
  return v
}

/** The grid 0, spacing, 2·spacing, … up to and including the first point ≥ horizon. */
export function stepGrid(horizon: number, spacing: number): number[] {
  if (!(spacing > 0)) throw new RangeError(`grid spacing must be positive, got ${spacing}`)
  const n = Math.max(0, Math.ceil(horizon / spacing))
  return Array.from({ length: n + 1 }, (_, k) => k * spacing)
}

/** ICR sampled on the grid. */
export function onGrid(curve: readonly CurvePoint[], grid: readonly number[]): number[] {
  return grid.map(g => valueAt(curve, g))
}

/** TPOT at each grid point: the running sum of ICR over the grid. */
export function tpot(curve: readonly CurvePoint[], grid: readonly number[]): number[] {
  let sum = 0
  return onGrid(curve, grid).map(v => (sum += v))
}

/** (a + 1/32) / (b + 1/32): the reference's advantage ratio. */
export const advantage = (a: number, b: number): number => (a + ADVANTAGE_EPSILON) / (b + ADVANTAGE_EPSILON)

/** TLA at each grid point (run vs baseline). */
export function tla(run: readonly CurvePoint[], baseline: readonly CurvePoint[], grid: readonly number[]): number[] {
  const a = tpot(run, grid)
  const b = tpot(baseline, grid)
  return a.map((v, i) => advantage(v, b[i] as number))
}

/** ILA at each grid point (run vs baseline). */
export function ila(run: readonly CurvePoint[], baseline: readonly CurvePoint[], grid: readonly number[]): number[] {
  const b = onGrid(baseline, grid)
  return onGrid(run, grid).map((v, i) => advantage(v, b[i] as number))
}

/** TT_p: the first per-agent step count at which ICR ≥ p (null: never). `curve` must be sorted. */
export function timeTo(curve: readonly CurvePoint[], p: number): number | null {
  for (const pt of curve) if (pt.icr >= p - 1e-9) return pt.steps
  return null
}

/**
 * TA at ICR level p: TT_p(baseline) / TT_p(run); null unless both reached p. A run that reaches
 * p at step 0 (before training: impossible for an untrained agent, but a resumed swarm could)
 * counts as reached at one step, so the ratio stays finite.
 */
export function timeAdvantage(run: readonly CurvePoint[], baseline: readonly CurvePoint[], p: number): number | null {
  const r = timeTo(run, p)
  const b = timeTo(baseline, p)
  return r === null || b === null ? null : b / Math.max(1, r)
}

/** The fractions of the target at which TA is reported (the 50/70/90/100 %). */
export const TA_FRACTIONS = [0.5, 0.7, 0.9, 1] as const

/**
 * The reference's TA curve: p on a 0.5 grid up to the baseline's maximum ICR, each as a
 * percentage of `target`, with TA(p) where the run reached p too.
 */
export function timeAdvantageCurve(
  run: readonly CurvePoint[],
  baseline: readonly CurvePoint[],
  target: number
): Array<{ percent: number; ta: number | null }> {
  const top = Math.max(0, ...baseline.map(p => p.icr))
  const out: Array<{ percent: number; ta: number | null }> = []
  for (let p = 0.5; p <= top + 1e-9; p += 0.5)
    out.push({ percent: (p / target) * 100, ta: timeAdvantage(run, baseline, p) })
  return out
}

/**
 * Per-agent steps at which every agent's own ICR had reached `threshold` (the slowest agent's
 * first sweep at or above it); null if one agent never did. Each history is one learner's
 * own-ICR sweeps on its own step clock.
 */
export function stepsUntilEveryAgent(
  histories: ReadonlyArray<readonly OwnIcrSample[]>,
  threshold: number
): number | null {
  if (histories.length === 0) return null
  let slowest = 0
  for (const h of histories) {
    const first = [...h].sort((a, b) => a.steps - b.steps).find(p => p.ownIcr >= threshold - 1e-9)
    if (first === undefined) return null
    slowest = Math.max(slowest, first.steps)
  }
  return slowest
}

/** Each agent's latest own ICR, averaged over the agents (0 for an agent with no sweep). */
export function meanFinalOwnIcr(histories: ReadonlyArray<readonly OwnIcrSample[]>): number {
  if (histories.length === 0) return 0
  const last = histories.map(h => [...h].sort((a, b) => a.steps - b.steps).at(-1)?.ownIcr ?? 0)
  return last.reduce((a, b) => a + b, 0) / last.length
}

/** slow / fast, or null unless both are known (fast = 0 counts as one step). */
export function ratio(slow: number | null, fast: number | null): number | null {
  return slow === null || fast === null ? null : slow / Math.max(1, fast)
}
