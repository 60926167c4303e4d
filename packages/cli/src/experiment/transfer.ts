/**
 * The transfer figure (pure): per task of the learners' curriculum, the training steps each
 * learner needed to master it (its knowledge's mastery record), mean over a run's learners, then
 * mean and 95 % Student-t band over seeds per condition; and per seed the ratio of a condition's
 * total steps over all tasks to its `compareTo` condition's (paired: same seed, same learner seeds).
 * A task a learner never mastered has no figure ("not reached", counted); a run recorded before
 * learners' tasks were kept has none at all.
 */
import { summarise, type Summary } from './aggregate.js'
import type { RunResult } from './results.js'
import type { Condition, ExperimentSpec } from './spec.js'

export interface TransferCondition {
  condition: Condition
  /** Per task of `tasks`: steps to mastery over seeds. */
  perTask: Summary[]
  /** Steps to master every task, summed over the tasks (null in a run where one was not mastered). */
  total: Summary
  /** Paired: compareTo's total / this one's, per seed (> 1: fewer steps than its comparison). */
  speedup: Summary
  /** Tasks a learner mastered by adopting a peer's mask (mean per learner): 0 when nobody held them, as transfer needs. */
  adoptedTasks: Summary
  /** Basis masks imported per task start (mean per run; absent from runs recorded without it). */
  basisPerTask: Summary
}

export interface TransferAnalysis {
  tasks: string[]
  conditions: TransferCondition[]
}

/** Whether a spec asks the transfer question (a condition imports a basis or has teachers). */
export function isTransferSpec(spec: ExperimentSpec): boolean {
  return spec.conditions.some(c => (c.importBasis ?? 0) > 0 || (c.teachers ?? 0) > 0)
}

/** One run's steps to mastery per task (mean over its learners that mastered it; null if one did not, or none recorded). */
export function stepsPerTask(r: RunResult, tasks: readonly string[]): Array<number | null> {
  const learners = r.learnerTasks ?? []
  return tasks.map(key => {
    if (learners.length === 0) return null
    const steps: number[] = []
    for (const l of learners) {
      const m = l?.find(t => t.key === key)?.mastery ?? null
      if (m === null) return null
      steps.push(m.steps)
    }
    return steps.reduce((a, b) => a + b, 0) / steps.length
  })
}

const total = (xs: ReadonlyArray<number | null>): number | null =>
  xs.length === 0 || xs.some(x => x === null) ? null : (xs as number[]).reduce((a, b) => a + b, 0)

export function analyseTransfer(spec: ExperimentSpec, results: readonly RunResult[]): TransferAnalysis {
  const tasks = results[0]?.tasks ?? []
  const find = (name: string | null, seed: number): RunResult | null =>
    name === null ? null : (results.find(r => r.condition.name === name && r.seed === seed) ?? null)
  const conditions: TransferCondition[] = []
  for (const c of spec.conditions) {
    const mine = results.filter(r => r.condition.name === c.name)
    if (mine.length === 0) continue
    const per = mine.map(r => stepsPerTask(r, tasks))
    const speedups = mine.flatMap(r => {
      const other = find(c.compareTo, r.seed)
      if (other === null) return []
      const mineTotal = total(stepsPerTask(r, tasks))
      const theirs = total(stepsPerTask(other, tasks))
      return [mineTotal === null || theirs === null || mineTotal === 0 ? null : theirs / mineTotal]
    })
    conditions.push({
      condition: c,
      perTask: tasks.map((_, i) => summarise(per.map(p => p[i] ?? null))),
      total: summarise(per.map(total)),
      speedup: summarise(speedups),
      basisPerTask: summarise(
        mine.map(r => {
          const starts = (r.basisImports ?? []).flat()
          return starts.length === 0 ? null : starts.reduce((a, b) => a + b.from.length, 0) / starts.length
        })
      ),
      adoptedTasks: summarise(
        mine.map(r =>
          r.learnerTasks === undefined
            ? null
            : r.learnerTasks.reduce((a, l) => a + (l?.filter(t => t.mastery?.by === 'adopted').length ?? 0), 0) /
              Math.max(1, r.learnerTasks.length)
        )
      )
    })
  }
  return { tasks, conditions }
}
