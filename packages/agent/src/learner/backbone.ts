import { createHash } from 'node:crypto'
import { deriveStream, PRNG_ID } from '../rng/prng.js'

/**
 * The fixed random backbone every node regenerates from a shared seed (docs/reference-fidelity.md §1.1–1.2,
 * §9 D1–D2): an MLP without biases, input → 200 → 200 → 200 (ReLU after each) → policy head (A logits)
 * and value head (1), all five layers masked. Its weights are never trained and never sent.
 *
 * Weight rule (`INIT_RULE`): layer by layer, in `layers` order, each layer from its own PRNG stream
 * `deriveStream(seed, 'backbone/<layer name>')`; entries in row-major [out][in] order; for each entry
 * draw u = nextUint32() and set W = −sqrt(2/fan_in) if the top bit of u is set, else +sqrt(2/fan_in)
 * (the reference's "signed Kaiming constant": only the sign of a random draw matters), rounded to
 * float32. A per-layer stream keeps each layer's weights independent of the other layers' shapes.
 */
export const BACKBONE_FORMAT = 'l2d2c-backbone/1'
export const INIT_RULE =
  'signed-kaiming-constant: W[o][i] = (top bit of u32 ? -1 : +1) * sqrt(2/fan_in), u32 from stream (seed, "backbone/<layer>") row-major [out][in]'
export const ACTIVATION = 'relu'
export const DEFAULT_BACKBONE_SEED = 9157
export const DEFAULT_HIDDEN_SIZES: readonly number[] = [200, 200, 200]

/** Stable layer names: part of the mask wire format. */
export const POLICY_LAYER = 'policy'
export const VALUE_LAYER = 'value'
export function bodyLayerName(index: number): string {
  return `body.${index}`
}

export interface LayerSpec {
  readonly name: string
  /** Output units (rows of W). */
  readonly outSize: number
  /** Input units (columns of W); also the fan-in. */
  readonly inSize: number
}

export interface BackboneConfig {
  readonly inputSize: number
  readonly numActions: number
  readonly hiddenSizes?: readonly number[]
  readonly seed?: number
}

export interface Backbone {
  /** 32 hex chars; masks are interchangeable only between equal ids. */
  readonly id: string
  readonly seed: number
  readonly inputSize: number
  readonly numActions: number
  /** Body layers first, then policy, then value: the canonical (wire) order. */
  readonly layers: readonly LayerSpec[]
  /** Row-major [out][in] weights, one per layer, same order as `layers`. */
  readonly weights: readonly Float32Array[]
  /** Number of body (hidden) layers; layers[0..bodyDepth-1] are followed by ReLU. */
  readonly bodyDepth: number
}

export class BackboneConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BackboneConfigError'
  }
}

function positiveInt(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new BackboneConfigError(`${what} must be a positive integer, got ${value}`)
  return value
}

/** Layer names and shapes for a configuration, in canonical order. */
export function backboneLayers(config: BackboneConfig): LayerSpec[] {
  const hidden = config.hiddenSizes ?? DEFAULT_HIDDEN_SIZES
  if (hidden.length === 0) throw new BackboneConfigError('at least one hidden layer is required')
  let inSize = positiveInt(config.inputSize, 'inputSize')
  const layers: LayerSpec[] = []
  hidden.forEach((size, i) => {
    layers.push({ name: bodyLayerName(i), outSize: positiveInt(size, `hiddenSizes[${i}]`), inSize })
    inSize = size
  })
  layers.push({ name: POLICY_LAYER, outSize: positiveInt(config.numActions, 'numActions'), inSize })
  layers.push({ name: VALUE_LAYER, outSize: 1, inSize })
  return layers
}

/** The canonical description hashed into the backbone id (key order fixed by construction). */
export function backboneDescription(layers: readonly LayerSpec[], seed: number): string {
  return JSON.stringify({
    format: BACKBONE_FORMAT,
    layers: layers.map(l => ({ name: l.name, shape: [l.outSize, l.inSize] })),
    activation: ACTIVATION,
    bias: false,
    init: INIT_RULE,
    prng: PRNG_ID,
    seed
  })
}

/** sha-256 of the canonical description, first 32 hex chars (128 bits). */
export function computeBackboneId(layers: readonly LayerSpec[], seed: number): string {
  return createHash('sha256').update(backboneDescription(layers, seed)).digest('hex').slice(0, 32)
}

export function layerWeights(layer: LayerSpec, seed: number): Float32Array {
  const rng = deriveStream(seed, `backbone/${layer.name}`)
  const magnitude = Math.fround(Math.sqrt(2 / layer.inSize))
  const w = new Float32Array(layer.outSize * layer.inSize)
  for (let k = 0; k < w.length; k++) w[k] = (rng.nextUint32() & 0x80000000) !== 0 ? -magnitude : magnitude
  return w
}

export function createBackbone(config: BackboneConfig): Backbone {
  const seed = config.seed ?? DEFAULT_BACKBONE_SEED
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new BackboneConfigError(`seed must be a non-negative safe integer, got ${seed}`)
  const layers = backboneLayers(config)
  return {
    id: computeBackboneId(layers, seed),
    seed,
    inputSize: config.inputSize,
    numActions: config.numActions,
    layers,
    weights: layers.map(l => layerWeights(l, seed)),
    bodyDepth: layers.length - 2
  }
}
