import * as tf from '@tensorflow/tfjs'
import type { InternalLayer } from './layout.js'
import { toInternal } from './layout.js'

/**
 * Close-to-init training: keeps the current task's mask near the task's reproducible initial mask
 * (the DELTA base, docs/delta-encoding.md §2), so the mask a node shares differs from that base
 * in fewer weights and its DELTA encoding is smaller.
 *
 * Rules (exploratory; the measurements pick one):
 *  - 'hinge' λ: adds λ·Σ max(0, −s·σ₀) to the loss, σ₀ = +1 where the weight starts on, −1 where
 *    it starts off. Its gradient, −λ·σ₀ on a flipped score and 0 elsewhere, equals
 *    (λ/2)·(sign(s) − σ₀) (sign(0) = 0 sits inside the kink's subgradient [−λ, 0]·σ₀).
 *  - 'l2' λ: adds (λ/2)·Σ (s − s₀)²; gradient λ·(s − s₀).
 * Under Adam a score whose policy gradient is small noise is moved by the penalty alone, back
 * towards its starting side; a score the policy needs (|∂L/∂s| > λ) still flips.
 */
export type AnchorRule = { readonly kind: 'hinge' | 'l2' | 'l1'; readonly lambda: number }

export class MaskAnchor {
  /** Per internal layer: the constant term of the gradient (−(λ/2)·σ₀ for hinge, −λ·s₀ for l2). */
  private readonly offsets: tf.Tensor2D[]

  /**
   * `initialWire`: the task's initial scores in wire layout (masks/score-init.ts). Only their
   * signs matter to 'hinge' (σ₀ = +1 where s₀ ≥ 0, as the mask's bit).
   */
  constructor(
    readonly rule: AnchorRule,
    layers: readonly InternalLayer[],
    initialWire: readonly Float32Array[]
  ) {
    const internal = toInternal(layers, initialWire)
    this.offsets = layers.map((l, j) => {
      const s0 = internal[j]!
      const c = new Float32Array(s0.length)
      if (rule.kind === 'hinge') {
        const h = rule.lambda / 2
        for (let k = 0; k < c.length; k++) c[k] = s0[k]! >= 0 ? -h : h
      } else if (rule.kind === 'l1') {
        c.set(s0)
      } else {
        for (let k = 0; k < c.length; k++) c[k] = -rule.lambda * s0[k]!
      }
      return tf.keep(tf.tensor2d(c, [l.inSize, l.outSize]))
    })
  }

  /** The score gradients plus the penalty's gradient at `scores` (one [in, out] per internal layer). Call inside tf.tidy. */
  addGradient(scores: readonly tf.Tensor[], grads: readonly tf.Tensor[]): tf.Tensor[] {
    const r = this.rule
    return grads.map((g, j) => {
      const s = scores[j]!
      if (r.kind === 'l1') return tf.add(g, tf.mul(tf.sign(tf.sub(s, this.offsets[j]!)), r.lambda))
      const own = r.kind === 'hinge' ? tf.mul(tf.sign(s), r.lambda / 2) : tf.mul(s, r.lambda)
      return tf.addN([g, own, this.offsets[j]!])
    })
  }

  dispose(): void {
    for (const t of this.offsets) t.dispose()
    this.offsets.length = 0
  }
}

/** The penalty itself, in float64 over wire-layout arrays (tests, and the size of the term in a loss). */
export function anchorPenalty(
  rule: AnchorRule,
  scores: readonly ArrayLike<number>[],
  initial: readonly ArrayLike<number>[]
): number {
  let sum = 0
  scores.forEach((s, i) => {
    const s0 = initial[i]!
    for (let k = 0; k < s.length; k++) {
      if (rule.kind === 'hinge') sum += Math.max(0, -s[k]! * (s0[k]! >= 0 ? 1 : -1))
      else if (rule.kind === 'l1') sum += Math.abs(s[k]! - s0[k]!)
      else sum += 0.5 * (s[k]! - s0[k]!) ** 2
    }
  })
  return rule.lambda * sum
}
