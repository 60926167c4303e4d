import { binaryMask, type DecodedMask, type LayerSpec, type Mask, type MaskMeta } from '@l2d2c/protocol'
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
