import { describe, expect, it } from 'vitest'
import { AutoResetEnv } from '../../../src/envs/env.js'
import { ctGraphImageDataset } from '../../../src/envs/ct-graph-images.js'
import { CtGraphEnv, l2d2cCtGraphConfig } from '../../../src/envs/ct-graph.js'
import { MT19937 } from '../../../src/rng/mt19937.js'
import { envComplianceSuite } from '../../suites/env-compliance.js'

// With P = 0 an episode lasts at most 2D + 3 steps (the optimal one).
envComplianceSuite('CT-graph D2B2', {
  create: () => new CtGraphEnv(l2d2cCtGraphConfig(2, 2, 1), [0, 1]),
  maxEpisodeSteps: 7
})
envComplianceSuite('CT-graph D4B2', {
  create: () => new CtGraphEnv(l2d2cCtGraphConfig(4, 2, 1), [1, 0, 1, 1]),
  maxEpisodeSteps: 11
})
envComplianceSuite('CT-graph D2B3', {
  create: () => new CtGraphEnv(l2d2cCtGraphConfig(2, 3, 2), [2, 1]),
  maxEpisodeSteps: 7
})

describe('CT-graph under the L2D2-C auto-reset wrapper (docs/environments.md §1)', () => {
  const config = { ...l2d2cCtGraphConfig(2, 2, 1), crashRewardValue: -1 }
  const images = ctGraphImageDataset(1, 16).images

  it('after done the agent sees the reset observation (image 0), never the crash image, with the terminal reward', () => {
    const inner = new CtGraphEnv(config, [1, 1])
    const env = new AutoResetEnv(inner)
    const actions = new MT19937(5)
    let obs = env.reset()
    let crashes = 0
    let leafExits = 0
    for (let t = 0; t < 3000; t++) {
      const wasAtLeaf = inner.describe().stateType === 'end'
      const r = env.step(actions.randint(0, 3))
      expect(r.observation).not.toBe(images[1])
      if (r.done) {
        expect(r.observation).toBe(images[0])
        // The inner env was reset: it is at home with a live episode, so stepping works.
        expect(inner.describe()).toMatchObject({ stateType: 'home', depthIndex: 0 })
        if (wasAtLeaf) {
          leafExits++
          expect(r.reward).toBe(0)
          expect(r.terminalObservation).toBe(images[0])
        } else {
          crashes++
          expect(r.reward).toBe(-1)
          expect(r.terminalObservation).toBe(images[1])
        }
      } else {
        expect(r.terminalObservation).toBeNull()
      }
      obs = r.observation
    }
    expect(obs).toHaveLength(144)
    expect(crashes).toBeGreaterThan(100)
    expect(leafExits).toBeGreaterThan(5)
  })

  it('an optimal episode: reward on the leaf step, then done with the home observation, and the next episode starts at once', () => {
    const env = new AutoResetEnv(new CtGraphEnv(config, [1, 1]))
    env.reset()
    const results = [0, 0, 2, 0, 2, 0, 0].map(a => env.step(a))
    expect(results.map(r => r.reward)).toEqual([0, 0, 0, 0, 0, 1, 0])
    expect(results.map(r => r.done)).toEqual([false, false, false, false, false, false, true])
    expect(results.at(-1)?.observation).toBe(images[0])
    expect(env.step(2).observation).toBe(images[2])
  })
})
