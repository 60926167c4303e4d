import fc from 'fast-check'
import type { Mask, MaskHeader, MaskLayer, MaskMeta, MaskSummary } from '../src/index.js'
import { contentIdBytes, DeltaBase } from '../src/index.js'

/** fast-check generators shared by the protocol's property and fuzz tests. */

const segment = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,11}$/)
export const taskKeyArb = fc.array(segment, { minLength: 1, maxLength: 4 }).map(parts => parts.join('/'))
export const backboneIdArb = fc.stringMatching(/^[a-f0-9]{32}$/)
export const layerNameArb = fc.stringMatching(/^[a-z][a-z0-9._-]{0,9}$/)
export const peerIdArb = fc.constantFrom(
  '',
  '12D3KooWGzh6ZbbBkhLQzMGk5YhnZ93RzRyDXLBu1hb8QyQaVfXM',
  'QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N'
)
export const rewardArb = fc.double({ min: -10, max: 10, noNaN: true, noDefaultInfinity: true })
export const stepsArb = fc.nat({ max: 2 ** 40 })
export const requestIdArb = fc.nat({ max: 0xffffffff })
export const cidArb = fc.uint8Array({ minLength: 1, maxLength: 64 }).map(b => contentIdBytes(b))

/** A score: mostly ordinary values, with zeros and tiny magnitudes that stress sign handling. */
const scoreArb = fc.oneof(
  { weight: 6, arbitrary: fc.float({ min: -1, max: 1, noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 1e-30, -1e-30, 6e-8, -6e-8, 65504, -70000) }
)

const shapeArb = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 17 }), fc.integer({ min: 1, max: 19 })).map(([a, b]) => [a, b]),
  fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 })
)

export const layerArb: fc.Arbitrary<MaskLayer> = fc.tuple(layerNameArb, shapeArb).chain(([name, shape]) => {
  const n = shape.reduce((a, b) => a * b, 1)
  return fc
    .array(scoreArb, { minLength: n, maxLength: n })
    .map(scores => ({ name, shape, scores: Float32Array.from(scores) }))
})

export const maskArb: fc.Arbitrary<Mask> = fc.record({
  taskKey: taskKeyArb,
  backboneId: backboneIdArb,
  layers: fc.uniqueArray(layerArb, { minLength: 1, maxLength: 6, selector: l => l.name })
})

export const metaArb: fc.Arbitrary<MaskMeta> = fc.record({
  reward: rewardArb,
  stepsTrained: stepsArb,
  origin: peerIdArb,
  createdAtMs: fc.nat({ max: 2 ** 45 })
})

export const encodingsArb = fc
  .subarray(['bits', 'f16', 'f32'] as const, { minLength: 0, maxLength: 3 })
  .map(a => [...a])

export const summaryArb: fc.Arbitrary<MaskSummary> = fc.record({
  taskKey: taskKeyArb,
  cid: cidArb,
  reward: rewardArb,
  stepsTrained: stepsArb,
  encodedSize: fc.nat({ max: 1 << 20 }),
  encodings: encodingsArb,
  origin: peerIdArb
})

/** The reference CT-graph network's layers (docs/reference-fidelity.md §3.8): 109,600 weights. */
export const CTGRAPH_LAYERS = [
  { name: 'body.0', shape: [200, 144] },
  { name: 'body.1', shape: [200, 200] },
  { name: 'body.2', shape: [200, 200] },
  { name: 'policy', shape: [3, 200] },
  { name: 'value', shape: [1, 200] }
] as const

/** mulberry32: a tiny seeded PRNG in [0, 1) for fixtures and the fuzzer (fast-check has its own). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Deterministic pseudo-random scores in [-0.1, 0.1) for fixed-size fixtures. */
export function seededScores(n: number, seed: number): Float32Array {
  const next = mulberry32(seed)
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) out[i] = (next() - 0.5) * 0.2
  return out
}

export function ctGraphMask(seed = 1, taskKey = 'ctgraph/d2b2/img3/leaf10'): Mask {
  return {
    taskKey,
    backboneId: '9157c0ffee9157c0ffee9157c0ffee91',
    layers: CTGRAPH_LAYERS.map((l, i) => ({
      name: l.name,
      shape: [...l.shape],
      scores: seededScores(l.shape[0] * l.shape[1], seed * 100 + i)
    }))
  }
}

/**
 * A DELTA base shaped like a real one for `layers`: uniform classes 0..7 and random initial
 * bits, drawn from mulberry32(seed) per layer (so a header alone rebuilds it: see baseFor).
 */
export function syntheticBase(
  taskKey: string,
  backboneId: string,
  layers: readonly { readonly shape: readonly number[] }[],
  seed = 7
): DeltaBase {
  return new DeltaBase(
    taskKey,
    backboneId,
    layers.map((l, li) => {
      const n = l.shape.reduce((a, b) => a * b, 1)
      const next = mulberry32(seed * 1000 + li)
      const initialBits = new Uint8Array(n)
      const classes = new Uint8Array(n)
      for (let i = 0; i < n; i++) {
        const u = Math.floor(next() * 2 ** 32)
        initialBits[i] = u >>> 31
        classes[i] = u & 7
      }
      return { initialBits, classes }
    })
  )
}

/** The synthetic base of whatever mask a header describes (a decoder's base provider for tests). */
export const baseFor = (header: MaskHeader): DeltaBase =>
  syntheticBase(header.taskKey, header.backboneId, header.layers)

/** Flip rates per class measured on four meta CT-graph masks at mastery (3,840 steps; class 0 nearest the threshold). */
export const TRAINED_FLIP_RATES = [0.31, 0.128, 0.06, 0.029, 0.015, 0.0074, 0.0029, 0.0017] as const

/**
 * A mask that differs from `base` as a trained one does: each weight flips with the rate of
 * its class; scores are ±U(0.01, 1) with the resulting signs.
 */
export function trainedLikeMask(
  taskKey: string,
  backboneId: string,
  layers: readonly { readonly name: string; readonly shape: readonly number[] }[],
  base: DeltaBase,
  seed = 11,
  rates: readonly number[] = TRAINED_FLIP_RATES
): Mask {
  const next = mulberry32(seed)
  return {
    taskKey,
    backboneId,
    layers: layers.map((l, li) => {
      const b = base.layers[li]!
      const scores = new Float32Array(b.initialBits.length)
      for (let i = 0; i < scores.length; i++) {
        const on = (b.initialBits[i] === 1) !== next() < rates[b.classes[i]!]!
        scores[i] = (on ? 1 : -1) * (0.01 + next())
      }
      return { name: l.name, shape: [...l.shape], scores }
    })
  }
}
