/**
 * The demo's metrics. Collective: from evaluator rows (docs/reference-fidelity.md §6.1), ICR(t) =
 * Σ_tasks the return of the collective's best mask; time to target = the first per-agent step
 * count at which ICR reaches the target. Per agent: each learner's own ICR (Σ over its
 * curriculum of its own current return, from its sweeps), averaged over the agents of a
 * collective on the per-agent step clock; time to target likewise.
 */
export interface CurvePoint {
  /** Env steps per agent (mean over a collective's learners, or each agent's own). */
  steps: number
  /** The collective ICR, or the mean agent's own ICR. */
  icr: number
}

/** First per-agent step count at which the curve reaches `target` (null: never). */
export function stepsToTarget(curve: readonly CurvePoint[], target: number): number | null {
  for (const p of curve) if (p.icr >= target - 1e-9) return p.steps
  return null
}

/** How many times sooner `fast` reached a target than `slow`, to 3 decimals (null unless both did). */
export function speedup(slow: number | null, fast: number | null): number | null {
  return slow !== null && fast !== null && fast > 0 ? Math.round((slow / fast) * 1000) / 1000 : null
}

/**
 * ICR target: 15/16 of the best achievable ICR (the sum of the tasks' optimal returns), i.e.
 * 15 of 16 for the default CT-graph demo, the same fraction for other task sets (MiniGrid's
 * optimal returns are below 1).
 */
export function icrTarget(optimalReturns: readonly number[]): number {
  return Math.round(((optimalReturns.reduce((a, b) => a + b, 0) * 15) / 16) * 100) / 100
}

/**
 * Own-ICR target: every task but one, i.e. tasks − 1 (15 of 16 for the default CT-graph demo,
 * whose tasks' optimal return is 1): the mean agent can do all but one task itself.
 */
export function ownIcrTarget(tasks: number): number {
  return tasks - 1
}

/** One own-ICR sweep of a learner as the curve needs it (OwnIcrPoint). */
export interface OwnIcrSample {
  steps: number
  ownIcr: number
}

/**
 * The mean agent's own ICR over per-agent env steps: each agent's own ICR is a step function of
 * its own training steps (its latest sweep at or before that count; 0 before its first), and
 * the curve is their mean at every step count where one of them changes. An agent that
 * finished its curriculum keeps its last sweep from its final step count on: sharing saves
 * steps exactly that way.
 */
export function meanOwnIcrCurve(histories: ReadonlyArray<readonly OwnIcrSample[]>): CurvePoint[] {
  if (histories.length === 0) return []
  // Stable sort: of sweeps at the same step count, the later one counts.
  const sorted = histories.map(h =>
    h.filter(p => Number.isFinite(p.steps) && Number.isFinite(p.ownIcr)).sort((a, b) => a.steps - b.steps)
  )
  const breakpoints = [...new Set(sorted.flatMap(h => h.map(p => p.steps)))].sort((a, b) => a - b)
  const at = (h: readonly OwnIcrSample[], steps: number): number => {
    let v = 0
    for (const p of h) {
      if (p.steps > steps) break
      v = p.ownIcr
    }
    return v
  }
  return breakpoints.map(steps => ({
    steps,
    icr: sorted.reduce((sum, h) => sum + at(h, steps), 0) / sorted.length
  }))
}

/** Makes a curve monotone in steps (evaluator rows can repeat a step count) and sorted. */
export function normaliseCurve(rows: ReadonlyArray<{ meanLearnerSteps: number; icr: number }>): CurvePoint[] {
  const points = rows
    .filter(r => Number.isFinite(r.meanLearnerSteps) && Number.isFinite(r.icr))
    .map(r => ({ steps: r.meanLearnerSteps, icr: r.icr }))
  points.sort((a, b) => a.steps - b.steps)
  return points
}

/** Mean env steps per agent, polled from the learners at time t (ms since the epoch). */
export interface StepSample {
  t: number
  steps: number
}

/** Per-agent env steps at time t, linearly interpolated from samples polled from the learners. */
export function stepsAt(samples: readonly StepSample[], t: number): number {
  if (samples.length === 0) return 0
  const first = samples[0] as StepSample
  if (t <= first.t) return first.steps
  for (let i = 1; i < samples.length; i++) {
    const b = samples[i] as StepSample
    if (t <= b.t) {
      const a = samples[i - 1] as StepSample
      return b.t === a.t ? b.steps : a.steps + ((b.steps - a.steps) * (t - a.t)) / (b.t - a.t)
    }
  }
  return (samples[samples.length - 1] as { steps: number }).steps
}

/**
 * The ICR curve of one side: its evaluator's rows (time, ICR), each placed at the per-agent
 * step count its learners had reached at that time.
 */
export function icrCurve(
  rows: ReadonlyArray<{ time: string; icr: number }>,
  samples: readonly StepSample[]
): CurvePoint[] {
  return normaliseCurve(rows.map(r => ({ icr: r.icr, meanLearnerSteps: stepsAt(samples, Date.parse(r.time)) })))
}
