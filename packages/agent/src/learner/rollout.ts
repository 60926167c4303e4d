import type { AutoResetEnv } from '../envs/env.js'
import type { Prng } from '../rng/prng.js'
import { sampleCategorical, type Policy } from './policy-js.js'

/** One iteration's samples, time-major: sample k = t · numEnvs + e. */
export interface RolloutBatch {
  readonly numEnvs: number
  readonly length: number
  readonly inputSize: number
  /** Scaled observations [T·N][in]. */
  readonly obs: Float32Array
  readonly actions: Int32Array
  readonly logProbs: Float32Array
  readonly values: Float32Array
  /** Rewards, with γ·V(terminal obs) already added on bootstrapped time-outs. */
  readonly rewards: Float32Array
  /** 1 where the transition ended an episode (terminated, or truncated). */
  readonly dones: Uint8Array
  /** V(s_T) for each env, to bootstrap the last step. */
  readonly lastValues: Float32Array
}

export interface RolloutStats {
  /** Returns of the episodes that finished during this rollout. */
  readonly episodeReturns: number[]
  readonly episodeLengths: number[]
  /** The environment each of those episodes ran in (parallel to episodeReturns). */
  readonly episodeEnvs: number[]
}

/**
 * The reference's per-iteration training reward (docs/reference-fidelity.md §2.4): the mean over
 * the parallel environments (its workers) of the mean return of the episodes that finished in
 * that environment during the rollout, 0 for an environment where none did.
 */
export function rolloutReward(stats: RolloutStats, numEnvs: number): number {
  const sum = new Float64Array(numEnvs)
  const count = new Int32Array(numEnvs)
  stats.episodeReturns.forEach((r, i) => {
    const e = stats.episodeEnvs[i]!
    sum[e]! += r
    count[e]!++
  })
  let total = 0
  for (let e = 0; e < numEnvs; e++) total += count[e]! > 0 ? sum[e]! / count[e]! : 0
  return total / numEnvs
}

export function allocateBatch(numEnvs: number, length: number, inputSize: number): RolloutBatch {
  const n = numEnvs * length
  return {
    numEnvs,
    length,
    inputSize,
    obs: new Float32Array(n * inputSize),
    actions: new Int32Array(n),
    logProbs: new Float32Array(n),
    values: new Float32Array(n),
    rewards: new Float32Array(n),
    dones: new Uint8Array(n),
    lastValues: new Float32Array(numEnvs)
  }
}

/** Writes raw uint8 observation · scale into `dst` at `offset`. */
export function scaleInto(raw: Uint8Array, scale: number, dst: Float32Array, offset: number): void {
  for (let i = 0; i < raw.length; i++) dst[offset + i] = raw[i]! * scale
}

/**
 * Steps a set of auto-resetting environments in lock-step, one batched policy forward per step
 * (vectorised rollout). Environments keep their episodes running across iterations, like the
 * reference's worker processes. Returns the episode statistics of the rollout.
 */
export class VectorRollout {
  private readonly logits: Float32Array
  private readonly stepValues: Float32Array
  private readonly episodeReturn: Float64Array
  private readonly episodeLength: Int32Array
  private readonly single: Float32Array
  private readonly singleLogits: Float32Array
  private readonly singleValue = new Float32Array(1)
  private readonly sample = { logProb: 0 }

  constructor(
    readonly envs: readonly AutoResetEnv[],
    readonly observationScale: number,
    private readonly policy: Policy,
    private readonly rng: Prng,
    private readonly gamma: number,
    private readonly bootstrapTruncated: boolean
  ) {
    const n = envs.length
    this.logits = new Float32Array(n * policy.numActions)
    this.stepValues = new Float32Array(n)
    this.episodeReturn = new Float64Array(n)
    this.episodeLength = new Int32Array(n)
    this.single = new Float32Array(policy.inputSize)
    this.singleLogits = new Float32Array(policy.numActions)
    for (const env of envs) env.reset()
  }

  collect(batch: RolloutBatch): RolloutStats {
    const n = this.envs.length
    const inSize = batch.inputSize
    const a = this.policy.numActions
    const stepObs = new Float32Array(n * inSize)
    const episodeReturns: number[] = []
    const episodeLengths: number[] = []
    const episodeEnvs: number[] = []
    this.envs.forEach((env, e) => {
      scaleInto(env.observation, this.observationScale, stepObs, e * inSize)
    })
    for (let t = 0; t < batch.length; t++) {
      this.policy.forward(stepObs, n, this.logits, this.stepValues)
      batch.obs.set(stepObs, t * n * inSize)
      for (let e = 0; e < n; e++) {
        const k = t * n + e
        const action = sampleCategorical(this.logits, e * a, a, this.rng.nextFloat(), this.sample)
        const r = this.envs[e]!.step(action)
        let reward = r.reward
        if (r.truncated && !r.terminated && this.bootstrapTruncated && r.terminalObservation !== null) {
          reward += this.gamma * this.valueOf(r.terminalObservation)
        }
        batch.actions[k] = action
        batch.logProbs[k] = this.sample.logProb
        batch.values[k] = this.stepValues[e]!
        batch.rewards[k] = reward
        batch.dones[k] = r.done ? 1 : 0
        this.episodeReturn[e]! += r.reward
        this.episodeLength[e]!++
        if (r.done) {
          episodeReturns.push(this.episodeReturn[e]!)
          episodeLengths.push(this.episodeLength[e]!)
          episodeEnvs.push(e)
          this.episodeReturn[e] = 0
          this.episodeLength[e] = 0
        }
        scaleInto(r.observation, this.observationScale, stepObs, e * inSize)
      }
    }
    this.policy.forward(stepObs, n, this.logits, batch.lastValues)
    return { episodeReturns, episodeLengths, episodeEnvs }
  }

  private valueOf(raw: Uint8Array): number {
    scaleInto(raw, this.observationScale, this.single, 0)
    this.policy.forward(this.single, 1, this.singleLogits, this.singleValue)
    return this.singleValue[0]!
  }
}

/**
 * GAE(γ, λ) advantages and value targets for a time-major batch. 'gae' targets are Â + V;
 * 'discounted' targets are R_t = r_t + γ(1 − d_t)R_{t+1}, seeded with V(s_T) (the reference).
 */
export function computeAdvantages(
  batch: RolloutBatch,
  gamma: number,
  lambda: number,
  target: 'gae' | 'discounted'
): { advantages: Float32Array; returns: Float32Array } {
  const n = batch.numEnvs
  const total = n * batch.length
  const advantages = new Float32Array(total)
  const returns = new Float32Array(total)
  for (let e = 0; e < n; e++) {
    let nextValue = batch.lastValues[e]!
    let nextAdv = 0
    let nextReturn = batch.lastValues[e]!
    for (let t = batch.length - 1; t >= 0; t--) {
      const k = t * n + e
      const notDone = batch.dones[k] === 1 ? 0 : 1
      const delta = batch.rewards[k]! + gamma * notDone * nextValue - batch.values[k]!
      nextAdv = delta + gamma * lambda * notDone * nextAdv
      advantages[k] = nextAdv
      nextReturn = batch.rewards[k]! + gamma * notDone * nextReturn
      returns[k] = target === 'gae' ? nextAdv + batch.values[k]! : nextReturn
      nextValue = batch.values[k]!
    }
  }
  return { advantages, returns }
}

/** In place: (x − mean)/(std + 1e-6). */
export function normalizeInPlace(x: Float32Array): void {
  const n = x.length
  if (n === 0) return
  let mean = 0
  for (let i = 0; i < n; i++) mean += x[i]!
  mean /= n
  let ss = 0
  for (let i = 0; i < n; i++) ss += (x[i]! - mean) ** 2
  // torch.Tensor.std() is the unbiased estimator (the reference normalises with it).
  const std = Math.sqrt(ss / Math.max(1, n - 1))
  for (let i = 0; i < n; i++) x[i] = (x[i]! - mean) / (std + 1e-6)
}
