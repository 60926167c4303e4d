import { describe, expect, it } from 'vitest'
import { createBackbone } from '../../../src/learner/backbone.js'
import { initialBetaLogits, softmax } from '../../../src/masks/combine.js'
import { MaskCompatibilityError, validateMask, type TaskMask } from '../../../src/masks/mask.js'
import { initialTaskScores } from '../../../src/masks/score-init.js'
import { deriveStream } from '../../../src/rng/prng.js'

const backbone = createBackbone({ inputSize: 144, numActions: 3 })

function maskOf(taskKey: string, scores: Float32Array[]): TaskMask {
  return {
    taskKey,
    backboneId: backbone.id,
    layers: backbone.layers.map((l, i) => ({ name: l.name, shape: [l.outSize, l.inSize] as const, scores: scores[i]! }))
  }
}

describe('initial task scores', () => {
  it('are deterministic from (backbone, task key) and differ across keys', () => {
    const a = initialTaskScores(backbone, 'ctgraph/d2b2/img1/leaf00')
    const b = initialTaskScores(backbone, 'ctgraph/d2b2/img1/leaf00')
    const c = initialTaskScores(backbone, 'ctgraph/d2b2/img1/leaf01')
    a.forEach((s, i) => {
      expect(Array.from(b[i]!)).toEqual(Array.from(s))
      expect(Array.from(c[i]!)).not.toEqual(Array.from(s))
    })
  })

  it('depend on the backbone, not only its seed', () => {
    const other = createBackbone({ inputSize: 144, numActions: 4 })
    expect(Array.from(initialTaskScores(other, 'k')[1]!)).not.toEqual(Array.from(initialTaskScores(backbone, 'k')[1]!))
  })

  it('follow the documented rule: U(−1/sqrt(fan_in), +1/sqrt(fan_in)) from stream scores/<id>/<key>/<layer>', () => {
    const scores = initialTaskScores(backbone, 'task')
    backbone.layers.forEach((l, i) => {
      const bound = 1 / Math.sqrt(l.inSize)
      const rng = deriveStream(backbone.seed, `scores/${backbone.id}/task/${l.name}`)
      for (let k = 0; k < 20; k++) expect(scores[i]![k]).toBe(Math.fround((2 * rng.nextFloat() - 1) * bound))
      let on = 0
      for (const v of scores[i]!) {
        expect(Math.abs(v)).toBeLessThanOrEqual(bound)
        if (v >= 0) on++
      }
      // within 4 standard deviations of a fair coin
      expect(Math.abs(on / scores[i]!.length - 0.5)).toBeLessThan(2 / Math.sqrt(scores[i]!.length))
    })
  })
})

describe('mask validation', () => {
  const good = maskOf('t', initialTaskScores(backbone, 't'))

  it('accepts a mask of this backbone', () => {
    expect(() => validateMask(good, backbone)).not.toThrow()
  })

  const cases: Array<[string, TaskMask, string]> = [
    ['another backbone', { ...good, backboneId: '0'.repeat(32) }, 'backbone-mismatch'],
    ['a missing layer', { ...good, layers: good.layers.slice(0, 4) }, 'layer-mismatch'],
    [
      'a renamed layer',
      { ...good, layers: good.layers.map((l, i) => (i === 3 ? { ...l, name: 'actor' } : l)) },
      'layer-mismatch'
    ],
    [
      'a wrong shape',
      { ...good, layers: good.layers.map((l, i) => (i === 0 ? { ...l, shape: [144, 200] as const } : l)) },
      'shape-mismatch'
    ],
    [
      'a rank-3 shape',
      { ...good, layers: good.layers.map((l, i) => (i === 0 ? { ...l, shape: [...l.shape, 1] } : l)) },
      'shape-mismatch'
    ],
    [
      'a short score array',
      { ...good, layers: good.layers.map((l, i) => (i === 4 ? { ...l, scores: l.scores.subarray(1) } : l)) },
      'shape-mismatch'
    ],
    [
      'a NaN score',
      {
        ...good,
        layers: good.layers.map((l, i) =>
          i === 2 ? { ...l, scores: Float32Array.from(l.scores, (v, k) => (k === 7 ? NaN : v)) } : l
        )
      },
      'non-finite'
    ],
    ['no task key', { ...good, taskKey: '' }, 'bad-task-key']
  ]
  for (const [what, mask, code] of cases) {
    it(`refuses ${what} with code ${code}`, () => {
      try {
        validateMask(mask, backbone)
        expect.unreachable('validateMask accepted a bad mask')
      } catch (err) {
        expect(err).toBeInstanceOf(MaskCompatibilityError)
        expect((err as MaskCompatibilityError).code).toBe(code)
      }
    })
  }
})

describe('LC / BLC combination weights', () => {
  it('LC (L2D2-C) starts from equal logits 1/(t+1): uniform weights', () => {
    for (const t of [1, 2, 5]) {
      const logits = initialBetaLogits('lc', t)
      expect(Array.from(logits)).toEqual(Array(t + 1).fill(Math.fround(1 / (t + 1))))
      for (const w of softmax(logits)) expect(w).toBeCloseTo(1 / (t + 1), 12)
    }
  })

  it('BLC starts with 0.5 on the new mask and 0.5/t on each earlier one', () => {
    for (const t of [1, 3, 15]) {
      const w = softmax(initialBetaLogits('blc', t))
      expect(w[t]).toBeCloseTo(0.5, 6)
      for (let i = 0; i < t; i++) expect(w[i]).toBeCloseTo(0.5 / t, 6)
    }
  })
})
