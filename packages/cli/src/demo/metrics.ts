/**
 * Collective-learning metrics of the demo, computed from evaluator rows (docs/reference-fidelity.md
 * §6.1): ICR(t) = Σ_tasks best return; time to target = the first per-agent step count at
 * which ICR reaches the target; the speed-up is single / collective.
 */
export interface CurvePoint {
  /** Mean env steps per agent at the time of the evaluation. */
  steps: number
  icr: number
}

/** First per-agent step count at which the curve reaches `target` (null: never). */
export function stepsToTarget(curve: readonly CurvePoint[], target: number): number | null {
  for (const p of curve) if (p.icr >= target - 1e-9) return p.steps
  return null
}

/**
 * ICR target: 15/16 of the best achievable ICR (the sum of the tasks' optimal returns), i.e.
 * 15 of 16 for the default CT-graph demo, the same fraction for other task sets (MiniGrid's
 * optimal returns are below 1).
 */
export function icrTarget(optimalReturns: readonly number[]): number {
  return Math.round(((optimalReturns.reduce((a, b) => a + b, 0) * 15) / 16) * 100) / 100
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
