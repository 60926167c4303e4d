import { beforeAll, describe, expect, it } from 'vitest'
import { META_CTGRAPH_TASKS, taskSpec } from '../../../src/envs/index.js'
import { LifelongLearner } from '../../../src/learner/lifelong-learner.js'
import { initTfBackend } from '../../../src/learner/tf-backend.js'

beforeAll(async () => {
  await initTfBackend('wasm')
})

describe('learning (fixed seed, default settings)', () => {
  it('learns meta CT-graph task 0 from scratch: 4,096 steps take it from random to far above random', () => {
    const spec = taskSpec(META_CTGRAPH_TASKS[0]!)
    const learner = new LifelongLearner({ inputSize: spec.observationSize, numActions: spec.numActions, seed: 1 })
    learner.setTask(spec)
    const before = learner.evaluate(spec.key, { episodes: 50 }).meanReturn
    while (learner.status().totalSteps < 4096) learner.trainIteration()
    const after = learner.evaluate(spec.key, { episodes: 50 }).meanReturn
    learner.dispose()
    // A uniform random policy succeeds with probability 1/243 per episode.
    expect(before).toBeLessThan(0.1)
    expect(after).toBeGreaterThan(0.5)
  })
})
