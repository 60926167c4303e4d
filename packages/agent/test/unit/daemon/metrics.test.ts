import { describe, expect, it } from 'vitest'
import { DaemonMetrics, type MetricsSources } from '../../../src/daemon/metrics.js'

const sources: MetricsSources = {
  traffic: () => null,
  masksHeld: () => 3,
  peers: () => ({ connected: 1, known: 2 }),
  taskReturns: () => [{ task: 'ctgraph/d2b2/img1/leaf00', reward: 0.5 }]
}

async function scrape(s: MetricsSources): Promise<string> {
  const m = new DaemonMetrics()
  m.watch(s)
  try {
    return await m.registry.metrics()
  } finally {
    m.stop()
  }
}

describe('DaemonMetrics', () => {
  it('reads the live sources at scrape time', async () => {
    const text = await scrape(sources)
    expect(text).toMatch(/^l2d2c_masks_held 3$/m)
    expect(text).toMatch(/^l2d2c_peers\{state="connected"\} 1$/m)
    expect(text).toMatch(/^l2d2c_peers\{state="known"\} 2$/m)
    expect(text).toMatch(/^l2d2c_task_return\{task="ctgraph\/d2b2\/img1\/leaf00"\} 0.5$/m)
  })

  it("publishes l2d2c_icr only when given an ICR source (evaluators), not as a learner's 0", async () => {
    expect(await scrape(sources)).not.toMatch(/l2d2c_icr/)
    const evaluator = await scrape({ ...sources, icr: () => 1.75 })
    expect(evaluator).toMatch(/^l2d2c_icr 1.75$/m)
  })

  it("publishes a learner's own ICR once it has one, its tasks learned and adopted, steps saved, and counts evaluation steps", async () => {
    let own: number | null = null
    const learner: MetricsSources = {
      ...sources,
      ownIcr: () => own,
      outcome: () => ({ tasksLearned: 5, tasksAdopted: 3, stepsSaved: 7680 })
    }
    const m = new DaemonMetrics()
    m.watch(learner)
    try {
      let text = await m.registry.metrics()
      // Before the first sample (a learner takes one as its curriculum starts) it reads 0.
      expect(text).toMatch(/^l2d2c_own_icr 0$/m)
      expect(text).toMatch(/^l2d2c_tasks_learned 5$/m)
      expect(text).toMatch(/^l2d2c_tasks_adopted 3$/m)
      expect(text).toMatch(/^l2d2c_steps_saved 7680$/m)
      own = 12.5
      m.evalSteps.inc(190)
      text = await m.registry.metrics()
      expect(text).toMatch(/^l2d2c_own_icr 12.5$/m)
      expect(text).toMatch(/^l2d2c_eval_steps_total 190$/m)
    } finally {
      m.stop()
    }
    // An evaluator has none of these.
    expect(await scrape({ ...sources, icr: () => 1 })).not.toMatch(/l2d2c_own_icr|l2d2c_tasks_/)
  })
})
