import * as tf from '@tensorflow/tfjs'

/**
 * Optimizers for the current task's parameters, following torch's definitions (the reference is
 * torch: RMSprop divides by sqrt(v) + ε; Adam is bias-corrected with ε outside the sqrt). The caller
 * computes the global gradient norm over all parameters and passes the clip factor `scale`, so
 * clipping costs no extra pass. Two implementations of the same maths: one on the device for the
 * flat score vector, one in JS for the LC/BLC betas (a handful of numbers per layer).
 */
export type OptimizerConfig =
  | { readonly kind: 'rmsprop'; readonly lr: number; readonly alpha?: number; readonly eps?: number }
  | {
      readonly kind: 'adam'
      readonly lr: number
      readonly beta1?: number
      readonly beta2?: number
      readonly eps?: number
    }

/** torch clip_grad_norm_: gradients are multiplied by max / (norm + 1e-6) when that is below 1. */
export function clipScale(norm: number, maxNorm: number): number {
  return Math.min(1, maxNorm / (norm + 1e-6))
}

/** Optimizer state for a list of tf variables. */
export class DeviceOptimizer {
  private first: tf.Variable[] = []
  private second: tf.Variable[] = []
  private steps = 0

  constructor(
    readonly config: OptimizerConfig,
    private readonly params: readonly tf.Variable[]
  ) {
    if (!(config.lr > 0)) throw new RangeError(`learning rate must be > 0, got ${config.lr}`)
    this.second = params.map(p => tf.tidy(() => tf.variable(tf.zerosLike(p), false)))
    if (config.kind === 'adam') this.first = params.map(p => tf.tidy(() => tf.variable(tf.zerosLike(p), false)))
  }

  /** One step with gradients scale·grads[i]; `gradsSquared[i]` is grads[i]² (already computed for the norm). */
  apply(grads: readonly tf.Tensor[], gradsSquared: readonly tf.Tensor[], scale: number): void {
    this.steps++
    this.params.forEach((p, i) => {
      this.applyOne(p, this.second[i]!, this.first[i], grads[i]!, gradsSquared[i]!, scale)
    })
  }

  private applyOne(
    p: tf.Variable,
    v: tf.Variable,
    m: tf.Variable | undefined,
    grad: tf.Tensor,
    gradSquared: tf.Tensor,
    scale: number
  ): void {
    const cfg = this.config
    tf.tidy(() => {
      if (cfg.kind === 'rmsprop') {
        const alpha = cfg.alpha ?? 0.99
        const v1 = tf.add(tf.mul(v, alpha), tf.mul(gradSquared, (1 - alpha) * scale * scale))
        v.assign(v1)
        p.assign(tf.sub(p, tf.div(tf.mul(grad, cfg.lr * scale), tf.add(tf.sqrt(v1), cfg.eps ?? 1e-8))))
      } else {
        const b1 = cfg.beta1 ?? 0.9
        const b2 = cfg.beta2 ?? 0.999
        if (m === undefined) throw new Error('adam state missing')
        const m1 = tf.add(tf.mul(m, b1), tf.mul(grad, (1 - b1) * scale))
        const v1 = tf.add(tf.mul(v, b2), tf.mul(gradSquared, (1 - b2) * scale * scale))
        m.assign(m1)
        v.assign(v1)
        // lr/bc1 · m/(sqrt(v)/sqrt(bc2) + ε) = (lr·sqrt(bc2)/bc1) · m/(sqrt(v) + ε·sqrt(bc2)): one op fewer.
        const bc1 = 1 - b1 ** this.steps
        const rootBc2 = Math.sqrt(1 - b2 ** this.steps)
        const denom = tf.add(tf.sqrt(v1), (cfg.eps ?? 1e-8) * rootBc2)
        p.assign(tf.sub(p, tf.mul(tf.div(m1, denom), (cfg.lr * rootBc2) / bc1)))
      }
    })
  }

  dispose(): void {
    for (const v of [...this.first, ...this.second]) v.dispose()
    this.first = []
    this.second = []
  }
}

/** The same optimizer for small float64 parameter arrays kept in JS. */
export class JsOptimizer {
  private readonly first: Float64Array[]
  private readonly second: Float64Array[]
  private steps = 0

  constructor(
    readonly config: OptimizerConfig,
    private readonly params: Float64Array[]
  ) {
    this.first = params.map(p => new Float64Array(p.length))
    this.second = params.map(p => new Float64Array(p.length))
  }

  apply(grads: readonly Float64Array[], scale: number): void {
    this.steps++
    const cfg = this.config
    this.params.forEach((p, i) => {
      const g = grads[i]!
      const m = this.first[i]!
      const v = this.second[i]!
      for (let k = 0; k < p.length; k++) {
        const gk = g[k]! * scale
        if (cfg.kind === 'rmsprop') {
          const alpha = cfg.alpha ?? 0.99
          v[k] = alpha * v[k]! + (1 - alpha) * gk * gk
          p[k]! -= (cfg.lr * gk) / (Math.sqrt(v[k]!) + (cfg.eps ?? 1e-8))
        } else {
          const b1 = cfg.beta1 ?? 0.9
          const b2 = cfg.beta2 ?? 0.999
          m[k] = b1 * m[k]! + (1 - b1) * gk
          v[k] = b2 * v[k]! + (1 - b2) * gk * gk
          const denom = Math.sqrt(v[k]!) / Math.sqrt(1 - b2 ** this.steps) + (cfg.eps ?? 1e-8)
          p[k]! -= ((cfg.lr / (1 - b1 ** this.steps)) * m[k]!) / denom
        }
      }
    })
  }
}
