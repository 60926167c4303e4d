import type { Env } from '../../src/envs/env.js'

/** Totals over whole episodes; an episode succeeds when its return is positive. */
export interface EpisodeTotals {
  readonly episodes: number
  readonly steps: number
  readonly totalReturn: number
  readonly successes: number
}

/**
 * Plays `episodes` episodes: reset, then `pickAction(env)` and step until the episode
 * terminates or is truncated. The tests' policies (random, optimal) differ only in pickAction.
 */
export function runEpisodes<E extends Env>(env: E, episodes: number, pickAction: (env: E) => number): EpisodeTotals {
  let steps = 0
  let totalReturn = 0
  let successes = 0
  for (let e = 0; e < episodes; e++) {
    env.reset()
    let episodeReturn = 0
    for (;;) {
      const r = env.step(pickAction(env))
      steps++
      episodeReturn += r.reward
      if (r.terminated || r.truncated) break
    }
    totalReturn += episodeReturn
    if (episodeReturn > 0) successes++
  }
  return { episodes, steps, totalReturn, successes }
}
