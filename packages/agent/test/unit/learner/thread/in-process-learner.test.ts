import { decodeMask, encodeMask } from '@l2d2c/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { META_CTGRAPH_TASKS } from '../../../../src/envs/index.js'
import { REFERENCE_PPO } from '../../../../src/learner/hyperparams.js'
import { LearnerError } from '../../../../src/learner/lifelong-learner.js'
import { MaskCompatibilityError } from '../../../../src/masks/mask.js'
import { InProcessLearner } from '../../../../src/learner/thread/in-process-learner.js'

const A = META_CTGRAPH_TASKS[0]!
const learners: InProcessLearner[] = []

async function make(init: Partial<Parameters<InProcessLearner['init']>[0]> = {}): Promise<InProcessLearner> {
  const l = new InProcessLearner()
  learners.push(l)
  await l.init({ shapeTask: A, seed: 1, ...init })
  return l
}

afterEach(async () => {
  for (const l of learners.splice(0)) await l.dispose()
})

describe('InProcessLearner', () => {
  it("reports the backend and why 'auto' skipped the ones before it", async () => {
    const l = new InProcessLearner()
    learners.push(l)
    const info = await l.init({ shapeTask: A, seed: 1, backend: 'auto' })
    if (info.backend !== 'node') {
      // This machine cannot load tfjs-node's addon: the reason travels with the learner's info.
      expect(info.backendSkipped[0]?.backend).toBe('node')
      expect(info.backendSkipped[0]?.reason.length).toBeGreaterThan(0)
    } else {
      expect(info.backendSkipped).toEqual([])
    }
  })

  it('hands every init option to the learner, and leaves the defaults to it when absent', async () => {
    const plain = await make()
    const tuned = await make({ backboneSeed: 1234, newMaskMode: 'lc', preset: 'reference', ppo: { numEnvs: 2 } })
    const [p, t] = [await plain.status(), await tuned.status()]
    expect(p.newMaskMode).toBe('random')
    expect(t.newMaskMode).toBe('lc')
    expect(t.backboneId).not.toBe(p.backboneId)
    expect(t.ppo).toEqual({ ...REFERENCE_PPO, numEnvs: 2 })
  })

  it("reports bad task keys with the learner's typed error (unknown-task)", async () => {
    const l = await make()
    const bad = 'ctgraph/d2b2/img1/leaf2'
    await expect(l.setTask(bad)).rejects.toSatisfy(e => e instanceof LearnerError && e.code === 'unknown-task')
    await expect(l.evaluate(bad, { episodes: 1 })).rejects.toSatisfy(
      e => e instanceof LearnerError && e.code === 'unknown-task'
    )
  })

  it('imports a decoded protocol mask as it is, and refuses a layer that is not [out, in]', async () => {
    const from = await make()
    await from.setTask(A)
    const to = await make({ seed: 2 })
    const decoded = decodeMask(encodeMask(await from.exportMask(A), 'f32'))
    await to.importMask(decoded)
    expect((await to.exportMask(A)).layers.map(l => l.shape)).toEqual(decoded.layers.map(l => l.shape))
    const rank3 = { ...decoded, layers: decoded.layers.map((l, i) => (i === 0 ? { ...l, shape: [...l.shape, 1] } : l)) }
    await expect(to.importMask(rank3)).rejects.toSatisfy(
      e => e instanceof MaskCompatibilityError && e.code === 'shape-mismatch'
    )
  })
})
