import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBackbone, type Backbone } from '../../../src/learner/backbone.js'
import { resolvePpoConfig } from '../../../src/learner/hyperparams.js'
import { toInternal } from '../../../src/learner/layout.js'
import { autodiffMaskedDense, fusedMaskedDense } from '../../../src/learner/masked-dense.js'
import { MaskedNet } from '../../../src/learner/masked-net.js'
import { TfPolicy } from '../../../src/learner/policy-tf.js'
import {
  manualGradients,
  ppoLossAndGradient,
  ppoLossTensor,
  tapeGradients,
  type Minibatch
} from '../../../src/learner/ppo.js'
import { initTfBackend } from '../../../src/learner/tf-backend.js'
import { initialTaskScores } from '../../../src/masks/score-init.js'
import { createPrng, type Prng } from '../../../src/rng/prng.js'

const config = resolvePpoConfig('reference', { entropyCoef: 0.05, clipRatio: 0.1 })

function randomScores(backbone: Backbone, rng: Prng): Float32Array[] {
  return backbone.weights.map(w => Float32Array.from(w, () => rng.nextFloat() - 0.5))
}

/** A minibatch whose old log-probs sit around the current ones, so some ratios are clipped and some not. */
function minibatch(net: MaskedNet, rng: Prng, size: number, inSize: number): Minibatch {
  const obs = Float32Array.from({ length: size * inSize }, () => rng.nextFloat())
  const actions = Int32Array.from({ length: size }, () => rng.nextInt(net.numActions))
  const policy = new TfPolicy(net.backbone)
  policy.setFromNet(net)
  const logits = new Float32Array(size * net.numActions)
  policy.forward(obs, size, logits, new Float32Array(size))
  policy.release()
  const w = net.numActions
  const oldLogProbs = Float32Array.from({ length: size }, (_, b) => {
    let max = -Infinity
    for (let k = 0; k < net.numActions; k++) max = Math.max(max, logits[b * w + k]!)
    let sum = 0
    for (let k = 0; k < net.numActions; k++) sum += Math.exp(logits[b * w + k]! - max)
    return logits[b * w + actions[b]!]! - max - Math.log(sum) + (rng.nextFloat() - 0.5) * 0.6
  })
  return {
    size,
    obs,
    actions,
    oldLogProbs,
    advantages: Float32Array.from({ length: size }, () => rng.nextFloat() * 2 - 1),
    returns: Float32Array.from({ length: size }, () => rng.nextFloat())
  }
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  expect(actual.length).toBe(expected.length)
  let scale = 0
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!))
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(actual[i]! - expected[i]!) > tol * Math.max(scale, 1e-3)) {
      throw new Error(`element ${i}: ${actual[i]} vs ${expected[i]} (scale ${scale})`)
    }
  }
}

beforeAll(async () => {
  await initTfBackend('wasm')
})

describe('masked-dense kernels', () => {
  it('fused customGrad and plain autodiff give the same value and gradients', () => {
    const rng = createPrng(3)
    const w = tf.tensor2d(
      Float32Array.from({ length: 6 * 4 }, () => rng.nextFloat() - 0.5),
      [6, 4]
    )
    const s = tf.tensor2d(
      Float32Array.from({ length: 6 * 4 }, () => rng.nextFloat() - 0.5),
      [6, 4]
    )
    const x = tf.tensor2d(
      Float32Array.from({ length: 5 * 6 }, () => rng.nextFloat()),
      [5, 6]
    )
    const dy = tf.tensor2d(
      Float32Array.from({ length: 5 * 4 }, () => rng.nextFloat() - 0.5),
      [5, 4]
    )
    const run = (f: (x: tf.Tensor2D, s: tf.Tensor2D) => tf.Tensor2D): Float32Array[] =>
      tf.tidy(() => {
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor2D, b as tf.Tensor2D), dy)))([
          x,
          s
        ])
        return [f(x, s).dataSync() as Float32Array, ...g.map(t => t.dataSync() as Float32Array)]
      })
    const fused = run(fusedMaskedDense(w, true))
    const plain = run(autodiffMaskedDense(w))
    fused.forEach((v, i) => {
      expectClose(v, plain[i]!)
    })
    // The straight-through score gradient is (xᵀ·dy) ⊙ W, whether or not the mask is on.
    const expected = tf.tidy(() => tf.mul(tf.matMul(tf.transpose(x), dy), w).dataSync())
    expectClose(fused[2]!, expected)
    tf.dispose([w, s, x, dy])
  })
})

describe('PPO gradients: manual backward vs gradient tape', () => {
  const backbone = createBackbone({ inputSize: 6, numActions: 3, hiddenSizes: [5, 4], seed: 11 })
  let net: MaskedNet

  beforeAll(() => {
    net = new MaskedNet(backbone)
    net.load(randomScores(backbone, createPrng(5)))
  })
  afterAll(() => net.dispose())

  it('the JS loss equals the tf loss', () => {
    const mb = minibatch(net, createPrng(8), 9, 6)
    const { heads, tfLoss } = tf.tidy(() => {
      const { logits, value } = net.forwardTape(tf.tensor2d(mb.obs, [9, 6]), 'fused')
      return {
        heads: tf.concat([logits, tf.reshape(value, [-1, 1])], 1).dataSync(),
        tfLoss: ppoLossTensor(logits, value, mb, 3, config).dataSync()[0]!
      }
    })
    const parts = ppoLossAndGradient(heads, mb, 3, config, null)
    expect(parts.loss).toBeCloseTo(tfLoss, 5)
    expect(parts.clipped).toBeGreaterThan(0)
    expect(parts.clipped).toBeLessThan(1)
  })

  it('manual, fused and autodiff gradients agree', () => {
    const mb = minibatch(net, createPrng(9), 9, 6)
    const read = (mode: 'manual' | 'fused' | 'autodiff'): Float32Array[] =>
      tf.tidy(() => {
        const g = mode === 'manual' ? manualGradients(net, mb, config) : tapeGradients(net, mb, config, mode)
        return g.scores.map(t => t.dataSync() as Float32Array)
      })
    const manual = read('manual')
    const fused = read('fused')
    const autodiff = read('autodiff')
    manual.forEach((m, j) => {
      expectClose(m, autodiff[j]!)
      expectClose(fused[j]!, autodiff[j]!)
    })
    expect(manual.some(m => m.some(v => v !== 0))).toBe(true)
  })
})

describe('LC/BLC gradients', () => {
  const backbone = createBackbone({ inputSize: 6, numActions: 3, hiddenSizes: [5, 4], seed: 12 })

  for (const heads of ['combined', 'own'] as const) {
    it(`manual score and beta gradients equal autodiff through the softmax combination (heads ${heads})`, () => {
      const rng = createPrng(21)
      const earlier = [randomScores(backbone, rng), randomScores(backbone, rng)]
      const betaLogits = backbone.layers.map((_, l) =>
        heads === 'own' && l >= backbone.bodyDepth
          ? null
          : Float32Array.from({ length: 3 }, () => rng.nextFloat() - 0.5)
      )
      const net = new MaskedNet(backbone)
      net.load(randomScores(backbone, rng), { earlier, betaLogits })
      const mb = minibatch(net, createPrng(22), 8, 6)
      const manual = tf.tidy(() => {
        const g = manualGradients(net, mb, config)
        return {
          scores: g.scores.map(t => t.dataSync() as Float32Array),
          betas: g.betas!.map(b => Float32Array.from(b))
        }
      })

      // Reference: the same model written directly as tf ops, differentiated by the tape.
      const layers = net.layers
      const earlierInternal = earlier.map(m => toInternal(layers, m))
      // A layer outside the combination is the new mask alone: logits (−∞, −∞, 0).
      const betaVars = betaLogits.map(b => tf.variable(tf.tensor1d(b ?? Float32Array.of(-1e9, -1e9, 0))))
      const reference = tf.tidy(() => {
        const { grads } = tf.variableGrads(() => {
          let h: tf.Tensor2D = tf.tensor2d(mb.obs, [mb.size, 6])
          let out: tf.Tensor2D | null = null
          layers.forEach((layer, j) => {
            const cols = layer.blocks.map(block => {
              const a = tf.softmax(betaVars[block.wire]!)
              let s: tf.Tensor = tf.mul(
                tf.slice(a, [2], [1]),
                tf.slice(net.scores[j]!, [0, block.col], [layer.inSize, block.cols])
              )
              earlierInternal.forEach((m, i) => {
                const si = tf.slice(
                  tf.tensor2d(m[j]!, [layer.inSize, layer.outSize]),
                  [0, block.col],
                  [layer.inSize, block.cols]
                )
                s = tf.add(s, tf.mul(tf.slice(a, [i], [1]), si))
              })
              return s as tf.Tensor2D
            })
            const sEff = cols.length === 1 ? cols[0]! : tf.concat(cols, 1)
            const y = autodiffMaskedDense(net.weights[j]!)(h, sEff)
            if (layer.relu) h = tf.relu(y)
            else out = y
          })
          const logits = tf.slice(out!, [0, 0], [-1, 3]) as tf.Tensor2D
          const value = tf.reshape(tf.slice(out!, [0, 3], [-1, 1]), [-1]) as tf.Tensor1D
          return ppoLossTensor(logits, value, mb, 3, config)
        }, [...net.scores, ...betaVars])
        return {
          scores: net.scores.map(v => grads[v.name]!.dataSync() as Float32Array),
          betas: betaVars.map(v => grads[v.name]!.dataSync() as Float32Array)
        }
      })
      manual.scores.forEach((g, j) => {
        expectClose(g, reference.scores[j]!, 1e-4)
      })
      manual.betas.forEach((g, l) => {
        if (betaLogits[l] === null) expect(g).toHaveLength(0)
        else expectClose(g, reference.betas[l]!, 1e-4)
      })
      expect(manual.betas.some(b => b.some(v => Math.abs(v) > 1e-6))).toBe(true)
      tf.dispose(betaVars)
      net.dispose()
    })
  }

  it('the effective scores are the softmax-weighted sum of the earlier and the new scores', () => {
    const earlier = [initialTaskScores(backbone, 'a'), initialTaskScores(backbone, 'b')]
    const own = initialTaskScores(backbone, 'c')
    const betaLogits = backbone.layers.map((_, l) => Float32Array.of(0.1 * l, -0.2, 0.3))
    const net = new MaskedNet(backbone)
    net.load(own, { earlier, betaLogits })
    const weights = net.combinationWeights()!
    const eff = net.readEffectiveWire()
    eff.forEach((layer, l) => {
      const w = weights[l]!
      const expected = Float32Array.from(
        layer,
        (_, k) => w[0]! * earlier[0]![l]![k]! + w[1]! * earlier[1]![l]![k]! + w[2]! * own[l]![k]!
      )
      expectClose(layer, expected, 1e-5)
    })
    net.dispose()
  })
})
