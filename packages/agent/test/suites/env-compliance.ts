import { describe, expect, it } from 'vitest'
import type { Env } from '../../src/envs/env.js'
import { createPrng } from '../../src/rng/prng.js'

export interface EnvComplianceOptions {
  /** Creates a fresh environment of the family under test. */
  create: () => Env
  /** Longest possible episode (steps); the suite checks every episode ends within it. */
  maxEpisodeSteps: number
  /** Inclusive bounds of raw observation values. */
  observationRange?: [number, number]
  episodes?: number
}

/**
 * The contract every environment family must honour (docs/architecture.md §6): step before reset
 * throws, same seed gives the same trajectory, observations have the declared size and range,
 * rewards are finite, and every episode ends within its limit.
 */
export function envComplianceSuite(name: string, opts: EnvComplianceOptions): void {
  const [lo, hi] = opts.observationRange ?? [0, 255]
  const episodes = opts.episodes ?? 20

  const rollout = (seed: number): number[] => {
    const env = opts.create()
    const pick = createPrng(seed)
    const trace: number[] = []
    for (let e = 0; e < episodes; e++) {
      trace.push(env.reset(seed + e).reduce((s, v) => s + v, 0))
      for (let t = 0; t < opts.maxEpisodeSteps; t++) {
        const r = env.step(pick.nextInt(env.numActions))
        trace.push(
          r.reward,
          r.observation.reduce((s, v) => s + v, 0)
        )
        if (r.terminated || r.truncated) break
      }
    }
    return trace
  }

  describe(`${name}: environment compliance`, () => {
    it('throws when step is called before reset', () => {
      expect(() => opts.create().step(0)).toThrow()
    })

    it('declares positive sizes and returns observations of that size, in range', () => {
      const env = opts.create()
      expect(env.observationSize).toBeGreaterThan(0)
      expect(env.numActions).toBeGreaterThan(1)
      const pick = createPrng(7)
      const obs = env.reset(1)
      expect(obs.length).toBe(env.observationSize)
      const problems: string[] = []
      for (let i = 0; i < 200; i++) {
        const r = env.step(pick.nextInt(env.numActions))
        if (r.observation.length !== env.observationSize)
          problems.push(`step ${i}: observation of length ${r.observation.length}`)
        for (const v of r.observation)
          if (v < lo || v > hi) problems.push(`step ${i}: value ${v} outside [${lo}, ${hi}]`)
        if (!Number.isFinite(r.reward)) problems.push(`step ${i}: reward ${r.reward}`)
        if (r.terminated || r.truncated) env.reset()
      }
      expect(problems.slice(0, 5)).toEqual([])
    })

    it('gives the same trajectory for the same seed and actions', () => {
      expect(rollout(42)).toEqual(rollout(42))
    })

    it(`ends every episode within ${opts.maxEpisodeSteps} steps`, () => {
      const env = opts.create()
      const pick = createPrng(3)
      for (let e = 0; e < episodes; e++) {
        env.reset(e)
        let ended = false
        for (let t = 0; t < opts.maxEpisodeSteps && !ended; t++) {
          const r = env.step(pick.nextInt(env.numActions))
          ended = r.terminated || r.truncated
        }
        expect(ended).toBe(true)
      }
    })

    it('rejects invalid actions', () => {
      const env = opts.create()
      env.reset(0)
      expect(() => env.step(env.numActions)).toThrow()
      expect(() => env.step(-1)).toThrow()
      expect(() => env.step(0.5)).toThrow()
    })
  })
}
