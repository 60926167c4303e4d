import type { Backbone } from '../learner/backbone.js'

/**
 * One task's mask on one backbone, as plain data (the learner's export/import shape; the wire
 * codec lives elsewhere). Scores are row-major [out][in]; the mask is 1[score >= 0]. Structurally
 * the protocol's Mask, so decoded masks are imported as they are; validateMask insists on rank 2.
 */
export interface MaskLayer {
  readonly name: string
  /** [out, in], as the backbone layer. */
  readonly shape: readonly number[]
  readonly scores: Float32Array
}

export interface TaskMask {
  readonly taskKey: string
  readonly backboneId: string
  /** In the backbone's canonical layer order. */
  readonly layers: readonly MaskLayer[]
}

export type MaskErrorCode = 'backbone-mismatch' | 'layer-mismatch' | 'shape-mismatch' | 'non-finite' | 'bad-task-key'

/** A mask that cannot be installed on this backbone; `code` says why. */
export class MaskCompatibilityError extends Error {
  constructor(
    readonly code: MaskErrorCode,
    message: string
  ) {
    super(message)
    this.name = 'MaskCompatibilityError'
  }
}

/** Throws MaskCompatibilityError unless `mask` fits `backbone` exactly and all scores are finite. */
export function validateMask(mask: TaskMask, backbone: Backbone): void {
  if (typeof mask.taskKey !== 'string' || mask.taskKey.length === 0)
    throw new MaskCompatibilityError('bad-task-key', 'mask has no task key')
  if (mask.backboneId !== backbone.id) {
    throw new MaskCompatibilityError(
      'backbone-mismatch',
      `mask for backbone ${mask.backboneId} cannot be used on backbone ${backbone.id}`
    )
  }
  if (mask.layers.length !== backbone.layers.length) {
    throw new MaskCompatibilityError(
      'layer-mismatch',
      `mask has ${mask.layers.length} layers, backbone has ${backbone.layers.length}`
    )
  }
  backbone.layers.forEach((spec, i) => {
    const layer = mask.layers[i]!
    if (layer.name !== spec.name)
      throw new MaskCompatibilityError('layer-mismatch', `mask layer ${i} is '${layer.name}', expected '${spec.name}'`)
    const [out, inp] = layer.shape
    if (
      layer.shape.length !== 2 ||
      out !== spec.outSize ||
      inp !== spec.inSize ||
      layer.scores.length !== spec.outSize * spec.inSize
    ) {
      throw new MaskCompatibilityError(
        'shape-mismatch',
        `mask layer '${spec.name}' has shape [${layer.shape.join(', ')}] with ${layer.scores.length} scores, expected [${spec.outSize}, ${spec.inSize}]`
      )
    }
    for (let k = 0; k < layer.scores.length; k++) {
      if (!Number.isFinite(layer.scores[k]))
        throw new MaskCompatibilityError('non-finite', `mask layer '${spec.name}' has a non-finite score at index ${k}`)
    }
  })
}

/** Deep copy of a mask's scores (the learner never shares arrays with its callers). */
export function cloneLayers(layers: readonly Float32Array[]): Float32Array[] {
  return layers.map(s => s.slice())
}
