import { createHash } from 'node:crypto'
import { decodeMask, encodeMask, maskDigest, readMaskHeader } from '@l2d2c/protocol'
import { describe, expect, it } from 'vitest'
import { createBackbone } from '../../../src/learner/backbone.js'
import {
  backboneOfMask,
  deltaBaseOfMask,
  initialMaskBase,
  initialMaskBits,
  MaskBackboneError
} from '../../../src/masks/initial-mask.js'
import { initialTaskScores } from '../../../src/masks/score-init.js'
import { createPrng } from '../../../src/rng/prng.js'

const backbone = createBackbone({ inputSize: 144, numActions: 3 })
const TASK = 'ctgraph/d2b2/img1/leaf00'
const table = backbone.layers.map(l => ({ name: l.name, shape: [l.outSize, l.inSize] }))

function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  return undefined
}

describe('initial mask and DELTA base of a task', () => {
  it('initialMaskBits is the sign test of initialTaskScores, weight by weight', () => {
    const bits = initialMaskBits(backbone, TASK)
    initialTaskScores(backbone, TASK).forEach((s, l) => {
      expect(Array.from(bits[l]!)).toEqual(Array.from(s, v => (v >= 0 ? 1 : 0)))
    })
  })

  it('the class is floor(8 |s| sqrt(fan_in)) capped at 7, up to float rounding at class boundaries', () => {
    const base = initialMaskBase(backbone, TASK)
    let boundary = 0
    initialTaskScores(backbone, TASK).forEach((s, l) => {
      const fan = backbone.layers[l]!.inSize
      const classes = base.layers[l]!.classes
      s.forEach((v, i) => {
        const x = 8 * Math.abs(v) * Math.sqrt(fan)
        const q = Math.min(7, Math.floor(x))
        if (classes[i] === q) return
        // The integer rule and the float32 score disagree only for a score a rounding error from a boundary.
        boundary++
        expect(Math.abs(x - Math.round(x))).toBeLessThan(1e-5)
        expect(Math.abs(classes[i]! - q)).toBe(1)
      })
    })
    expect(boundary).toBeLessThan(5)
  })

  it('classes are about equally common, and the base belongs to the task and backbone', () => {
    const base = initialMaskBase(backbone, TASK)
    expect([base.taskKey, base.backboneId]).toEqual([TASK, backbone.id])
    const counts = new Array<number>(8).fill(0)
    for (const l of base.layers) for (const q of l.classes) counts[q]!++
    for (const c of counts) expect(Math.abs(c / 109_600 - 1 / 8)).toBeLessThan(0.01)
  })

  it('is frozen: the base of (seed 9157, the CT-graph backbone, ctgraph/d2b2/img1/leaf00) hashes to its golden value', () => {
    // Part of the DELTA wire format (docs/delta-encoding.md): another implementation must derive the same base.
    const base = initialMaskBase(backbone, TASK)
    const hash = createHash('sha256')
    for (const l of base.layers) hash.update(l.initialBits).update(l.classes)
    expect(backbone.id).toBe('7e7ce5d515d5a2b162a10cdc7590e5fe')
    expect(Array.from(base.layers[0]!.initialBits.subarray(0, 16)).join('')).toBe('0001010101000110')
    expect(Array.from(base.layers[0]!.classes.subarray(0, 16)).join('')).toBe('3466352103244134')
    expect(hash.digest('hex')).toBe('6d33063f32313b56e9ca979b8640964376ab8c521c23b4166c30729d213edb1e')
  })
})

describe('the backbone of a mask, from its header', () => {
  it('rebuilds the backbone from the layer table and the seed, checked against the backbone id', () => {
    const other = createBackbone({ inputSize: 147, numActions: 7, hiddenSizes: [64, 32], seed: 42 })
    for (const b of [backbone, other]) {
      const found = backboneOfMask(
        {
          backboneId: b.id,
          layers: b.layers.map(l => ({ name: l.name, shape: [l.outSize, l.inSize] }))
        },
        b.seed
      )
      expect(found).toEqual({ id: b.id, seed: b.seed, layers: b.layers })
    }
  })

  it('says which seed it tried when the id does not match', () => {
    const seeded = createBackbone({ inputSize: 144, numActions: 3, seed: 1234 })
    const err = thrown(() => backboneOfMask({ backboneId: seeded.id, layers: table }))
    expect(err).toBeInstanceOf(MaskBackboneError)
    expect((err as MaskBackboneError).code).toBe('seed-mismatch')
    expect((err as Error).message).toMatch(/not the backbone of seed 9157.*give the backbone seed/)
    expect(backboneOfMask({ backboneId: seeded.id, layers: table }, 1234).id).toBe(seeded.id)
  })

  it('refuses a layer table no backbone has', () => {
    const tables = [
      table.slice(0, 2),
      table.map((l, i) => (i === 1 ? { ...l, shape: [200, 199] } : l)),
      table.map((l, i) => (i === 3 ? { ...l, name: 'head' } : l)),
      table.map((l, i) => (i === 0 ? { ...l, shape: [200, 144, 1] } : l))
    ]
    for (const layers of tables) {
      const err = thrown(() => backboneOfMask({ backboneId: backbone.id, layers }))
      expect(err).toBeInstanceOf(MaskBackboneError)
      expect((err as MaskBackboneError).code).toBe('not-a-backbone')
    }
  })

  it('gives the base that DELTA-codes a trained mask: a few flips from the initial scores', () => {
    const rng = createPrng(5)
    const scores = initialTaskScores(backbone, TASK).map(s =>
      s.map(v => (rng.nextFloat() < 0.3 && Math.abs(v) < 0.01 ? -v : v + 0.001 * (rng.nextFloat() - 0.5)))
    )
    const mask = { taskKey: TASK, backboneId: backbone.id, layers: table.map((l, i) => ({ ...l, scores: scores[i]! })) }
    const delta = encodeMask(mask, 'delta', { base: deltaBaseOfMask(mask) })
    expect(delta.length * 5).toBeLessThan(encodeMask(mask, 'bits').length)
    const back = decodeMask(delta, { deltaBase: header => deltaBaseOfMask(header) })
    expect(maskDigest(back)).toBe(maskDigest(mask))
    expect(readMaskHeader(delta).encoding).toBe('delta')
  })
})
