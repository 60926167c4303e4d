import { describe, expect, it } from 'vitest'
import type { TaskMastery } from '../../../src/masks/knowledge-base.js'
import { MAX_OWN_ICR_POINTS, OwnIcrHistory, sharingOutcome } from '../../../src/agent/own-capability.js'

const entry = (stepsTrained: number, mastery: TaskMastery | null) => ({ stepsTrained, mastery })

describe('sharing outcome', () => {
  const kb: Record<string, ReturnType<typeof entry>> = {
    a: entry(2000, { by: 'learned', steps: 2000 }),
    b: entry(4000, { by: 'learned', steps: 4000 }),
    c: entry(0, { by: 'adopted', steps: 0 }), // skipped at its start
    d: entry(1000, { by: 'adopted', steps: 1000 }), // adopted 1,000 steps into it
    e: entry(3500, { by: 'adopted', steps: 3500 }), // adopted after more steps than the mean: saved nothing
    f: entry(900, null), // not mastered yet
    outside: entry(0, { by: 'adopted', steps: 0 }) // not in the curriculum
  }
  const lookup = (k: string) => kb[k] ?? null

  it('counts tasks learned and adopted in the curriculum, and estimates the steps adoption saved', () => {
    // The mean steps to master a task learned here: 3,000. Saved: 3,000 (c) + 2,000 (d) + 0 (e).
    expect(sharingOutcome(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'a'], lookup, false)).toEqual({
      tasksLearned: 2,
      tasksAdopted: 3,
      stepsSaved: 5000
    })
  })

  it('saves nothing before it has learned a task itself (no estimate), nor under fixed budgets', () => {
    expect(sharingOutcome(['c', 'd'], lookup, false)).toEqual({ tasksLearned: 0, tasksAdopted: 2, stepsSaved: 0 })
    expect(sharingOutcome(['a', 'c'], lookup, true)).toEqual({ tasksLearned: 1, tasksAdopted: 1, stepsSaved: 0 })
  })
})

describe('own-ICR history', () => {
  it('keeps the samples with their time, the latest first to hand, and a bounded number of them', () => {
    const h = new OwnIcrHistory()
    expect(h.latest).toBeNull()
    h.add({ steps: 0, ownIcr: 0, perTask: { a: 0 }, kind: 'sweep' }, 0)
    h.add({ steps: 128, ownIcr: 0.96, perTask: { a: 0.96 }, kind: 'task-end' }, 1000)
    expect(h.latest).toBe(0.96)
    expect(h.list()).toEqual([
      { steps: 0, time: '1970-01-01T00:00:00.000Z', ownIcr: 0, perTask: { a: 0 } },
      { steps: 128, time: '1970-01-01T00:00:01.000Z', ownIcr: 0.96, perTask: { a: 0.96 } }
    ])
    for (let i = 0; i < MAX_OWN_ICR_POINTS; i++) h.add({ steps: 10_000 + i, ownIcr: 1, perTask: {}, kind: 'sweep' }, 0)
    // The two oldest went.
    expect(h.list()).toHaveLength(MAX_OWN_ICR_POINTS)
    expect(h.list()[0]!.steps).toBe(10_000)
    expect(h.list().at(-1)!.steps).toBe(10_000 + MAX_OWN_ICR_POINTS - 1)
  })
})
