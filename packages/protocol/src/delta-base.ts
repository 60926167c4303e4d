import { ProtocolError } from './errors.js'
import type { MaskHeader } from './mask-codec.js'
import { assertBackboneId, assertTaskKey } from './validate.js'

/** Context classes of a DELTA base; fixed by the format. */
export const DELTA_CLASSES = 8

/** One layer of a base as its maker gives it: one entry per weight, row-major as the scores. */
export interface DeltaBaseLayerInput {
  /** 1 when the weight's initial score is >= 0 (it starts on), else 0. */
  readonly initialBits: Uint8Array
  /** 0..7: the class of the weight's initial score, 0 nearest the threshold (docs/delta-encoding.md). */
  readonly classes: Uint8Array
}

/** A checked base layer, with its weights grouped by class (what the coder walks). */
export interface DeltaBaseLayer extends DeltaBaseLayerInput {
  /** Weight indices grouped by class, each group in row-major order: class q is order[classStart[q]..classStart[q+1]). */
  readonly order: Int32Array
  /** DELTA_CLASSES + 1 offsets into `order`. */
  readonly classStart: Int32Array
  /** Per weight, its class index j and class q as j * DELTA_CLASSES + q (the inverse of `order`). */
  readonly classRank: Int32Array
}

/**
 * What a DELTA mask is coded against: the task's initial mask on its backbone, per weight its
 * initial bit and class. Built once per (backbone, task) and reused: the constructor checks
 * every entry and groups the weights by class (~0.5 ms for the CT-graph network), so encoding
 * and decoding only walk it. The arrays must not be changed afterwards. (The codec takes any
 * object of this shape, so two loaded copies of this package interoperate; build it here.)
 *
 * The codec checks the task key and backbone id against the mask's, so a base for another task
 * is refused instead of silently decoding another policy (a content id covers the encoded
 * bytes, not the base they were coded against).
 */
export class DeltaBase {
  /** In the mask's layer-table order. */
  readonly layers: readonly DeltaBaseLayer[]

  constructor(
    readonly taskKey: string,
    readonly backboneId: string,
    layers: readonly DeltaBaseLayerInput[]
  ) {
    assertTaskKey(taskKey)
    assertBackboneId(backboneId)
    this.layers = layers.map((l, index) => groupByClass(l, index))
  }
}

/** A base, or a function that builds one from the header of the mask being decoded. */
export type DeltaBaseSource = DeltaBase | ((header: MaskHeader) => DeltaBase)

function groupByClass(layer: DeltaBaseLayerInput, index: number): DeltaBaseLayer {
  const { initialBits, classes } = layer
  const n = classes.length
  if (initialBits.length !== n)
    throw new ProtocolError(
      'INCONSISTENT_SHAPE',
      `delta base layer ${index} has ${initialBits.length} bits and ${n} classes`
    )
  const counts = new Int32Array(DELTA_CLASSES)
  for (let i = 0; i < n; i++) {
    const q = classes[i] as number
    const b = initialBits[i] as number
    if (q >= DELTA_CLASSES || b > 1)
      throw new ProtocolError(
        'INVALID_FIELD',
        `delta base layer ${index} has bit ${b} and class ${q} at ${i} (expected 0..1 and 0..${DELTA_CLASSES - 1})`
      )
    counts[q]!++
  }
  const classStart = new Int32Array(DELTA_CLASSES + 1)
  for (let q = 0; q < DELTA_CLASSES; q++) classStart[q + 1] = classStart[q]! + counts[q]!
  const fill = classStart.slice(0, DELTA_CLASSES)
  const order = new Int32Array(n)
  const classRank = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const q = classes[i] as number
    const at = fill[q]!++
    order[at] = i
    classRank[i] = (at - classStart[q]!) * DELTA_CLASSES + q
  }
  return { initialBits, classes, order, classStart, classRank }
}

/** Throws unless `base` is the base of a mask with this task, backbone and layer sizes. */
export function assertBaseFits(
  base: DeltaBase,
  mask: { readonly taskKey: string; readonly backboneId: string; readonly layers: readonly { name: string }[] },
  sizes: readonly number[]
): void {
  if (typeof base !== 'object' || base === null || !Array.isArray(base.layers))
    throw new ProtocolError('INVALID_FIELD', 'a delta base must be a DeltaBase (built with new DeltaBase(...))')
  if (base.backboneId !== mask.backboneId)
    throw new ProtocolError(
      'BACKBONE_MISMATCH',
      `delta base is for backbone ${base.backboneId}, the mask for ${mask.backboneId}`
    )
  if (base.taskKey !== mask.taskKey)
    throw new ProtocolError('INVALID_FIELD', `delta base is for task ${base.taskKey}, the mask for ${mask.taskKey}`)
  if (base.layers.length !== mask.layers.length)
    throw new ProtocolError(
      'INCONSISTENT_SHAPE',
      `delta base has ${base.layers.length} layers, the mask ${mask.layers.length}`
    )
  base.layers.forEach((l, i) => {
    const n = sizes[i]
    const grouped =
      l.order instanceof Int32Array &&
      l.classRank instanceof Int32Array &&
      l.classRank.length === l.order.length &&
      l.initialBits instanceof Uint8Array &&
      l.classStart instanceof Int32Array &&
      l.classStart.length === DELTA_CLASSES + 1 &&
      l.classStart[DELTA_CLASSES] === l.order.length
    if (!grouped)
      throw new ProtocolError(
        'INVALID_FIELD',
        `delta base layer ${i} is not grouped by class (build it with new DeltaBase)`
      )
    if (l.order.length !== n || l.initialBits.length !== n)
      throw new ProtocolError(
        'INCONSISTENT_SHAPE',
        `delta base layer ${i} has ${l.order.length} weights, mask layer "${mask.layers[i]?.name}" ${n}`
      )
  })
}
