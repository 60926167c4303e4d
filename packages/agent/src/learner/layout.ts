import type { Backbone } from './backbone.js'

/**
 * Internal layout of the network for computation. The wire format names five layers with
 * row-major [out][in] arrays; internally each body layer is one [in][out] matrix (so the forward
 * pass is x·E with no transpose), and the policy and value heads, which read the same input, are
 * fused into one [in][A+1] matrix (columns 0..A-1 policy logits, column A the value) so both heads
 * cost one matrix product.
 */
export interface Block {
  /** Index of the wire layer this block of columns belongs to. */
  readonly wire: number
  /** First column of the block in the internal matrix. */
  readonly col: number
  /** Number of columns (the wire layer's out size). */
  readonly cols: number
}

export interface InternalLayer {
  readonly inSize: number
  readonly outSize: number
  readonly blocks: readonly Block[]
  /** Followed by ReLU (body layers). */
  readonly relu: boolean
}

export function internalLayers(backbone: Backbone): InternalLayer[] {
  const layers: InternalLayer[] = []
  for (let j = 0; j < backbone.bodyDepth; j++) {
    const spec = backbone.layers[j]!
    layers.push({
      inSize: spec.inSize,
      outSize: spec.outSize,
      blocks: [{ wire: j, col: 0, cols: spec.outSize }],
      relu: true
    })
  }
  const policy = backbone.layers[backbone.bodyDepth]!
  const value = backbone.layers[backbone.bodyDepth + 1]!
  layers.push({
    inSize: policy.inSize,
    outSize: policy.outSize + value.outSize,
    blocks: [
      { wire: backbone.bodyDepth, col: 0, cols: policy.outSize },
      { wire: backbone.bodyDepth + 1, col: policy.outSize, cols: value.outSize }
    ],
    relu: false
  })
  return layers
}

/** Wire arrays (row-major [out][in] per wire layer) → internal arrays ([in][outTotal] per internal layer). */
export function toInternal(layers: readonly InternalLayer[], wire: readonly Float32Array[]): Float32Array[] {
  return layers.map(layer => {
    const m = new Float32Array(layer.inSize * layer.outSize)
    for (const b of layer.blocks) {
      const src = wire[b.wire]!
      for (let o = 0; o < b.cols; o++) {
        const row = o * layer.inSize
        for (let i = 0; i < layer.inSize; i++) m[i * layer.outSize + b.col + o] = src[row + i]!
      }
    }
    return m
  })
}

/** Internal arrays → wire arrays, the inverse of `toInternal`. */
export function toWire(
  layers: readonly InternalLayer[],
  internal: readonly Float32Array[],
  wireCount: number
): Float32Array[] {
  const wire: Float32Array[] = new Array<Float32Array>(wireCount)
  layers.forEach((layer, j) => {
    const m = internal[j]!
    for (const b of layer.blocks) {
      const dst = new Float32Array(b.cols * layer.inSize)
      for (let o = 0; o < b.cols; o++) {
        const row = o * layer.inSize
        for (let i = 0; i < layer.inSize; i++) dst[row + i] = m[i * layer.outSize + b.col + o]!
      }
      wire[b.wire] = dst
    }
  })
  return wire
}

/** W ⊙ 1[S >= 0], element-wise over matching arrays (any layout). */
export function maskedWeights(weights: Float32Array, scores: Float32Array): Float32Array {
  const e = new Float32Array(weights.length)
  for (let k = 0; k < e.length; k++) e[k] = scores[k]! >= 0 ? weights[k]! : 0
  return e
}
