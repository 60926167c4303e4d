import * as tf from '@tensorflow/tfjs'
import type { Backbone } from './backbone.js'
import { internalLayers, maskedWeights, toInternal, type InternalLayer } from './layout.js'
import type { MaskedNet } from './masked-net.js'
import type { Policy } from './policy-js.js'

/**
 * Inference on tfjs over cached effective weights E_j = W_j ⊙ 1[S_j >= 0] (kept tensors,
 * recomputed only when the mask changes, i.e. once per PPO iteration). One upload, a few matMuls
 * and one read per batched step: on wasm ~60 µs for one observation and ~20 µs per observation
 * at batch 4, against ~250 µs per observation for the JS loops (bench/learner.bench.ts).
 */
export class TfPolicy implements Policy {
  readonly layers: readonly InternalLayer[]
  readonly inputSize: number
  readonly numActions: number
  private readonly backboneWeights: Float32Array[]
  private effective: tf.Tensor2D[] | null = null

  constructor(backbone: Backbone) {
    this.layers = internalLayers(backbone)
    this.inputSize = backbone.inputSize
    this.numActions = backbone.numActions
    this.backboneWeights = toInternal(this.layers, backbone.weights)
  }

  /** Takes the loaded task's current effective weights from the network (no read-back). */
  setFromNet(net: MaskedNet): void {
    const next = tf.tidy(() => net.effectiveWeights())
    this.release()
    this.effective = next.map(t => tf.keep(t))
  }

  setWireScores(scores: readonly Float32Array[]): void {
    const internal = toInternal(this.layers, scores)
    const next = this.layers.map((l, j) =>
      tf.tensor2d(maskedWeights(this.backboneWeights[j]!, internal[j]!), [l.inSize, l.outSize])
    )
    this.release()
    this.effective = next
  }

  forward(obs: Float32Array, batch: number, logits: Float32Array, values: Float32Array): void {
    const effective = this.effective
    if (effective === null) throw new Error('TfPolicy: no mask installed')
    const heads = tf.tidy(() => {
      let h = tf.tensor2d(obs.subarray(0, batch * this.inputSize), [batch, this.inputSize])
      const last = effective.length - 1
      for (let j = 0; j < last; j++) h = tf.relu(tf.matMul(h, effective[j]!))
      return tf.matMul(h, effective[last]!)
    })
    const out = heads.dataSync()
    heads.dispose()
    const a = this.numActions
    for (let b = 0; b < batch; b++) {
      for (let k = 0; k < a; k++) logits[b * a + k] = out[b * (a + 1) + k]!
      values[b] = out[b * (a + 1) + a]!
    }
  }

  /** Frees the cached weights. */
  release(): void {
    for (const t of this.effective ?? []) t.dispose()
    this.effective = null
  }
}
