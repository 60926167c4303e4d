import { binaryMask, type DecodedMask, type LayerSpec, type Mask, type MaskMeta } from '@l2d2c/protocol'
import { createBackbone } from '../../src/learner/backbone.js'
import { initialTaskScores } from '../../src/masks/score-init.js'
import { createPrng } from '../../src/rng/prng.js'

// Synthetic masks for sharing tests: a small two-layer backbone, deterministic scores, and an
// "evaluation" that needs no learner.

export const BACKBONE = 'aaaabbbbccccdddd0000111122223333'
// Big enough that a BITS transfer needs two 1 KiB chunks (the killed-mid-transfer test).
export const LAYERS: LayerSpec[] = [
  { name: 'body.0', shape: [100, 96] },
  { name: 'policy', shape: [3, 100] }
]
export const TASK = 'ctgraph/d2b2/img1/leaf00'

/** A deterministic mask: `seed` picks the scores (so masks with different seeds differ). */
export function syntheticMask(seed: number, taskKey = TASK, backboneId = BACKBONE): Mask {
  const prng = createPrng(seed)
  const rnd = (): number => prng.nextFloat() - 0.5
  return {
    taskKey,
    backboneId,
    layers: LAYERS.map(l => ({
      name: l.name,
      shape: [...l.shape],
      scores: Float32Array.from({ length: l.shape[0]! * l.shape[1]! }, rnd)
    }))
  }
}

/** Stands in for a learner's evaluation: the fraction of mask bits equal to the "true" mask (seed 1). */
export function agreement(mask: DecodedMask | Mask, truth: Mask = syntheticMask(1)): number {
  let same = 0
  let total = 0
  mask.layers.forEach((l, i) => {
    const a = binaryMask(l.scores)
    const b = binaryMask(truth.layers[i]!.scores)
    for (let j = 0; j < a.length; j++) {
      if (a[j] === b[j]) same++
      total++
    }
  })
  return same / total
}

export function meta(reward: number, origin = ''): MaskMeta {
  return { reward, stepsTrained: 12_800, origin, createdAtMs: 1_790_000_000_000 }
}

// Masks of the real CT-graph backbone (109,600 weights) for the DELTA paths, which need a
// backbone whose initial masks a node can rebuild.

export const CT_BACKBONE = createBackbone({ inputSize: 144, numActions: 3 })
export const CT_LAYERS: LayerSpec[] = CT_BACKBONE.layers.map(l => ({ name: l.name, shape: [l.outSize, l.inSize] }))

/**
 * The task's initial scores with the sign of a `flip` fraction of weights turned (seeded): a
 * trained mask differs from its initial one in 4–9 % of weights; 0.5 is as far as a random mask.
 */
export function nearInitialMask(flip: number, seed = 1, taskKey = TASK): Mask {
  const prng = createPrng(seed)
  return {
    taskKey,
    backboneId: CT_BACKBONE.id,
    layers: initialTaskScores(CT_BACKBONE, taskKey).map((scores, i) => {
      const l = CT_BACKBONE.layers[i]!
      const s = Float32Array.from(scores, v => (prng.nextFloat() < flip ? -v : v))
      return { name: l.name, shape: [l.outSize, l.inSize], scores: s }
    })
  }
}
