import { describe, expect, it } from 'vitest'
import { AutoResetEnv, type Env, type StepResult } from '../../../src/envs/env.js'
import { createBackbone } from '../../../src/learner/backbone.js'
import { JsPolicy } from '../../../src/learner/policy-js.js'
import {
  allocateBatch,
  computeAdvantages,
  normalizeInPlace,
  rolloutReward,
  VectorRollout
} from '../../../src/learner/rollout.js'
import { initialTaskScores } from '../../../src/masks/score-init.js'
import { createPrng } from '../../../src/rng/prng.js'

describe('advantages and value targets', () => {
  // Two envs, three steps, time-major (k = t·2 + e). Env 0 ends its episode at t = 2; env 1 runs on.
  const batch = allocateBatch(2, 3, 1)
  batch.rewards.set([0, 0, 0, 0, 1, 0.5])
  batch.values.set([0.5, 0.2, 0.6, 0.3, 0.7, 0.4])
  batch.dones.set([0, 0, 0, 0, 1, 0])
  batch.lastValues.set([0.9, 0.8])
  const gamma = 0.9
  const lambda = 0.8

  it('computes GAE(γ, λ) per env, cut at episode ends and bootstrapped at the rollout end', () => {
    const { advantages, returns } = computeAdvantages(batch, gamma, lambda, 'gae')
    // env 0: δ2 = 1 − 0.7, δ1 = 0.9·0.7 − 0.6, δ0 = 0.9·0.6 − 0.5
    const a2 = 0.3
    const a1 = 0.03 + 0.72 * a2
    const a0 = 0.04 + 0.72 * a1
    // env 1: δ2 = 0.5 + 0.9·0.8 − 0.4, δ1 = 0.9·0.4 − 0.3, δ0 = 0.9·0.3 − 0.2
    const b2 = 0.5 + 0.72 - 0.4
    const b1 = 0.36 - 0.3 + 0.72 * b2
    const b0 = 0.27 - 0.2 + 0.72 * b1
    const expected = [a0, b0, a1, b1, a2, b2]
    expected.forEach((v, k) => {
      expect(advantages[k]).toBeCloseTo(v, 6)
    })
    expected.forEach((v, k) => {
      expect(returns[k]).toBeCloseTo(v + batch.values[k]!, 6)
    })
  })

  it("computes the reference's discounted returns seeded with V(s_T)", () => {
    const { returns } = computeAdvantages(batch, gamma, lambda, 'discounted')
    const expected = [0.81, 0.9 * 0.9 * (0.5 + 0.9 * 0.8), 0.9, 0.9 * (0.5 + 0.9 * 0.8), 1, 0.5 + 0.9 * 0.8]
    expected.forEach((v, k) => {
      expect(returns[k]).toBeCloseTo(v, 6)
    })
  })

  it('normalises to zero mean and unit (unbiased) standard deviation', () => {
    const x = Float32Array.of(1, 2, 3, 4)
    normalizeInPlace(x)
    expect(x.reduce((s, v) => s + v, 0)).toBeCloseTo(0, 6)
    expect(x.reduce((s, v) => s + v * v, 0) / 3).toBeCloseTo(1, 4)
  })
})

/** Reward 0 every step; the episode is cut by a time limit after `limit` steps. */
class TimeLimitEnv implements Env {
  readonly observationSize = 144
  readonly numActions = 3
  private t = 0
  constructor(private readonly limit: number) {}
  reset(): Uint8Array {
    this.t = 0
    return new Uint8Array(144).fill(10)
  }
  step(): StepResult {
    this.t++
    return {
      observation: new Uint8Array(144).fill(10 + this.t * 20),
      reward: 0,
      terminated: false,
      truncated: this.t >= this.limit
    }
  }
}

describe('vectorised rollout', () => {
  const backbone = createBackbone({ inputSize: 144, numActions: 3 })
  const policy = new JsPolicy(backbone)
  policy.setWireScores(initialTaskScores(backbone, 'k'))
  const valueFor = (fill: number): number => {
    const logits = new Float32Array(3)
    const v = new Float32Array(1)
    policy.forward(new Float32Array(144).fill(fill / 255), 1, logits, v)
    return v[0]!
  }

  for (const bootstrap of [true, false]) {
    it(`${bootstrap ? 'bootstraps' : 'does not bootstrap'} with γ·V(terminal observation) on a time-out`, () => {
      const envs = [new AutoResetEnv(new TimeLimitEnv(2)), new AutoResetEnv(new TimeLimitEnv(3))]
      const rollout = new VectorRollout(envs, 1 / 255, policy, createPrng(1), 0.99, bootstrap)
      const batch = allocateBatch(2, 4, 144)
      const stats = rollout.collect(batch)
      expect(Array.from(batch.dones)).toEqual([0, 0, 1, 0, 0, 1, 1, 0])
      const expectedCut = bootstrap ? 0.99 * valueFor(50) : 0
      expect(batch.rewards[2]).toBeCloseTo(expectedCut, 5) // env 0 cut at its 2nd step (terminal obs fill 50)
      expect(batch.rewards[6]).toBeCloseTo(expectedCut, 5) // env 0 again
      expect(batch.rewards[5]).toBeCloseTo(bootstrap ? 0.99 * valueFor(70) : 0, 5) // env 1 at its 3rd step
      expect(stats.episodeReturns).toEqual([0, 0, 0])
      expect(stats.episodeLengths).toEqual([2, 3, 2])
      expect(stats.episodeEnvs).toEqual([0, 1, 0])
      // Observations are scaled and the one after a reset is the reset observation.
      expect(batch.obs[0]).toBeCloseTo(10 / 255, 6)
      expect(batch.obs[4 * 144]).toBeCloseTo(10 / 255, 6)
    })
  }
})

describe("the reference's per-iteration reward", () => {
  it("is the mean over environments of each one's mean finished-episode return, 0 for an environment with none", () => {
    // env 0 finished two episodes (1 and 0), env 2 one (1); envs 1 and 3 none.
    const stats = { episodeReturns: [1, 1, 0], episodeLengths: [7, 7, 3], episodeEnvs: [0, 2, 0] }
    expect(rolloutReward(stats, 4)).toBeCloseTo((0.5 + 0 + 1 + 0) / 4, 12)
    // Not the mean over episodes (2/3): an environment that finished nothing counts as 0.
    expect(rolloutReward({ episodeReturns: [], episodeLengths: [], episodeEnvs: [] }, 4)).toBe(0)
    expect(rolloutReward({ episodeReturns: [1, 1], episodeLengths: [7, 7], episodeEnvs: [0, 1] }, 2)).toBe(1)
  })
})
