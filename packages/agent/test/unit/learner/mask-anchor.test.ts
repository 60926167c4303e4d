import { createHash } from 'node:crypto'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { META_CTGRAPH_TASKS, taskSpec } from '../../../src/envs/index.js'
import { createBackbone } from '../../../src/learner/backbone.js'
import { internalLayers, toInternal, toWire } from '../../../src/learner/layout.js'
import { LifelongLearner } from '../../../src/learner/lifelong-learner.js'
import { anchorPenalty, MaskAnchor, type AnchorRule } from '../../../src/learner/mask-anchor.js'
import { initTfBackend } from '../../../src/learner/tf-backend.js'
import { initialTaskScores } from '../../../src/masks/score-init.js'
import { createPrng } from '../../../src/rng/prng.js'

beforeAll(async () => {
  await initTfBackend('wasm')
})

const backbone = createBackbone({ inputSize: 6, numActions: 3, hiddenSizes: [5, 4] })
const layers = internalLayers(backbone)

/** The anchor's gradient at wire-layout `scores`, back in wire layout (policy and value heads split again). */
function anchorGradient(rule: AnchorRule, scores: Float32Array[], initial: Float32Array[]): Float32Array[] {
  const anchor = new MaskAnchor(rule, layers, initial)
  const internal = tf.tidy(() => {
    const s = toInternal(layers, scores).map((a, j) => tf.tensor2d(a, [layers[j]!.inSize, layers[j]!.outSize]))
    const g = anchor.addGradient(
      s,
      s.map(t => tf.zerosLike(t))
    )
    return g.map(t => Float32Array.from(t.dataSync() as Float32Array))
  })
  anchor.dispose()
  return toWire(layers, internal, backbone.layers.length)
}

describe('close-to-init penalty', () => {
  it('its gradient is the finite difference of its penalty', () => {
    const rng = createPrng(11)
    const initial = backbone.weights.map(w => Float32Array.from(w, () => rng.nextFloat() - 0.5))
    // Scores at least 0.05 from every kink (0 for the hinge, s0 for L1), so a 1e-3 step never crosses one.
    const scores = initial.map(s0 =>
      Float32Array.from(s0, v => {
        for (;;) {
          const x = v + (rng.nextFloat() - 0.5) * 0.8
          if (Math.abs(x) >= 0.05 && Math.abs(x - v) >= 0.05) return x
        }
      })
    )
    for (const rule of [
      { kind: 'l2', lambda: 0.7 },
      { kind: 'l1', lambda: 0.7 },
      { kind: 'hinge', lambda: 0.7 }
    ] as AnchorRule[]) {
      const grad = anchorGradient(rule, scores, initial)
      const h = 1e-3
      scores.forEach((layer, i) => {
        for (let k = 0; k < layer.length; k++) {
          const plus = scores.map(a => Float64Array.from(a))
          const minus = scores.map(a => Float64Array.from(a))
          plus[i]![k]! += h
          minus[i]![k]! -= h
          const fd = (anchorPenalty(rule, plus, initial) - anchorPenalty(rule, minus, initial)) / (2 * h)
          expect(grad[i]![k]!, `${rule.kind} layer ${i} weight ${k}`).toBeCloseTo(fd, 5)
        }
      })
    }
  })

  it('matches a hand-computed case', () => {
    // One weight per layer is enough to read: layer body.0 weights 0..2 with s0 = 0.1, -0.1, 0.1.
    const initial = backbone.weights.map(w => new Float32Array(w.length).fill(0.1))
    initial[0]![1] = -0.1
    const scores = backbone.weights.map(w => new Float32Array(w.length).fill(0.1))
    scores[0]![0] = 0.3 // moved away from 0.1, same side
    scores[0]![1] = 0.2 // started off (s0 = -0.1), now on: flipped
    scores[0]![2] = -0.05 // started on, now off: flipped
    const at = (rule: AnchorRule): number[] => Array.from(anchorGradient(rule, scores, initial)[0]!.subarray(0, 3))
    // L2, λ = 2: λ·(s − s0).
    expect(at({ kind: 'l2', lambda: 2 }).map(x => Number(x.toFixed(6)))).toEqual([0.4, 0.6, -0.3])
    // L1, λ = 2: λ·sign(s − s0).
    expect(at({ kind: 'l1', lambda: 2 })).toEqual([2, 2, -2])
    // Hinge, λ = 2: −λ·σ0 on the flipped ones only.
    expect(at({ kind: 'hinge', lambda: 2 })).toEqual([0, 2, -2])
  })
})

/** sha2-256 of the exported scores of task 0 after three iterations with seed 1 (wasm). */
function trainedDigest(ppo: ConstructorParameters<typeof LifelongLearner>[0]['ppo']): string {
  const spec = taskSpec(META_CTGRAPH_TASKS[0]!)
  const learner = new LifelongLearner({ inputSize: spec.observationSize, numActions: spec.numActions, seed: 1, ppo })
  learner.setTask(spec)
  for (let i = 0; i < 3; i++) learner.trainIteration()
  const hash = createHash('sha256')
  for (const l of learner.exportMask(spec.key).layers)
    hash.update(new Uint8Array(l.scores.buffer, l.scores.byteOffset, l.scores.byteLength))
  learner.dispose()
  return hash.digest('hex')
}

describe('close-to-init training', () => {
  it('off, training is bit-identical to the learner before the option existed', () => {
    // The digest the learner produced before close-to-init was added (commit b06bd0a), same run.
    expect(trainedDigest({ closeToInit: 0 })).toBe('74f772510f9eb26986475dd17e1bda976e7368c2a8a3fd457d2129b602b8c811')
    expect(trainedDigest({ closeToInit: 1e-6 })).not.toBe(
      '74f772510f9eb26986475dd17e1bda976e7368c2a8a3fd457d2129b602b8c811'
    )
  })
})

describe('close-to-init anchor of a mask that did not start at the initial mask', () => {
  /** Mean |s − s0| over all weights of the task's current mask. */
  function meanDistance(learner: LifelongLearner, key: string): number {
    const initial = initialTaskScores(learner.backbone, key)
    let sum = 0
    let n = 0
    learner.exportMask(key).layers.forEach((l, i) => {
      for (let k = 0; k < l.scores.length; k++) sum += Math.abs(l.scores[k]! - initial[i]![k]!)
      n += l.scores.length
    })
    return sum / n
  }

  it('draws an imported mask back towards the task initial scores, not towards the imported ones', () => {
    const spec = taskSpec(META_CTGRAPH_TASKS[0]!)
    const moved = (closeToInit: number): number => {
      const learner = new LifelongLearner({
        inputSize: spec.observationSize,
        numActions: spec.numActions,
        seed: 1,
        ppo: { closeToInit }
      })
      learner.setTask(spec)
      // A mask that differs from the initial one in every weight: its initial scores negated.
      const flipped = learner.exportMask(spec.key)
      learner.importMask({ ...flipped, layers: flipped.layers.map(l => ({ ...l, scores: l.scores.map(x => -x) })) })
      const before = meanDistance(learner, spec.key)
      for (let i = 0; i < 2; i++) learner.trainIteration()
      const after = meanDistance(learner, spec.key)
      learner.dispose()
      return before - after
    }
    // λ far above the policy gradients: Adam moves every score by about lr = 1e-3 per step
    // towards its initial value, 16 steps in two iterations. Off, the scores wander.
    expect(moved(1e-2)).toBeGreaterThan(0.012)
    expect(Math.abs(moved(0))).toBeLessThan(0.004)
  })
})
