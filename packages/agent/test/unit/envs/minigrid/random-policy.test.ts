import { describe, expect, it } from 'vitest'
import { MiniGridEnv } from '../../../../src/envs/minigrid/env.js'
import { createPrng } from '../../../../src/rng/prng.js'
import { runEpisodes } from '../../../suites/episodes.js'

interface RandomPolicyStats {
  meanReturn: number
  successRate: number
  meanLength: number
}

/** Uniform random actions over the task's action space, episodes of the fixed task layout. */
function randomPolicy(task: string, seed: number, episodes: number, policySeed: number): RandomPolicyStats {
  const env = new MiniGridEnv(task, { layoutSeed: seed })
  const pick = createPrng(policySeed)
  const t = runEpisodes(env, episodes, e => pick.nextInt(e.numActions))
  return { meanReturn: t.totalReturn / episodes, successRate: t.successes / episodes, meanLength: t.steps / episodes }
}

/*
 * Reference figures (docs/environments.md §3.7) are Monte-Carlo estimates from 300-400 episodes of
 * the reference env, so they carry their own sampling error. Each tolerance below is about 3.3
 * standard errors of the difference between our estimate and the reference's (both sampling
 * errors combined, worked out from the binomial / observed spread). The runs are seeded, so
 * the test is deterministic; the tolerance only has to cover an honest sample of a correct
 * env, while a wrong goal, river or time-out rule moves these figures far outside it.
 */
describe('MiniGrid under a random policy, against the reference Monte-Carlo figures', () => {
  it('SimpleCrossingS9N1 seed 9157: success ~0.21, return ~0.087, length ~300 (600 episodes)', () => {
    const s = randomPolicy('SimpleCrossingS9N1', 9157, 600, 1)
    // success: SE 0.017 (ours) and 0.022 (reference, 350 episodes) -> combined 0.027; ±0.09.
    expect(Math.abs(s.successRate - 0.21)).toBeLessThan(0.09)
    // return: spread ~0.19 -> SEs 0.008 and 0.010 -> combined 0.013; ±0.04.
    expect(Math.abs(s.meanReturn - 0.087)).toBeLessThan(0.04)
    // length: spread ~55 steps -> SEs 2.3 and 3.0 -> combined 3.7; ±12.
    expect(Math.abs(s.meanLength - 300)).toBeLessThan(12)
  })

  it('LavaCrossingS11N5 seed 9157: a random agent (almost) never crosses five lava rivers and dies fast', () => {
    const s = randomPolicy('LavaCrossingS11N5', 9157, 300, 2)
    expect(s.meanReturn).toBeLessThan(0.01)
    expect(s.successRate).toBeLessThan(0.01)
    // Reference mean length 10; lengths spread ~13 steps -> SEs 0.75 and 0.7 -> combined 1.0; ±3.5.
    expect(Math.abs(s.meanLength - 10)).toBeLessThan(3.5)
  })

  it('DoorKey-5x5 seed 9157 with 7 actions: success ~0.11, length ~242 (300 episodes)', () => {
    const s = randomPolicy('DoorKey-5x5', 9157, 300, 3)
    // success: SEs 0.018 and 0.017 -> combined 0.025; ±0.08.
    expect(Math.abs(s.successRate - 0.11)).toBeLessThan(0.08)
    // length: spread ~34 steps -> SEs 2.0 and 1.8 -> combined 2.7; ±9.
    expect(Math.abs(s.meanLength - 242)).toBeLessThan(9)
  })
})
