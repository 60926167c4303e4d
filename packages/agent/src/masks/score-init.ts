import type { Backbone } from '../learner/backbone.js'
import { deriveStream } from '../rng/prng.js'

/** What initialTaskScores needs of a backbone (not its weights). */
export type BackboneShape = Pick<Backbone, 'id' | 'seed' | 'layers'>

/** The PRNG stream label of one layer of a task's initial scores: part of the DELTA mask format. */
export function scoreStreamLabel(backboneId: string, taskKey: string, layerName: string): string {
  return `scores/${backboneId}/${taskKey}/${layerName}`
}

/**
 * A task's initial scores, regenerable by any node from (backbone, task key) alone: for each
 * layer, stream `deriveStream(backbone.seed, 'scores/<backbone id>/<task key>/<layer name>')`,
 * entries row-major [out][in], s = (2u − 1)/sqrt(fan_in) with u = nextFloat(), rounded to float32.
 * That is U(−1/sqrt(fan_in), +1/sqrt(fan_in)), the reference's kaiming-uniform (a = √5) score init;
 * about half the mask starts on.
 */
export function initialTaskScores(backbone: BackboneShape, taskKey: string): Float32Array[] {
  return backbone.layers.map(layer => {
    const rng = deriveStream(backbone.seed, scoreStreamLabel(backbone.id, taskKey, layer.name))
    const bound = 1 / Math.sqrt(layer.inSize)
    const s = new Float32Array(layer.outSize * layer.inSize)
    for (let k = 0; k < s.length; k++) s[k] = (2 * rng.nextFloat() - 1) * bound
    return s
  })
}
