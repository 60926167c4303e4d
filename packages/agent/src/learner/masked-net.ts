import * as tf from '@tensorflow/tfjs'
import { softmax } from '../masks/combine.js'
import type { Backbone } from './backbone.js'
import { internalLayers, toInternal, toWire, type InternalLayer } from './layout.js'
import { maskedDense, maskWeights, type KernelKind, type MaskedDense } from './masked-dense.js'

/**
 * LC/BLC state of a task being learned as a combination of earlier masks (masks/combine.ts):
 * the earlier masks' scores (wire layout, [mask][wire layer]) and the initial beta logits per wire
 * layer ([earlier..., new]), or null for a wire layer that uses the new mask alone (all wire layers
 * of one internal layer must agree: the policy and value heads are combined or not together).
 */
export interface Combination {
  readonly earlier: ReadonlyArray<readonly Float32Array[]>
  readonly betaLogits: ReadonlyArray<Float32Array | null>
}

/** One wire layer's share of an internal layer under LC/BLC. */
interface LcBlock {
  readonly wire: number
  readonly col: number
  readonly cols: number
  /** Earlier masks' scores for this block, [t, in·cols] (internal [in][cols] order per row). */
  readonly stack: tf.Tensor2D
  /**
   * The same, transposed ([in·cols, t]), for the beta gradient ⟨G, S_i⟩ = G_row·stackᵀ: as the
   * constant right-hand operand of the product it stays packed by XNNPACK across steps, while
   * stack·G_column would repack the fresh 40,000-value gradient every step.
   */
  readonly stackT: tf.Tensor2D
}

interface LcState {
  readonly t: number
  /** Beta logits per wire layer, [t + 1] each (empty for a layer not combined): trained on the JS side (they are tiny). */
  readonly betas: Float64Array[]
  /** Per internal layer; empty for a layer that is not combined. */
  readonly blocks: LcBlock[][]
}

/** Forward activations kept for a hand-written backward pass, feature-major ([features, B]). */
export interface Activations {
  /** Inputs of each internal layer, transposed: [xᵀ, h1ᵀ, h2ᵀ, h3ᵀ]. */
  readonly inputsT: tf.Tensor2D[]
  /** Output of the heads layer, transposed: [A + 1, B] (logits rows, then the value row). */
  readonly headsT: tf.Tensor2D
}

export class NoTaskLoadedError extends Error {
  constructor() {
    super('no task is loaded into the network')
    this.name = 'NoTaskLoadedError'
  }
}

/**
 * The masked actor-critic on tfjs. The backbone weights are constants; only the loaded (current)
 * task's scores are variables (one per internal layer), so the cost of an update does not depend on
 * how many tasks the learner holds. Under LC/BLC the earlier masks are constants on the device and
 * the betas live on the JS side. (One flat variable sliced per layer would save optimizer ops, but
 * the wasm backend's slice copies its whole input on every call: ~250 µs per slice here.)
 */
export class MaskedNet {
  readonly layers: readonly InternalLayer[]
  readonly numActions: number
  readonly weights: readonly tf.Tensor2D[]
  private readonly kernels = new Map<KernelKind, MaskedDense[]>()
  private params: Array<tf.Variable<tf.Rank.R2>> | null = null
  private lc: LcState | null = null

  constructor(readonly backbone: Backbone) {
    this.layers = internalLayers(backbone)
    this.numActions = backbone.numActions
    const internalW = toInternal(this.layers, backbone.weights)
    this.weights = this.layers.map((l, j) => tf.keep(tf.tensor2d(internalW[j]!, [l.inSize, l.outSize])))
  }

  /** Installs a task's scores (wire layout) as fresh variables, replacing any loaded task. */
  load(wireScores: readonly Float32Array[], combination: Combination | null = null): void {
    this.unload()
    const internal = toInternal(this.layers, wireScores)
    // tidy frees the initial-value tensors; variables survive it.
    this.params = tf.tidy(() =>
      this.layers.map(
        (l, j) => tf.variable(tf.tensor2d(internal[j]!, [l.inSize, l.outSize]), true) as tf.Variable<tf.Rank.R2>
      )
    )
    if (combination !== null && combination.earlier.length > 0) this.lc = this.buildLc(combination)
  }

  private buildLc(c: Combination): LcState {
    const t = c.earlier.length
    const earlierInternal = c.earlier.map(m => toInternal(this.layers, m))
    const blocks = this.layers
      .map((layer, j) => {
        const combined = layer.blocks.map(b => c.betaLogits[b.wire] != null)
        if (combined.some(x => x !== combined[0]))
          throw new RangeError(`internal layer ${j}: its wire layers must all be combined or all not`)
        return combined[0] === true ? layer.blocks : []
      })
      .map((layerBlocks, j) =>
        layerBlocks.map(block => {
          const layer = this.layers[j]!
          const n = layer.inSize * block.cols
          const stack = new Float32Array(t * n)
          earlierInternal.forEach((m, i) => {
            const src = m[j]!
            for (let r = 0; r < layer.inSize; r++) {
              for (let o = 0; o < block.cols; o++)
                stack[i * n + r * block.cols + o] = src[r * layer.outSize + block.col + o]!
            }
          })
          const stackTensor = tf.keep(tf.tensor2d(stack, [t, n]))
          return {
            wire: block.wire,
            col: block.col,
            cols: block.cols,
            stack: stackTensor,
            stackT: tf.keep(tf.transpose(stackTensor))
          }
        })
      )
    const betas = c.betaLogits.map((logits, wire) => {
      if (logits === null) return new Float64Array(0)
      if (logits.length !== t + 1)
        throw new RangeError(`wire layer ${wire}: ${logits.length} beta logits for ${t} earlier masks`)
      return Float64Array.from(logits)
    })
    return { t, betas, blocks }
  }

  get loaded(): boolean {
    return this.params !== null
  }

  get hasCombination(): boolean {
    return this.lc !== null
  }

  /** The loaded task's score variables, one [in, out] per internal layer. */
  get scores(): Array<tf.Variable<tf.Rank.R2>> {
    if (this.params === null) throw new NoTaskLoadedError()
    return this.params
  }

  /** Beta logits per wire layer (live arrays, updated in place by the trainer), or null. */
  get betas(): Float64Array[] | null {
    return this.lc?.betas ?? null
  }

  /** softmax(β) per wire layer ([0, …, 0, 1] for a layer not combined), or null without a combination. */
  combinationWeights(): Float64Array[] | null {
    const lc = this.lc
    if (lc === null) return null
    return lc.betas.map(b => {
      if (b.length > 0) return softmax(b)
      const own = new Float64Array(lc.t + 1)
      own[lc.t] = 1
      return own
    })
  }

  /** Whether internal layer j is a combination (LC/BLC active and the layer combined). */
  isCombined(j: number): boolean {
    return (this.lc?.blocks[j]?.length ?? 0) > 0
  }

  /**
   * Effective scores of internal layer j as [in, out]: the slice of the flat variable, or under
   * LC/BLC Σ_{i<t} a_i·S_i + a_t·S_t with a = softmax(β) per wire layer. Call inside tf.tidy.
   */
  effectiveLayer(j: number): tf.Tensor2D {
    const s = this.scores[j]!
    const lc = this.lc
    if (lc === null || lc.blocks[j]!.length === 0) return s
    const { base, coef } = this.combinationParts(j, lc)
    return tf.add(base, tf.mul(s, coef))
  }

  /**
   * For LC/BLC layer j: the constant part Σ_{i<t} a_i·S_i ([in, out]) and the new mask's
   * coefficient a_t (a scalar, or a [1, out] row when the layer holds several wire layers).
   */
  combinationParts(j: number, lc: LcState = this.requireLc()): { base: tf.Tensor2D; coef: tf.Tensor } {
    const layer = this.layers[j]!
    const bases = lc.blocks[j]!.map(block => {
      const a = softmax(lc.betas[block.wire]!)
      const earlier = tf.matMul(tf.tensor2d(Float32Array.from(a.subarray(0, lc.t)), [1, lc.t]), block.stack)
      return tf.reshape(earlier, [layer.inSize, block.cols]) as tf.Tensor2D
    })
    return { base: bases.length === 1 ? bases[0]! : tf.concat(bases, 1), coef: this.combinationCoef(j, lc) }
  }

  /** The new mask's coefficient a_t for internal layer j (see combinationParts). */
  combinationCoef(j: number, lc: LcState = this.requireLc()): tf.Tensor {
    const blocks = lc.blocks[j]!
    if (blocks.length === 1) return tf.scalar(softmax(lc.betas[blocks[0]!.wire]!)[lc.t]!)
    const coefs: number[] = []
    for (const block of blocks) {
      const at = softmax(lc.betas[block.wire]!)[lc.t]!
      for (let o = 0; o < block.cols; o++) coefs.push(at)
    }
    return tf.tensor2d(coefs, [1, this.layers[j]!.outSize])
  }

  /** Effective masked weights W ⊙ 1[S_eff >= 0] for every internal layer. Call inside tf.tidy. */
  effectiveWeights(): tf.Tensor2D[] {
    return this.layers.map((_, j) => maskWeights(this.weights[j]!, this.effectiveLayer(j)))
  }

  /**
   * Plain forward pass, feature-major: hᵀ_{j+1} = relu(E_jᵀ·hᵀ_j), from the transposed effective
   * weights and the transposed input [in, B]. Feature-major because the wasm backend (XNNPACK)
   * packs the right-hand matrix of every product whose operand it has not seen before: with the
   * activations on the right that is a 200×B matrix instead of a 200×200 weight matrix (a product
   * costs ~190 µs instead of ~340 µs at B = 32). Call inside tf.tidy.
   */
  forwardFeatureMajor(weightsT: readonly tf.Tensor2D[], xT: tf.Tensor2D): Activations {
    const inputsT: tf.Tensor2D[] = [xT]
    let h = xT
    const last = this.layers.length - 1
    for (let j = 0; j < last; j++) {
      h = tf.relu(tf.matMul(weightsT[j]!, h))
      inputsT.push(h)
    }
    return { inputsT, headsT: tf.matMul(weightsT[last]!, h) }
  }

  /**
   * Forward pass through the tf.customGrad masked-dense kernel ('fused') or plain autodiff
   * ('autodiff'), for training with a gradient tape (benchmarks, gradient tests). No LC/BLC.
   * Call inside tf.tidy.
   */
  forwardTape(x: tf.Tensor2D, kernel: KernelKind): { logits: tf.Tensor2D; value: tf.Tensor1D } {
    if (this.lc !== null) throw new Error('forwardTape does not support LC/BLC combinations')
    let dense = this.kernels.get(kernel)
    if (dense === undefined) {
      dense = this.weights.map((w, j) => maskedDense(kernel, w, j > 0))
      this.kernels.set(kernel, dense)
    }
    let h = x
    const last = this.layers.length - 1
    for (let j = 0; j < last; j++) h = tf.relu(dense[j]!(h, this.effectiveLayer(j)))
    const out = dense[last]!(h, this.effectiveLayer(last))
    const a = this.numActions
    return { logits: tf.slice(out, [0, 0], [-1, a]), value: tf.reshape(tf.slice(out, [0, a], [-1, 1]), [-1]) }
  }

  /** Effective scores of every internal layer, read back ([in][out] layout). */
  readEffectiveInternal(): Float32Array[] {
    return this.layers.map((_, j) => {
      // A layer that is not a combination is the variable itself: read it, never dispose it.
      if (!this.isCombined(j)) return Float32Array.from(this.scores[j]!.dataSync() as Float32Array)
      const t = tf.tidy(() => this.effectiveLayer(j))
      const data = Float32Array.from(t.dataSync() as Float32Array)
      t.dispose()
      return data
    })
  }

  /** Effective scores in wire layout: the loaded task's mask as it is now (self-contained). */
  readEffectiveWire(): Float32Array[] {
    return toWire(this.layers, this.readEffectiveInternal(), this.backbone.layers.length)
  }

  unload(): void {
    for (const v of this.params ?? []) v.dispose()
    this.params = null
    for (const blocks of this.lc?.blocks ?? [])
      for (const b of blocks) {
        b.stack.dispose()
        b.stackT.dispose()
      }
    this.lc = null
  }

  dispose(): void {
    this.unload()
    for (const w of this.weights) w.dispose()
  }

  /** LC state (throws without one); used by the trainer's backward pass. */
  requireLc(): LcState {
    if (this.lc === null) throw new Error('no LC/BLC combination is active')
    return this.lc
  }
}

export type { LcState, LcBlock }
