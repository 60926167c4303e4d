import type { OwnIcrPoint } from '@l2d2c/protocol'
import type { KnowledgeEntry } from '../masks/knowledge-base.js'
import type { OwnIcrSample } from './curriculum-driver.js'

/**
 * What an agent can do by itself, and what sharing spared it: the bounded history of its own-ICR
 * samples (the curriculum driver measures them; this keeps them with the time), and its sharing
 * outcome, derived from the knowledge base so it survives a restart. Plain bookkeeping, no I/O.
 */

/** Own-ICR points kept (one per sweep and per task end: a 16-task curriculum makes about 25). */
export const MAX_OWN_ICR_POINTS = 2000

export class OwnIcrHistory {
  private readonly points: OwnIcrPoint[] = []

  /** Records a sample taken at `timeMs` (ms since the epoch). */
  add(sample: OwnIcrSample, timeMs: number): void {
    this.points.push({
      steps: sample.steps,
      time: new Date(timeMs).toISOString(),
      ownIcr: sample.ownIcr,
      perTask: { ...sample.perTask }
    })
    if (this.points.length > MAX_OWN_ICR_POINTS) this.points.shift()
  }

  /** The latest own ICR (null before the first sample). */
  get latest(): number | null {
    return this.points.at(-1)?.ownIcr ?? null
  }

  /** The points, oldest first (a copy). */
  list(): OwnIcrPoint[] {
    return [...this.points]
  }
}

/**
 * Tasks of its curriculum an agent mastered by its own training and by adopting a peer's mask,
 * and the env steps adoption saved it.
 *
 * stepsSaved, an estimate: for each adopted task, the mean env steps this agent needed to
 * master the tasks it learned itself, less the steps it had already trained on the adopted one
 * (never below 0). 0 while it has learned no task itself (no estimate yet). Under fixed budgets
 * every task trains its whole budget anyway, so adoption saves no step there (0).
 */
export interface SharingOutcome {
  readonly tasksLearned: number
  readonly tasksAdopted: number
  readonly stepsSaved: number
}

export function sharingOutcome(
  tasks: readonly string[],
  knowledge: (taskKey: string) => Pick<KnowledgeEntry, 'mastery' | 'stepsTrained'> | null,
  fixedBudget: boolean
): SharingOutcome {
  const learned: number[] = []
  const adopted: number[] = []
  for (const key of new Set(tasks)) {
    const e = knowledge(key)
    const m = e?.mastery
    if (e === null || m == null) continue
    if (m.by === 'learned') learned.push(m.steps)
    else adopted.push(e.stepsTrained)
  }
  const mean = learned.length > 0 ? learned.reduce((a, b) => a + b, 0) / learned.length : 0
  const saved = fixedBudget ? 0 : adopted.reduce((sum, trained) => sum + Math.max(0, mean - trained), 0)
  return { tasksLearned: learned.length, tasksAdopted: adopted.length, stepsSaved: Math.round(saved) }
}
