import * as tf from '@tensorflow/tfjs'

/**
 * Masked dense layer y = x · (W ⊙ 1[S >= 0]) with the straight-through estimator
 * (docs/reference-fidelity.md §1.4): ∂L/∂S := ∂L/∂W_eff ⊙ W. W and S are [in, out].
 */
export type KernelKind = 'fused' | 'autodiff'

export type MaskedDense = (x: tf.Tensor2D, scores: tf.Tensor2D) => tf.Tensor2D

/**
 * One fused tf.customGrad op (docs/dependencies.md §4.2). W is closed over (fixed, so it needs no gradient).
 * Every transpose is an explicit tf.transpose: the wasm backend's matMul with transpose flags is
 * ~10x slower than transpose + plain matMul at these sizes. With `inputGrad` false (first layer:
 * its input is the observation) the backward pass skips the dx product.
 */
export function fusedMaskedDense(weights: tf.Tensor2D, inputGrad: boolean): MaskedDense {
  const op = tf.customGrad<tf.Tensor>((x, s, save) => {
    const xs = x as tf.Tensor2D
    const e = maskWeights(weights, s as tf.Tensor2D)
    ;(save as tf.GradSaveFunc)([xs, e])
    return {
      value: tf.matMul(xs, e),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, se] = saved as [tf.Tensor2D, tf.Tensor2D]
        const g = dy as tf.Tensor2D
        const dS = tf.mul(tf.matMul(tf.transpose(sx), g), weights)
        const dx = inputGrad ? tf.matMul(g, tf.transpose(se)) : tf.zerosLike(sx)
        return [dx, dS]
      }
    }
  })
  return (x, s) => op(x, s) as tf.Tensor2D
}

/**
 * W ⊙ 1[S >= 0], exactly (S = 0 is on), as W − W·step(−S): step(v) is 1 for v > 0 and 0 otherwise,
 * so step(−S) marks S < 0. On wasm this costs ~4 cheap element-wise ops (~80 µs for 200×200),
 * while where(greaterEqual(S, 0), W, 0) takes ~600 µs (bool kernels are slow there).
 */
export function maskWeights<T extends tf.Tensor>(weights: T, scores: T): T {
  return tf.sub(weights, tf.mul(weights, tf.step(tf.neg(scores))))
}

/** Straight-through binarisation alone: forward 1[S >= 0], backward identity. */
const steMask = tf.customGrad(s => {
  const st = s as tf.Tensor
  return { value: tf.sub(1, tf.step(tf.neg(st))), gradFunc: (dy: tf.Tensor) => dy }
})

/** The same layer through plain autodiff (matMul with transpose flags in the backward pass): the reference for tests and benchmarks. */
export function autodiffMaskedDense(weights: tf.Tensor2D): MaskedDense {
  return (x, s) => tf.matMul(x, tf.mul(weights, steMask(s) as tf.Tensor2D))
}

export function maskedDense(kind: KernelKind, weights: tf.Tensor2D, inputGrad: boolean): MaskedDense {
  return kind === 'fused' ? fusedMaskedDense(weights, inputGrad) : autodiffMaskedDense(weights)
}
