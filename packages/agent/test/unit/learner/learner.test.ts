import { decodeMask, encodeMask } from '@l2d2c/protocol'
import * as tf from '@tensorflow/tfjs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { META_CTGRAPH_TASKS, taskSpec } from '../../../src/envs/index.js'
import { LearnerError, LifelongLearner, type LearnerOptions } from '../../../src/learner/lifelong-learner.js'
import { initTfBackend } from '../../../src/learner/tf-backend.js'
import { MaskCompatibilityError, type TaskMask } from '../../../src/masks/mask.js'
import { initialTaskScores } from '../../../src/masks/score-init.js'
import { createPrng } from '../../../src/rng/prng.js'

const A = taskSpec(META_CTGRAPH_TASKS[0]!)
const B = taskSpec(META_CTGRAPH_TASKS[5]!)
const C = taskSpec(META_CTGRAPH_TASKS[10]!)
/** Small iterations keep these tests fast; the maths is the same. */
const small: LearnerOptions = {
  inputSize: 144,
  numActions: 3,
  seed: 3,
  ppo: { numEnvs: 2, rolloutLength: 32, minibatchSize: 32, epochs: 2 }
}

function randomObservations(n: number, seed: number): Uint8Array[] {
  const rng = createPrng(seed)
  return Array.from({ length: n }, () => Uint8Array.from({ length: 144 }, () => rng.nextInt(256)))
}

/** The mask as another node receives it in the BITS encoding: through the protocol codec's bytes. */
function throughBits(mask: TaskMask): TaskMask {
  return decodeMask(encodeMask(mask, 'bits'))
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
}

const learners: LifelongLearner[] = []
function make(options: Partial<LearnerOptions> = {}): LifelongLearner {
  const l = new LifelongLearner({ ...small, ...options, ppo: { ...small.ppo, ...options.ppo } })
  learners.push(l)
  return l
}

beforeAll(async () => {
  await initTfBackend('wasm')
})
afterEach(() => {
  for (const l of learners.splice(0)) l.dispose()
})

describe('lifelong learner: memory', () => {
  it('leaks no tensors across training, evaluation, task switches, import/export and dispose', () => {
    const before = tf.memory().numTensors
    const learner = make()
    learner.setTask(A)
    const steady = tf.memory().numTensors
    learner.trainIteration()
    expect(tf.memory().numTensors).toBe(steady)
    learner.evaluate(A.key, { episodes: 5 })
    expect(tf.memory().numTensors).toBe(steady)
    learner.importMask(learner.exportMask(A.key))
    expect(tf.memory().numTensors).toBe(steady)
    learner.setTask(B)
    learner.trainIteration()
    learner.evaluate(A.key, { episodes: 5 })
    learner.importMask(throughBits(learner.exportMask(A.key)))
    expect(tf.memory().numTensors).toBe(steady)
    learner.greedyActions(randomObservations(1, 1), A.key)
    learner.setTask(A)
    expect(tf.memory().numTensors).toBe(steady)
    learner.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })

  it('leaks no tensors under LC (combination stacks are freed at task end)', () => {
    const learner = make({ newMaskMode: 'lc' })
    learner.setTask(A)
    const steady = tf.memory().numTensors
    learner.trainIteration()
    learner.setTask(B)
    learner.trainIteration()
    learner.evaluate(B.key, { episodes: 3 })
    learner.setTask(A)
    expect(tf.memory().numTensors).toBe(steady)
  })
})

describe('lifelong learner: masks per task', () => {
  it('never forgets: training task B leaves task A scores and greedy actions bit-identical', () => {
    const learner = make()
    learner.setTask(A)
    learner.trainIteration()
    learner.trainIteration()
    const maskA = learner.exportMask(A.key)
    const obs = randomObservations(200, 2)
    const actionsA = learner.greedyActions(obs, A.key)
    learner.setTask(B)
    for (let i = 0; i < 3; i++) learner.trainIteration()
    const again = learner.exportMask(A.key)
    again.layers.forEach((l, i) => {
      expect(sameBits(l.scores, maskA.layers[i]!.scores)).toBe(true)
    })
    expect(learner.greedyActions(obs, A.key)).toEqual(actionsA)
    // B did move away from its initial scores.
    const fresh = make()
    fresh.setTask(B)
    expect(sameBits(learner.exportMask(B.key).layers[0]!.scores, fresh.exportMask(B.key).layers[0]!.scores)).toBe(false)
  })

  it('starts each new task from the scores any node regenerates from (backbone, task key)', () => {
    const one = make({ seed: 1 })
    const two = make({ seed: 99 })
    one.setTask(C)
    two.setTask(C)
    one.exportMask(C.key).layers.forEach((l, i) => {
      expect(sameBits(l.scores, two.exportMask(C.key).layers[i]!.scores)).toBe(true)
    })
  })

  it('a mask sent as BITS through the protocol codec reproduces the exporter greedy action on every observation', () => {
    const exporter = make()
    exporter.setTask(A)
    for (let i = 0; i < 3; i++) exporter.trainIteration()
    const exported = exporter.exportMask(A.key)
    const bits = throughBits(exported)
    // The codec kept only the signs (one magnitude per layer), so this is a real BITS round trip.
    expect(new Set(bits.layers[0]!.scores.map(Math.abs)).size).toBe(1)
    expect(sameBits(bits.layers[0]!.scores, exported.layers[0]!.scores)).toBe(false)
    const obs = randomObservations(1000, 3)
    const expected = exporter.greedyActions(obs)
    expect(new Set(expected).size).toBeGreaterThan(1)

    const elsewhere = make({ seed: 17 })
    elsewhere.importMask(bits)
    expect(elsewhere.greedyActions(obs, A.key)).toEqual(expected)

    // Installed as the current task of a learner that was training it.
    const current = make({ seed: 18 })
    current.setTask(A)
    current.trainIteration()
    current.importMask(bits)
    expect(current.greedyActions(obs)).toEqual(expected)
    current.trainIteration()
    expect(current.status().tasks.find(t => t.key === A.key)?.origin).toBe('trained')
  })

  it('refuses incompatible masks with a typed error and keeps its own', () => {
    const learner = make()
    learner.setTask(A)
    const mask = learner.exportMask(A.key)
    const other = new LifelongLearner({ ...small, backboneSeed: 1234 })
    learners.push(other)
    expect(() => other.importMask(mask)).toThrow(MaskCompatibilityError)
    expect(() => learner.importMask({ ...mask, layers: mask.layers.slice(1) })).toThrow(MaskCompatibilityError)
    expect(() => learner.exportMask('ctgraph/d2b2/img9/leaf11')).toThrow(LearnerError)
  })

  it('evaluates a candidate mask without adopting it', () => {
    const learner = make()
    learner.setTask(A)
    const own = learner.exportMask(A.key)
    const candidate = throughBits(own)
    candidate.layers[3]!.scores.fill(-1)
    const result = learner.evaluate(A, { episodes: 4, mask: candidate })
    expect(result.episodes).toBe(4)
    learner.exportMask(A.key).layers.forEach((l, i) => {
      expect(sameBits(l.scores, own.layers[i]!.scores)).toBe(true)
    })
  })

  it("draws sweep evaluations from a stream of their own: they leave the main evaluations' episodes unchanged", () => {
    // Three learners with the same seed meet A and B and train A one iteration, then run the
    // same main evaluation of A; in between, `sweeps` evaluates B and A on the sweep stream and
    // `shared` runs the same evaluations on the main stream.
    const [plain, sweeps, shared] = [make(), make(), make()]
    for (const l of [plain, sweeps, shared]) {
      l.setTask(B)
      l.setTask(A)
      l.trainIteration()
    }
    const main = (l: LifelongLearner): { returns: number[]; steps: number } => {
      const r = l.evaluate(A.key, { episodes: 25 })
      return { returns: r.returns, steps: r.steps }
    }
    main(plain)
    main(sweeps)
    main(shared)
    for (const key of [B.key, A.key]) {
      expect(sweeps.evaluate(key, { episodes: 25, stream: 'sweep' }).episodes).toBe(25)
      shared.evaluate(key, { episodes: 25 })
    }
    const second = main(plain)
    expect(main(sweeps)).toEqual(second)
    // The check can fail: the same evaluations on the main stream do change the next draw.
    expect(main(shared)).not.toEqual(second)
  })

  it('plays one recorded episode: a reset frame, then one frame per action, ending done, drawn as a CT-graph image', () => {
    const learner = make()
    learner.setTask(A)
    const before = learner.evaluate(A.key, { episodes: 1 })
    const episode = learner.play(A.key, { greedy: true })
    const [first, ...steps] = episode.frames
    expect(first).toMatchObject({ action: null, reward: 0, done: false, side: 12, grid: null })
    expect(first?.image).toHaveLength(144)
    expect(first?.caption).toContain('state home')
    expect(steps.length).toBeGreaterThan(0)
    for (const f of steps) expect(f.action).toBeGreaterThanOrEqual(0)
    expect(steps.at(-1)?.done).toBe(true)
    expect(steps.slice(0, -1).every(f => !f.done)).toBe(true)
    expect(episode.totalReward).toBe(steps.reduce((s, f) => s + f.reward, 0))
    // Greedy play of the same mask is the same episode; and playing draws from its own stream
    // (a second learner that did not play gets the same next evaluation).
    expect(learner.play(A.key, { greedy: true }).frames.map(f => f.action)).toEqual(episode.frames.map(f => f.action))
    const twin = make()
    twin.setTask(A)
    twin.evaluate(A.key, { episodes: 1 })
    expect(learner.evaluate(A.key, { episodes: 3 }).returns).toEqual(twin.evaluate(A.key, { episodes: 3 }).returns)
    expect(before.episodes).toBe(1)
  })

  it('plays a MiniGrid task as text grids', () => {
    const m = taskSpec('minigrid/SimpleCrossingS9N1/seed9157')
    const learner = make({ inputSize: m.observationSize, numActions: m.numActions })
    learner.setTask(m)
    const episode = learner.play(m.key)
    expect(episode.frames[0]?.grid?.split('\n').length).toBeGreaterThan(5)
    expect(episode.frames[0]?.caption).toMatch(/^agent at \(\d+,\d+\) facing /)
    expect(episode.frames[0]?.image).toBeNull()
    expect(episode.frames.length).toBeGreaterThan(1)
    expect(episode.frames.length).toBeLessThanOrEqual(501)
  })

  it('is driven by plain task keys (resolved through the task registry)', () => {
    const learner = make()
    learner.setTask(B.key)
    expect(learner.status().currentTask).toBe(B.key)
    learner.trainIteration()
    const imported = make({ seed: 5 })
    imported.importMask(learner.exportMask(B.key))
    expect(imported.evaluate(B.key, { episodes: 3 }).episodes).toBe(3)
    expect(() => learner.setTask('ctgraph/d2b2/img1/leaf2')).toThrow(LearnerError)
  })

  it('is created after selecting the backend and reports it', async () => {
    const learner = await LifelongLearner.create({ ...small, backend: 'wasm' })
    learners.push(learner)
    expect(learner.status()).toMatchObject({
      backend: 'wasm',
      currentTask: null,
      newMaskMode: 'random',
      totalSteps: 0,
      tasks: []
    })
    expect(learner.status().backboneId).toBe(learner.backbone.id)
  })

  it('reports misuse with typed errors', () => {
    const learner = make()
    expect(() => learner.trainIteration()).toThrow(LearnerError)
    expect(() => learner.setTask({ ...A, observationSize: 147 })).toThrow(LearnerError)
    learner.dispose()
    expect(() => learner.setTask(A)).toThrow(LearnerError)
  })
})

describe('lifelong learner: LC and BLC', () => {
  it('starts a new LC task with uniform weights 1/(t+1) over the earlier masks and itself', () => {
    const learner = make({ newMaskMode: 'lc' })
    learner.setTask(A)
    expect(learner.status().combinationWeights).toBeNull()
    learner.setTask(B)
    learner.setTask(C)
    const weights = learner.status().combinationWeights!
    expect(weights).toHaveLength(5)
    for (const w of weights.slice(0, 3)) for (const v of w) expect(v).toBeCloseTo(1 / 3, 6)
    // By default the heads start from the new task's own scores.
    for (const w of weights.slice(3)) expect(w).toEqual([0, 0, 1])
  })

  it('starts a new BLC task with 0.5 on itself and 0.5/t on each earlier mask', () => {
    const learner = make({ newMaskMode: 'blc' })
    learner.setTask(A)
    learner.setTask(B)
    learner.setTask(C)
    for (const w of learner.status().combinationWeights!.slice(0, 3)) {
      expect(w[0]).toBeCloseTo(0.25, 6)
      expect(w[1]).toBeCloseTo(0.25, 6)
      expect(w[2]).toBeCloseTo(0.5, 6)
    }
  })

  it('consolidates at task end: the stored mask is the combination, and earlier masks are untouched', () => {
    const learner = make({ newMaskMode: 'blc' })
    learner.setTask(A)
    learner.trainIteration()
    const maskA = learner.exportMask(A.key)
    learner.setTask(B)
    learner.trainIteration()
    learner.trainIteration()
    const weights = learner.status().combinationWeights!
    expect(weights[0]![1]).not.toBeCloseTo(0.5, 6)
    const live = learner.exportMask(B.key)
    const obs = randomObservations(300, 4)
    const actions = learner.greedyActions(obs)
    learner.endTask()
    const stored = learner.exportMask(B.key)
    stored.layers.forEach((l, i) => {
      expect(sameBits(l.scores, live.layers[i]!.scores)).toBe(true)
    })
    expect(learner.greedyActions(obs, B.key)).toEqual(actions)
    learner.exportMask(A.key).layers.forEach((l, i) => {
      expect(sameBits(l.scores, maskA.layers[i]!.scores)).toBe(true)
    })
    // A revisited task trains plainly (no combination).
    learner.setTask(B)
    expect(learner.status().combinationWeights).toBeNull()
  })

  it('combines the body layers and starts the heads from the new task alone by default, all layers on request', () => {
    for (const combineLayers of ['body', 'all'] as const) {
      const learner = make({ newMaskMode: 'blc', combineLayers })
      learner.setTask(A)
      for (let i = 0; i < 3; i++) learner.trainIteration()
      const stored = learner.exportMask(A.key).layers.map(l => l.scores)
      learner.setTask(B)
      const live = learner.exportMask(B.key)
      const own = initialTaskScores(learner.backbone, B.key)
      live.layers.forEach((l, i) => {
        const combined = combineLayers === 'all' || i < learner.backbone.bodyDepth
        for (let k = 0; k < l.scores.length; k += 97) {
          expect(l.scores[k]).toBeCloseTo(combined ? 0.5 * stored[i]![k]! + 0.5 * own[i]![k]! : own[i]![k]!, 5)
        }
      })
      const weights = learner.status().combinationWeights!
      expect(weights[3]).toEqual(combineLayers === 'all' ? [0.5, 0.5] : [0, 1])
      learner.trainIteration()
    }
  })

  it("setBasis (transfer): an untrained BLC task combines peers' masks of other tasks, which stay no task's record here", () => {
    const donor = make({ seed: 8 })
    donor.setTask(A)
    donor.trainIteration()
    const peerA = throughBits(donor.exportMask(A.key))
    donor.setTask(C)
    const peerC = throughBits(donor.exportMask(C.key))
    const learner = make({ newMaskMode: 'blc' })
    learner.setTask(B)
    expect(learner.status().combinationWeights).toBeNull()
    expect(learner.setBasis([peerA, peerC])).toBe(2)
    const weights = learner.status().combinationWeights!
    expect(weights[0]![0]).toBeCloseTo(0.25, 6)
    expect(weights[0]![2]).toBeCloseTo(0.5, 6)
    // Body layers start from 0.25·A + 0.25·C + 0.5·own.
    const own = initialTaskScores(learner.backbone, B.key)
    const live = learner.exportMask(B.key)
    for (let k = 0; k < live.layers[0]!.scores.length; k += 97)
      expect(live.layers[0]!.scores[k]).toBeCloseTo(
        0.25 * peerA.layers[0]!.scores[k]! + 0.25 * peerC.layers[0]!.scores[k]! + 0.5 * own[0]![k]!,
        5
      )
    learner.trainIteration()
    expect(learner.status().tasks.map(t => t.key)).toEqual([B.key])
    expect(() => learner.exportMask(A.key)).toThrow()
  })

  it('setBasis is a no-op under random init, on a trained task, and for a basis of the task itself; a foreign backbone is refused', () => {
    const donor = make({ seed: 8 })
    donor.setTask(A)
    const peerA = donor.exportMask(A.key)
    const random = make()
    random.setTask(B)
    expect(random.setBasis([peerA])).toBe(0)
    expect(random.status().combinationWeights).toBeNull()
    const blc = make({ newMaskMode: 'blc' })
    blc.setTask(B)
    expect(blc.setBasis([{ ...peerA, taskKey: B.key }])).toBe(0)
    blc.trainIteration()
    expect(blc.setBasis([peerA])).toBe(0)
    const fresh = make({ newMaskMode: 'blc' })
    fresh.setTask(B)
    expect(() => fresh.setBasis([{ ...peerA, backboneId: 'other' }])).toThrow(MaskCompatibilityError)
  })

  it('importing a mask into the current LC task replaces the combination by that mask', () => {
    const learner = make({ newMaskMode: 'lc' })
    learner.setTask(A)
    learner.setTask(B)
    expect(learner.status().combinationWeights).not.toBeNull()
    const donor = make({ seed: 8 })
    donor.setTask(B)
    donor.trainIteration()
    const mask = donor.exportMask(B.key)
    learner.importMask(mask)
    expect(learner.status().combinationWeights).toBeNull()
    learner.exportMask(B.key).layers.forEach((l, i) => {
      expect(sameBits(l.scores, mask.layers[i]!.scores)).toBe(true)
    })
  })
})
