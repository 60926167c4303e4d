import type { Backbone } from './backbone.js'
import { internalLayers, maskedWeights, toInternal, type InternalLayer } from './layout.js'

/** Batched inference of the actor-critic for one mask (rollouts, evaluation, greedy actions). */
export interface Policy {
  readonly inputSize: number
  readonly numActions: number
  forward(obs: Float32Array, batch: number, logits: Float32Array, values: Float32Array): void
  /** Installs scores in wire layout (row-major [out][in] per wire layer). */
  setWireScores(scores: readonly Float32Array[]): void
  /** Drops the installed weights (frees tensors where there are any). */
  release(): void
}

/**
 * Inference in plain JavaScript over cached effective weights E = W ⊙ 1[S >= 0] (internal
 * [in][out] layout), skipping zero inputs. Measured slower than the tfjs path here (see
 * bench/learner.bench.ts: ~250 µs vs ~20 µs per sample at batch 4 on wasm), so the learner uses
 * TfPolicy for rollouts and evaluations. This one needs no backend and allocates no tensors: it
 * serves greedyActions (the same answer for the same mask on every node) and is the independent
 * reference the tests compare TfPolicy with.
 */
export class JsPolicy implements Policy {
  readonly layers: readonly InternalLayer[]
  readonly inputSize: number
  readonly numActions: number
  private readonly weights: Float32Array[]
  private effective: Float32Array[] | null = null
  private readonly buffers: Float32Array[]
  private capacity = 0

  constructor(backbone: Backbone) {
    this.layers = internalLayers(backbone)
    this.inputSize = backbone.inputSize
    this.numActions = backbone.numActions
    this.weights = toInternal(this.layers, backbone.weights)
    this.buffers = this.layers.map(() => new Float32Array(0))
  }

  /** Installs effective scores (internal layout, as MaskedNet.readEffectiveInternal returns). */
  setInternalScores(scores: readonly Float32Array[]): void {
    this.effective = this.layers.map((_, j) => maskedWeights(this.weights[j]!, scores[j]!))
  }

  /** Installs scores in wire layout (row-major [out][in] per wire layer). */
  setWireScores(scores: readonly Float32Array[]): void {
    this.setInternalScores(toInternal(this.layers, scores))
  }

  release(): void {
    this.effective = null
  }

  forward(obs: Float32Array, batch: number, logits: Float32Array, values: Float32Array): void {
    const effective = this.effective
    if (effective === null) throw new Error('JsPolicy: no scores installed')
    this.ensureCapacity(batch)
    let input = obs
    const last = this.layers.length - 1
    for (let j = 0; j <= last; j++) {
      const layer = this.layers[j]!
      const e = effective[j]!
      const out = this.buffers[j]!
      const nIn = layer.inSize
      const nOut = layer.outSize
      out.fill(0, 0, batch * nOut)
      for (let b = 0; b < batch; b++) {
        const xOff = b * nIn
        const yOff = b * nOut
        for (let i = 0; i < nIn; i++) {
          const xi = input[xOff + i]!
          if (xi === 0) continue
          const row = i * nOut
          for (let o = 0; o < nOut; o++) out[yOff + o]! += xi * e[row + o]!
        }
        if (layer.relu) {
          for (let o = 0; o < nOut; o++) if (out[yOff + o]! < 0) out[yOff + o] = 0
        }
      }
      input = out
    }
    const a = this.numActions
    const heads = this.layers[last]!.outSize
    for (let b = 0; b < batch; b++) {
      for (let k = 0; k < a; k++) logits[b * a + k] = input[b * heads + k]!
      values[b] = input[b * heads + a]!
    }
  }

  private ensureCapacity(batch: number): void {
    if (batch <= this.capacity) return
    this.capacity = batch
    this.layers.forEach((l, j) => {
      this.buffers[j] = new Float32Array(batch * l.outSize)
    })
  }
}

/** Index of the largest logit (the first one on ties). */
export function argmax(values: ArrayLike<number>, offset: number, n: number): number {
  let best = 0
  let bestValue = values[offset]!
  for (let k = 1; k < n; k++) {
    const v = values[offset + k]!
    if (v > bestValue) {
      best = k
      bestValue = v
    }
  }
  return best
}

/**
 * Samples an action from softmax(logits[offset .. offset+n)) with a uniform draw u in [0, 1);
 * returns the action and writes its log-probability and the policy entropy into `out`.
 */
export function sampleCategorical(
  logits: ArrayLike<number>,
  offset: number,
  n: number,
  u: number,
  out: { logProb: number }
): number {
  let max = -Infinity
  for (let k = 0; k < n; k++) max = Math.max(max, logits[offset + k]!)
  let sum = 0
  for (let k = 0; k < n; k++) sum += Math.exp(logits[offset + k]! - max)
  const logSum = Math.log(sum) + max
  let target = u * sum
  let action = n - 1
  for (let k = 0; k < n; k++) {
    target -= Math.exp(logits[offset + k]! - max)
    if (target < 0) {
      action = k
      break
    }
  }
  out.logProb = logits[offset + action]! - logSum
  return action
}
