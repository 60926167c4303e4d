/**
 * Collective-learning metrics of the demo, computed from evaluator rows (reference-system.md
 * §5.1): ICR(t) = Σ_tasks best return; time to target = the first per-agent step count at
 * which ICR reaches the target; the speed-up is single / collective.
 */
export interface CurvePoint {
  /** Mean env steps per agent at the time of the evaluation. */
  steps: number
  icr: number
}

/** First per-agent step count at which the curve reaches `target` (null: never). */
export function stepsToTarget (curve: readonly CurvePoint[], target: number): number | null {
  for (const p of curve) if (p.icr >= target - 1e-9) return p.steps
  return null
}

/** ICR target of a K-task curriculum: 15 of 16 for the default demo, the same fraction otherwise. */
export function icrTarget (tasks: number): number {
  return Math.round(tasks * 15 / 16 * 100) / 100
}

/** Makes a curve monotone in steps (evaluator rows can repeat a step count) and sorted. */
export function normaliseCurve (rows: ReadonlyArray<{ meanLearnerSteps: number, icr: number }>): CurvePoint[] {
  const points = rows.filter(r => Number.isFinite(r.meanLearnerSteps) && Number.isFinite(r.icr)).map(r => ({ steps: r.meanLearnerSteps, icr: r.icr }))
  points.sort((a, b) => a.steps - b.steps)
  return points
}
