import * as tf from '@tensorflow/tfjs'
import { softmax } from '../masks/combine.js'
import type { Prng } from '../rng/prng.js'
import type { PpoConfig } from './hyperparams.js'
import type { KernelKind } from './masked-dense.js'
import type { MaskedNet } from './masked-net.js'
import type { MaskAnchor } from './mask-anchor.js'
import { clipScale, DeviceOptimizer, JsOptimizer } from './optimizer.js'
import { computeAdvantages, normalizeInPlace, type RolloutBatch } from './rollout.js'

/**
 * How gradients are computed:
 *  - 'manual' (what the learner trains with): a hand-derived backward pass for the whole PPO step. The loss and its
 *    gradient with respect to the network's [B, A+1] output are computed in JS (a few hundred
 *    numbers), then propagated through the layers with explicit transposes, and the straight-through
 *    score gradient is (xᵀ·dy) ⊙ W. About 60 tfjs ops per step instead of ~275 through the tape,
 *    which is what costs time at these sizes. Supports LC/BLC (manualGradients).
 *  - 'fused': tf.variableGrads over the tf.customGrad masked-dense kernel (docs/dependencies.md §4.2).
 *  - 'autodiff': tf.variableGrads over plain ops (matMul gradients with transpose flags).
 * All three give the same gradient (tested). 'fused' and 'autodiff' (tapeGradients) are the
 * references the tests compare with and the alternatives bench/learner.bench.ts measures; they do
 * not support LC/BLC, and the learner does not use them.
 */
export type GradientMode = 'manual' | KernelKind

export interface UpdateStats {
  /** Gradient steps taken. */
  readonly gradientSteps: number
  /** Means over the minibatches of this update (before each step). */
  readonly loss: number
  readonly policyLoss: number
  readonly valueLoss: number
  readonly entropy: number
  /** Mean global gradient norm before clipping. */
  readonly gradNorm: number
  /** Fraction of samples whose probability ratio was outside the clip range. */
  readonly clipFraction: number
  /** Mean of (old log-prob − new log-prob) over the samples: an estimate of KL(old‖new). */
  readonly approxKl: number
}

/** A minibatch in JS arrays. */
export interface Minibatch {
  readonly size: number
  /** Scaled observations [size][in]. */
  readonly obs: Float32Array
  readonly actions: Int32Array
  readonly oldLogProbs: Float32Array
  readonly advantages: Float32Array
  readonly returns: Float32Array
}

export interface LossParts {
  loss: number
  policyLoss: number
  valueLoss: number
  entropy: number
  clipped: number
  approxKl: number
}

/**
 * The PPO loss (docs/reference-fidelity.md §2.2), in float64 from the network output `heads`
 * ([B][A+1]: logits, then value):
 *   L = −mean(min(r·Â, clip(r, 1−ε, 1+ε)·Â)) − c_H·mean(H) + c_V·mean((R − V)²)
 * and, when `dHeads` is given, its gradient with respect to `heads`:
 *   logits: −(Â·r/B)·1[unclipped term is the min]·(onehot(a) − p) + (c_H/B)·p ⊙ (log p + H)
 *   value:  2·c_V·(V − R)/B
 */
export function ppoLossAndGradient(
  heads: ArrayLike<number>,
  mb: Minibatch,
  numActions: number,
  config: PpoConfig,
  dHeads: Float32Array | null
): LossParts {
  const a = numActions
  const w = a + 1
  const n = mb.size
  const lo = 1 - config.clipRatio
  const hi = 1 + config.clipRatio
  const logp = new Float64Array(a)
  const parts: LossParts = { loss: 0, policyLoss: 0, valueLoss: 0, entropy: 0, clipped: 0, approxKl: 0 }
  for (let b = 0; b < n; b++) {
    const off = b * w
    let max = -Infinity
    for (let k = 0; k < a; k++) max = Math.max(max, heads[off + k]!)
    let sum = 0
    for (let k = 0; k < a; k++) sum += Math.exp(heads[off + k]! - max)
    const lse = max + Math.log(sum)
    let h = 0
    for (let k = 0; k < a; k++) {
      logp[k] = heads[off + k]! - lse
      h -= Math.exp(logp[k]!) * logp[k]!
    }
    const action = mb.actions[b]!
    const adv = mb.advantages[b]!
    const logRatio = logp[action]! - mb.oldLogProbs[b]!
    const r = Math.exp(logRatio)
    const rc = Math.min(hi, Math.max(lo, r))
    const s1 = r * adv
    const s2 = rc * adv
    const value = heads[off + a]!
    const err = value - mb.returns[b]!
    parts.policyLoss -= Math.min(s1, s2)
    parts.entropy += h
    parts.valueLoss += err * err
    if (r < lo || r > hi) parts.clipped++
    parts.approxKl -= logRatio
    if (dHeads !== null) {
      // The gradient flows through the unclipped term only when it is the smaller one.
      const gLogpA = s1 <= s2 ? (-adv * r) / n : 0
      for (let k = 0; k < a; k++) {
        const p = Math.exp(logp[k]!)
        const dPolicy = gLogpA * ((k === action ? 1 : 0) - p)
        const dEntropy = (config.entropyCoef / n) * p * (logp[k]! + h)
        dHeads[off + k] = dPolicy + dEntropy
      }
      dHeads[off + a] = (2 * config.valueLossCoef * err) / n
    }
  }
  parts.policyLoss /= n
  parts.entropy /= n
  parts.valueLoss /= n
  parts.clipped /= n
  parts.approxKl /= n
  parts.loss = parts.policyLoss - config.entropyCoef * parts.entropy + config.valueLossCoef * parts.valueLoss
  return parts
}

/** The same loss as tf ops over the network output, for the gradient-tape modes. Call inside a tape. */
export function ppoLossTensor(
  logits: tf.Tensor2D,
  value: tf.Tensor1D,
  mb: Minibatch,
  numActions: number,
  config: PpoConfig
): tf.Scalar {
  const oneHot = tf.oneHot(tf.tensor1d(mb.actions, 'int32'), numActions).toFloat()
  const adv = tf.tensor1d(mb.advantages)
  const logp = tf.logSoftmax(logits)
  const ratio = tf.exp(tf.sub(tf.sum(tf.mul(logp, oneHot), 1), tf.tensor1d(mb.oldLogProbs)))
  const surrogate = tf.minimum(
    tf.mul(ratio, adv),
    tf.mul(tf.clipByValue(ratio, 1 - config.clipRatio, 1 + config.clipRatio), adv)
  )
  const entropy = tf.neg(tf.mean(tf.sum(tf.mul(tf.exp(logp), logp), 1)))
  const valueLoss = tf.mean(tf.squaredDifference(tf.tensor1d(mb.returns), value))
  return tf.add(
    tf.sub(tf.neg(tf.mean(surrogate)), tf.mul(entropy, config.entropyCoef)),
    tf.mul(valueLoss, config.valueLossCoef)
  ) as tf.Scalar
}

/** Gradients of one minibatch: per-layer score gradients (on the device) and the LC/BLC beta gradients. */
export interface Gradients {
  readonly scores: tf.Tensor[]
  readonly betas: Float64Array[] | null
  readonly loss: LossParts
}

/**
 * Manual backward pass (see GradientMode), feature-major (see MaskedNet.forwardFeatureMajor) so
 * that every matrix product's freshly computed right-hand operand is a small [features, B] or
 * [B, features] matrix. Returns tensors owned by the caller's tidy scope.
 */
export function manualGradients(net: MaskedNet, mb: Minibatch, config: PpoConfig): Gradients {
  const a = net.numActions
  const n = mb.size
  const inSize = net.layers[0]!.inSize
  const weights = net.effectiveWeights()
  const weightsT = weights.map(e => tf.transpose(e))
  const act = net.forwardFeatureMajor(weightsT, tf.tensor2d(transposeRows(mb.obs, n, inSize), [inSize, n]))
  const heads = transposeRows(act.headsT.dataSync() as Float32Array, a + 1, n)
  const dHeads = new Float32Array(n * (a + 1))
  const loss = ppoLossAndGradient(heads, mb, a, config, dHeads)
  let dzT: tf.Tensor2D = tf.tensor2d(transposeRows(dHeads, n, a + 1), [a + 1, n])
  const last = net.layers.length - 1
  // dE_j = h_jᵀ·dz_j ([in, out]): the gradient with respect to the effective weights of layer j.
  const dE: tf.Tensor2D[] = new Array<tf.Tensor2D>(net.layers.length)
  for (let j = last; j >= 0; j--) {
    const inputT = act.inputsT[j]!
    dE[j] = tf.matMul(inputT, tf.transpose(dzT))
    // dh_jᵀ = E_j·dz_jᵀ, through the ReLU that produced h_j.
    if (j > 0) dzT = tf.mul(tf.matMul(weights[j]!, dzT), tf.step(inputT))
  }
  if (!net.hasCombination) {
    // Straight-through: ∂L/∂S = ∂L/∂E ⊙ W.
    return { scores: dE.map((g, j) => tf.mul(g, net.weights[j]!)), betas: null, loss }
  }
  return { ...combinationGradients(net, dE), loss }
}

/** A [rows, cols] row-major matrix transposed to [cols, rows]. */
function transposeRows(m: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols)
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c]!
  return out
}

/**
 * LC/BLC: with S_eff = Σ_{i<t} a_i·S_i + a_t·S_t and G = ∂L/∂S_eff = ∂L/∂E ⊙ W per layer:
 * ∂L/∂S_t = a_t·G, ∂L/∂a_i = ⟨G, S_i⟩, ∂L/∂a_t = ⟨G, S_t⟩, and through the softmax
 * ∂L/∂β_k = a_k·(∂L/∂a_k − Σ_i a_i·∂L/∂a_i), per wire layer.
 */
function combinationGradients(
  net: MaskedNet,
  dE: readonly tf.Tensor2D[]
): { scores: tf.Tensor[]; betas: Float64Array[] } {
  const lc = net.requireLc()
  const scoreGrads: tf.Tensor[] = []
  const dots: tf.Tensor[] = []
  const order: number[] = []
  net.layers.forEach((layer, j) => {
    const g = tf.mul(dE[j]!, net.weights[j]!)
    if (!net.isCombined(j)) {
      scoreGrads.push(g)
      return
    }
    scoreGrads.push(tf.mul(g, net.combinationCoef(j, lc)))
    const s = net.scores[j]!
    for (const block of lc.blocks[j]!) {
      const single = lc.blocks[j]!.length === 1
      const gb = single ? g : tf.slice(g, [0, block.col], [layer.inSize, block.cols])
      const sb = single ? s : tf.slice(s, [0, block.col], [layer.inSize, block.cols])
      const earlier = tf.reshape(tf.matMul(tf.reshape(gb, [1, -1]), block.stackT), [-1])
      dots.push(tf.concat([earlier, tf.reshape(tf.sum(tf.mul(gb, sb)), [1])]))
      order.push(block.wire)
    }
  })
  const all = dots.length === 0 ? new Float32Array(0) : tf.concat(dots).dataSync()
  const betas: Float64Array[] = lc.betas.map(b => new Float64Array(b.length))
  const n = lc.t + 1
  order.forEach((wire, k) => {
    const aw = softmax(lc.betas[wire]!)
    let mean = 0
    for (let i = 0; i < n; i++) mean += aw[i]! * all[k * n + i]!
    for (let i = 0; i < n; i++) betas[wire]![i] = aw[i]! * (all[k * n + i]! - mean)
  })
  return { scores: scoreGrads, betas }
}

/** Gradient-tape modes ('fused' | 'autodiff'); no LC/BLC. */
export function tapeGradients(net: MaskedNet, mb: Minibatch, config: PpoConfig, kernel: KernelKind): Gradients {
  let heads: Float32Array | null = null
  const { grads } = tf.variableGrads(() => {
    const x = tf.tensor2d(mb.obs, [mb.size, net.layers[0]!.inSize])
    const { logits, value } = net.forwardTape(x, kernel)
    heads = tf.concat([logits, tf.reshape(value, [-1, 1])], 1).dataSync() as Float32Array
    return ppoLossTensor(logits, value, mb, net.numActions, config)
  }, net.scores)
  const loss = ppoLossAndGradient(heads!, mb, net.numActions, config, null)
  return { scores: net.scores.map(v => grads[v.name]!), betas: null, loss }
}

/** The optimizers of the loaded task: device state for the scores, JS state for the betas. */
export class TaskOptimizer {
  private readonly device: DeviceOptimizer
  private readonly js: JsOptimizer | null

  /**
   * `anchor`: the close-to-init penalty (mask-anchor.ts), whose gradient joins the score
   * gradients before clipping and the optimizer, as a term of the loss; null: none.
   */
  constructor(
    readonly net: MaskedNet,
    readonly config: PpoConfig,
    private readonly anchor: MaskAnchor | null = null
  ) {
    this.device = new DeviceOptimizer(config.optimizer, net.scores)
    const betas = net.betas
    this.js = betas === null ? null : new JsOptimizer(config.optimizer, betas)
  }

  /** Clips by the global norm over scores and betas, then steps. Returns the pre-clip norm. */
  step(grads: Gradients): number {
    return tf.tidy(() => {
      const scores = this.anchor === null ? grads.scores : this.anchor.addGradient(this.net.scores, grads.scores)
      const squared = scores.map(g => tf.square(g))
      let sq = 0
      for (const v of tf.stack(squared.map(g => tf.sum(g))).dataSync()) sq += v
      for (const g of grads.betas ?? []) for (const v of g) sq += v * v
      const norm = Math.sqrt(sq)
      const scale = clipScale(norm, this.config.maxGradNorm)
      this.device.apply(scores, squared, scale)
      if (this.js !== null && grads.betas !== null) this.js.apply(grads.betas, scale)
      return norm
    })
  }

  dispose(): void {
    this.device.dispose()
    this.anchor?.dispose()
  }
}

/**
 * One PPO update on a collected batch: GAE advantages, optional normalisation, then `epochs`
 * passes over freshly shuffled minibatches, each a clipped gradient step. Frees every tensor.
 */
export function ppoUpdate(
  net: MaskedNet,
  optimizer: TaskOptimizer,
  batch: RolloutBatch,
  config: PpoConfig,
  rng: Prng
): UpdateStats {
  const { advantages, returns } = computeAdvantages(batch, config.gamma, config.gaeLambda, config.valueTarget)
  if (config.normalizeAdvantages) normalizeInPlace(advantages)
  const total = batch.numEnvs * batch.length
  const inSize = batch.inputSize
  const cap = Math.min(total, config.minibatchSize)
  const mb = {
    size: 0,
    obs: new Float32Array(cap * inSize),
    actions: new Int32Array(cap),
    oldLogProbs: new Float32Array(cap),
    advantages: new Float32Array(cap),
    returns: new Float32Array(cap)
  }
  const sums = { loss: 0, policyLoss: 0, valueLoss: 0, entropy: 0, gradNorm: 0, clipped: 0, approxKl: 0 }
  let steps = 0
  const order = new Int32Array(total)
  for (let i = 0; i < total; i++) order[i] = i
  for (let epoch = 0; epoch < config.epochs; epoch++) {
    shuffle(order, rng)
    for (let start = 0; start < total; start += config.minibatchSize) {
      const size = Math.min(total, start + config.minibatchSize) - start
      for (let b = 0; b < size; b++) {
        const k = order[start + b]!
        mb.obs.set(batch.obs.subarray(k * inSize, (k + 1) * inSize), b * inSize)
        mb.actions[b] = batch.actions[k]!
        mb.oldLogProbs[b] = batch.logProbs[k]!
        mb.advantages[b] = advantages[k]!
        mb.returns[b] = returns[k]!
      }
      const view: Minibatch =
        size === cap
          ? { ...mb, size }
          : {
              size,
              obs: mb.obs.subarray(0, size * inSize),
              actions: mb.actions.subarray(0, size),
              oldLogProbs: mb.oldLogProbs.subarray(0, size),
              advantages: mb.advantages.subarray(0, size),
              returns: mb.returns.subarray(0, size)
            }
      const out: { loss?: LossParts; norm: number } = { norm: 0 }
      tf.tidy(() => {
        const grads = manualGradients(net, view, config)
        out.loss = grads.loss
        out.norm = optimizer.step(grads)
      })
      const loss = out.loss!
      const norm = out.norm
      sums.loss += loss.loss
      sums.policyLoss += loss.policyLoss
      sums.valueLoss += loss.valueLoss
      sums.entropy += loss.entropy
      sums.clipped += loss.clipped
      sums.approxKl += loss.approxKl
      sums.gradNorm += norm
      steps++
    }
  }
  const m = Math.max(1, steps)
  return {
    gradientSteps: steps,
    loss: sums.loss / m,
    policyLoss: sums.policyLoss / m,
    valueLoss: sums.valueLoss / m,
    entropy: sums.entropy / m,
    gradNorm: sums.gradNorm / m,
    clipFraction: sums.clipped / m,
    approxKl: sums.approxKl / m
  }
}

/** Fisher–Yates shuffle with the learner's PRNG. */
export function shuffle(a: Int32Array, rng: Prng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1)
    const t = a[i]!
    a[i] = a[j]!
    a[j] = t
  }
}
