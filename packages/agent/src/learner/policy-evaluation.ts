import type { Env } from '../envs/env.js'
import type { Prng } from '../rng/prng.js'
import { argmax, sampleCategorical, type Policy } from './policy-js.js'
import { scaleInto } from './rollout.js'

export interface EvaluationOptions {
  /** Episodes to run (the reference uses 25). */
  readonly episodes?: number
  /** Greedy (argmax) actions instead of sampling (the reference samples). */
  readonly greedy?: boolean
  /** Safety cap per episode for environments without a time limit; a capped episode counts as it stands. */
  readonly maxEpisodeSteps?: number
}

export interface EvaluationResult {
  readonly episodes: number
  readonly meanReturn: number
  readonly returns: number[]
  /** Env steps the evaluation consumed (not counted as training steps). */
  readonly steps: number
  readonly greedy: boolean
}

export const DEFAULT_EVAL_EPISODES = 25
export const DEFAULT_EVAL_MAX_EPISODE_STEPS = 10_000

/**
 * Runs `episodes` episodes at once, one environment per episode, with one batched forward pass
 * per step over the episodes still running, so an evaluation costs about one forward per step of
 * its longest episode. `envs` must hold at least `episodes` environments; each is reset first.
 */
export function evaluatePolicy(
  policy: Policy,
  envs: readonly Env[],
  observationScale: number,
  rng: Prng,
  options: EvaluationOptions = {}
): EvaluationResult {
  const episodes = options.episodes ?? DEFAULT_EVAL_EPISODES
  const greedy = options.greedy ?? false
  const maxSteps = options.maxEpisodeSteps ?? DEFAULT_EVAL_MAX_EPISODE_STEPS
  if (!Number.isSafeInteger(episodes) || episodes <= 0)
    throw new RangeError(`episodes must be a positive integer, got ${episodes}`)
  if (envs.length < episodes) throw new RangeError(`need ${episodes} environments, got ${envs.length}`)
  const inSize = policy.inputSize
  const a = policy.numActions
  const obs = new Float32Array(episodes * inSize)
  const logits = new Float32Array(episodes * a)
  const values = new Float32Array(episodes)
  const returns = new Array<number>(episodes).fill(0)
  let active: number[] = []
  for (let i = 0; i < episodes; i++) {
    scaleInto(envs[i]!.reset(), observationScale, obs, i * inSize)
    active.push(i)
  }
  const sample = { logProb: 0 }
  let steps = 0
  for (let t = 0; t < maxSteps && active.length > 0; t++) {
    policy.forward(obs, active.length, logits, values)
    const still: number[] = []
    active.forEach((ep, slot) => {
      const action = greedy
        ? argmax(logits, slot * a, a)
        : sampleCategorical(logits, slot * a, a, rng.nextFloat(), sample)
      const r = envs[ep]!.step(action)
      steps++
      returns[ep]! += r.reward
      if (!(r.terminated || r.truncated)) {
        // Compact the running episodes to the front of the batch buffer.
        scaleInto(r.observation, observationScale, obs, still.length * inSize)
        still.push(ep)
      }
    })
    active = still
  }
  const meanReturn = returns.reduce((s, r) => s + r, 0) / episodes
  return { episodes, meanReturn, returns, steps, greedy }
}
