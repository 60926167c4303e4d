import * as tf from '@tensorflow/tfjs'
import { toInternal, type InternalLayer } from './layout.js'

/**
 * Close-to-init training: a penalty that keeps the current task's scores near the task's
 * reproducible initial scores s₀ (masks/score-init.ts), whose signs are the DELTA base
 * (docs/delta-encoding.md §2). A mask that differs from its base in fewer weights has a smaller
 * DELTA encoding. The penalty's gradient joins the score gradients before clipping and the
 * optimizer, as a term of the loss.
 *
 * Why it is needed: Adam divides each score's step by the root mean square of its own gradient,
 * so a score whose gradient is tiny noise still moves about lr per step and, if it starts near
 * 0, flips at random. Rules, all measured (docs/delta-encoding.md §11):
 *  - 'l1' (the default rule): λ·Σ|s − s₀|, gradient λ·sign(s − s₀). Under Adam that is a constant
 *    force towards s₀: a score moves away only while its policy gradient pulls harder than λ on
 *    average, so the deviation from s₀ stays sparse. sign(0) = 0 is the subgradient at s = s₀.
 *  - 'l2': (λ/2)·Σ(s − s₀)², gradient λ·(s − s₀): a pull that grows with the distance travelled.
 *  - 'hinge': λ·Σ max(0, −s·σ₀), σ₀ = +1 where the weight starts on (s₀ ≥ 0), else −1: only a
 *    flipped score is pushed back, with gradient −λ·σ₀ = (λ/2)·(sign(s) − σ₀).
 */
export type AnchorKind = 'l1' | 'l2' | 'hinge'

export const ANCHOR_KINDS: readonly AnchorKind[] = ['l1', 'l2', 'hinge']

export interface AnchorRule {
  readonly kind: AnchorKind
  /** The penalty's weight; > 0 (a learner with λ = 0 builds no anchor). */
  readonly lambda: number
}

export class MaskAnchor {
  /** Per internal layer, a constant: s₀ ('l1'), −λ·s₀ ('l2'), −(λ/2)·σ₀ ('hinge'). */
  private readonly constants: tf.Tensor2D[]

  /** `initialWire`: the task's initial scores in wire layout ([out][in] per wire layer). */
  constructor(
    readonly rule: AnchorRule,
    layers: readonly InternalLayer[],
    initialWire: readonly Float32Array[]
  ) {
    const internal = toInternal(layers, initialWire)
    this.constants = layers.map((l, j) => {
      const s0 = internal[j]!
      const c = new Float32Array(s0.length)
      if (rule.kind === 'l1') c.set(s0)
      else if (rule.kind === 'l2') for (let k = 0; k < c.length; k++) c[k] = -rule.lambda * s0[k]!
      else for (let k = 0; k < c.length; k++) c[k] = s0[k]! >= 0 ? -rule.lambda / 2 : rule.lambda / 2
      return tf.keep(tf.tensor2d(c, [l.inSize, l.outSize]))
    })
  }

  /** `grads` plus the penalty's gradient at `scores` (both one [in, out] per internal layer). Call inside tf.tidy. */
  addGradient(scores: readonly tf.Tensor[], grads: readonly tf.Tensor[]): tf.Tensor[] {
    const { kind, lambda } = this.rule
    return grads.map((g, j) => {
      const s = scores[j]!
      const c = this.constants[j]!
      if (kind === 'l1') return tf.add(g, tf.mul(tf.sign(tf.sub(s, c)), lambda))
      return tf.addN([g, kind === 'l2' ? tf.mul(s, lambda) : tf.mul(tf.sign(s), lambda / 2), c])
    })
  }

  dispose(): void {
    for (const t of this.constants) t.dispose()
    this.constants.length = 0
  }
}

/** The penalty's value, in float64 over matching arrays (any layout): what addGradient differentiates. */
export function anchorPenalty(
  rule: AnchorRule,
  scores: readonly ArrayLike<number>[],
  initial: readonly ArrayLike<number>[]
): number {
  let sum = 0
  scores.forEach((s, i) => {
    const s0 = initial[i]!
    for (let k = 0; k < s.length; k++) {
      if (rule.kind === 'l1') sum += Math.abs(s[k]! - s0[k]!)
      else if (rule.kind === 'l2') sum += 0.5 * (s[k]! - s0[k]!) ** 2
      else sum += Math.max(0, -s[k]! * (s0[k]! >= 0 ? 1 : -1))
    }
  })
  return rule.lambda * sum
}
