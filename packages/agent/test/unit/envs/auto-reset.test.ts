import { describe, expect, it } from 'vitest'
import { AutoResetEnv, EnvUsageError, type Env, type StepResult } from '../../../src/envs/env.js'

/** A 3-step counting episode: observation = [t], reward 1 on the last step. */
class CountingEnv implements Env {
  readonly observationSize = 1
  readonly numActions = 2
  private t = -1
  resets = 0
  reset(): Uint8Array {
    this.t = 0
    this.resets++
    return Uint8Array.of(0)
  }
  step(_action: number): StepResult {
    if (this.t < 0) throw new EnvUsageError('reset first')
    this.t++
    const terminated = this.t === 3
    return { observation: Uint8Array.of(this.t + 100), reward: terminated ? 1 : 0, terminated, truncated: false }
  }
}

describe('AutoResetEnv (L2D2-C wrapper semantics)', () => {
  it('returns the reset observation in place of the terminal one, with the terminal reward and done', () => {
    const inner = new CountingEnv()
    const env = new AutoResetEnv(inner)
    expect(Array.from(env.reset())).toEqual([0])
    expect(env.step(0)).toMatchObject({ reward: 0, done: false })
    expect(Array.from(env.step(0).observation)).toEqual([102])
    const last = env.step(1)
    expect(last.done).toBe(true)
    expect(last.reward).toBe(1)
    expect(Array.from(last.observation)).toEqual([0])
    expect(Array.from(last.terminalObservation ?? [])).toEqual([103])
    expect(inner.resets).toBe(2)
  })

  it('refuses step before reset', () => {
    expect(() => new AutoResetEnv(new CountingEnv()).step(0)).toThrow(EnvUsageError)
  })
})
