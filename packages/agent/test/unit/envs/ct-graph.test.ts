import { describe, expect, it } from 'vitest'
import { EnvUsageError, type StepResult } from '../../../src/envs/env.js'
import { ctGraphImageDataset } from '../../../src/envs/ct-graph-images.js'
import {
  CtGraphConfigError,
  CtGraphEnv,
  ctGraphOptimalActions,
  ctGraphStateCounts,
  ctGraphStateImage,
  l2d2cCtGraphConfig,
  type CtGraphConfig
} from '../../../src/envs/ct-graph.js'
import { MT19937 } from '../../../src/rng/mt19937.js'
import { runEpisodes } from '../../suites/episodes.js'

const D2B2 = l2d2cCtGraphConfig(2, 2, 1)
const D4B2 = l2d2cCtGraphConfig(4, 2, 1)
const D2B3 = l2d2cCtGraphConfig(2, 3, 1)

function sum(values: ArrayLike<number>): number {
  let total = 0
  for (let i = 0; i < values.length; i++) total += values[i] as number
  return total
}

/** The dataset image with its central 6x6 block (rows/cols 3..8) set to `cue`: what the end state must show. */
function cued(image: Uint8Array, cue: number): number[] {
  return Array.from(image, (v, i) => {
    const r = Math.floor(i / 12)
    const c = i % 12
    return r >= 3 && r <= 8 && c >= 3 && c <= 8 ? cue : v
  })
}

interface Step {
  image: number
  reward: number
  done: boolean
  result: StepResult
}

function run(env: CtGraphEnv, actions: readonly number[]): Step[] {
  return actions.map(action => {
    const result = env.step(action)
    return { image: env.describe().imageIndex, reward: result.reward, done: result.terminated, result }
  })
}

describe('l2d2cCtGraphConfig', () => {
  it('reproduces the L2D2-C env_configs image ranges', () => {
    expect(D2B2).toMatchObject({ waitStates: [2, 8], decisionStates: [9, 11], graphEnds: [12, 15], nrOfImages: 16 })
    expect(D4B2).toMatchObject({ waitStates: [2, 32], decisionStates: [33, 47], graphEnds: [48, 63], nrOfImages: 64 })
    expect(D2B3).toMatchObject({ waitStates: [2, 14], decisionStates: [15, 18], graphEnds: [19, 27], nrOfImages: 28 })
  })

  it('uses the L2D2-C constants', () => {
    expect(D2B2).toMatchObject({
      depth: 2,
      branching: 2,
      waitProb: 0,
      highRewardValue: 1,
      crashRewardValue: 0,
      rewardDistribution: 'needle_in_haystack',
      imageSeed: 1,
      generalSeed: 3,
      mdpWaitStates: true,
      mdpDecisionStates: true
    })
  })

  it('counts states as docs/environments.md §2.1 does', () => {
    expect(ctGraphStateCounts(2, 2)).toEqual({ wait: 7, decision: 3, leaves: 4 })
    expect(ctGraphStateCounts(4, 2)).toEqual({ wait: 31, decision: 15, leaves: 16 })
    expect(ctGraphStateCounts(2, 3)).toEqual({ wait: 13, decision: 4, leaves: 9 })
  })
})

describe('CT-graph config validation', () => {
  const bad =
    (patch: Partial<CtGraphConfig>): (() => CtGraphEnv) =>
    () =>
      new CtGraphEnv({ ...D2B2, ...patch }, [0, 0])

  it('refuses shapes and values the reference would clamp or crash on', () => {
    expect(() => l2d2cCtGraphConfig(0, 2, 1)).toThrow(CtGraphConfigError)
    expect(() => l2d2cCtGraphConfig(2, 1, 1)).toThrow(CtGraphConfigError)
    expect(() => l2d2cCtGraphConfig(2, 2, -1)).toThrow(CtGraphConfigError)
    expect(bad({ waitProb: 1 })).toThrow(CtGraphConfigError)
    expect(bad({ waitProb: -0.1 })).toThrow(CtGraphConfigError)
    expect(bad({ highRewardValue: 0 })).toThrow(CtGraphConfigError)
    expect(bad({ crashRewardValue: Number.NaN })).toThrow(CtGraphConfigError)
    expect(bad({ rewardDistribution: 'gaussian' as unknown as 'linear' })).toThrow(CtGraphConfigError)
  })

  it('refuses image ranges that overlap, use the reserved images or exceed the dataset', () => {
    expect(bad({ waitStates: [1, 8] })).toThrow(/reserved/)
    expect(bad({ decisionStates: [8, 11] })).toThrow(/overlap/)
    expect(bad({ nrOfImages: 15 })).toThrow(/only 15 images/)
    expect(bad({ graphEnds: [12, 11] })).toThrow(CtGraphConfigError)
  })

  it('refuses MDP ranges too small for one image per state', () => {
    expect(bad({ waitStates: [2, 7] })).toThrow(/wait images/)
    expect(bad({ decisionStates: [9, 10] })).toThrow(/decision images/)
    expect(bad({ waitStates: [2, 7], mdpWaitStates: false })).not.toThrow()
  })

  it('refuses goal paths of the wrong length or with out-of-range branches', () => {
    expect(() => new CtGraphEnv(D2B2, [0])).toThrow(CtGraphConfigError)
    expect(() => new CtGraphEnv(D2B2, [0, 2])).toThrow(CtGraphConfigError)
    expect(() => new CtGraphEnv(D2B3, [2, 2])).not.toThrow()
  })
})

describe('CT-graph state -> image mapping', () => {
  it('matches the D2B2 table of docs/environments.md §2.4 and gives the 16 MDP states 16 distinct images', () => {
    const table: Array<[number[], number, number | null, number | null]> = [
      [[], 2, 9, null],
      [[0], 3, 10, null],
      [[1], 4, 11, null],
      [[0, 0], 5, null, 15],
      [[0, 1], 6, null, 12],
      [[1, 0], 7, null, 13],
      [[1, 1], 8, null, 14]
    ]
    const images = [ctGraphStateImage(D2B2, 'home', []), ctGraphStateImage(D2B2, 'crash', [])]
    for (const [path, wait, decision, end] of table) {
      expect(ctGraphStateImage(D2B2, 'wait', path)).toBe(wait)
      images.push(wait)
      if (decision !== null) {
        expect(ctGraphStateImage(D2B2, 'decision', path)).toBe(decision)
        images.push(decision)
      }
      if (end !== null) {
        expect(ctGraphStateImage(D2B2, 'end', path)).toBe(end)
        images.push(end)
      }
    }
    expect(images.slice(0, 2)).toEqual([0, 1])
    expect(new Set(images).size).toBe(16)
  })

  it('D4B2: the leaf for path n (4 bits) shows image 48 + ((n + 15) mod 16)', () => {
    for (let n = 0; n < 16; n++) {
      const path = [3, 2, 1, 0].map(bit => (n >> bit) & 1)
      expect(ctGraphStateImage(D4B2, 'end', path)).toBe(48 + ((n + 15) % 16))
    }
  })

  it('B = 3 aliases images as the reference does', () => {
    expect(ctGraphStateImage(D2B3, 'wait', [])).toBe(2)
    expect(ctGraphStateImage(D2B3, 'wait', [1, 2])).toBe(2)
    expect(ctGraphStateImage(D2B3, 'decision', [])).toBe(15)
    expect(ctGraphStateImage(D2B3, 'decision', [2])).toBe(15)
  })

  it('the env shows the images ctGraphStateImage predicts, in every state of a B = 3 walk', () => {
    const env = new CtGraphEnv(D2B3, [1, 2])
    env.reset()
    for (const action of [0, 0, 2, 0, 3, 0]) {
      env.step(action)
      const state = env.describe()
      expect(state.imageIndex).toBe(ctGraphStateImage(D2B3, state.stateType, state.path))
    }
    // v = 3^2 + 1·3 + 2 = 14, image = 19 + (13 mod 9) = 23.
    expect(env.describe()).toEqual({ stateType: 'end', depthIndex: 2, path: [1, 2], imageIndex: 23 })
  })
})

describe('CT-graph episodes (docs/environments.md §2.9 C traces, image seed 1)', () => {
  const images = ctGraphImageDataset(1, 16).images

  const optimal: Array<[number[], number[]]> = [
    [
      [0, 0],
      [2, 9, 3, 10, 5, 15, 0]
    ],
    [
      [0, 1],
      [2, 9, 3, 10, 6, 12, 0]
    ],
    [
      [1, 0],
      [2, 9, 4, 11, 7, 13, 0]
    ],
    [
      [1, 1],
      [2, 9, 4, 11, 8, 14, 0]
    ]
  ]
  for (const [goal, trace] of optimal) {
    it(`task (${goal.join(',')}): the optimal policy is paid on entering the leaf, done one step later`, () => {
      const env = new CtGraphEnv(D2B2, goal)
      expect(Array.from(env.reset())).toEqual(Array.from(images[0] ?? []))
      const actions = env.optimalActions()
      expect(actions).toEqual([0, 0, (goal[0] ?? 0) + 1, 0, (goal[1] ?? 0) + 1, 0, 0])
      const steps = run(env, actions)
      expect(steps.map(s => s.image)).toEqual(trace)
      expect(steps.map(s => s.reward)).toEqual([0, 0, 0, 0, 0, 1, 0])
      expect(steps.map(s => s.done)).toEqual([false, false, false, false, false, false, true])
      steps.forEach((s, i) => {
        const want = i === 5 ? cued(images[s.image] ?? new Uint8Array(), 254) : Array.from(images[s.image] ?? [])
        expect(Array.from(s.result.observation)).toEqual(want)
        expect(s.result.truncated).toBe(false)
      })
    })
  }

  it('task (0,1), wrong leaf 11: no reward, 0 cue, and any action leaves the leaf', () => {
    const env = new CtGraphEnv(D2B2, [0, 1])
    env.reset()
    const steps = run(env, [2, 0, 2, 0, 2, 0, 1])
    expect(steps.map(s => s.image)).toEqual([2, 9, 4, 11, 8, 14, 0])
    expect(steps.map(s => s.reward)).toEqual([0, 0, 0, 0, 0, 0, 0])
    expect(steps.map(s => s.done)).toEqual([false, false, false, false, false, false, true])
    expect(Array.from(steps[5]?.result.observation ?? [])).toEqual(cued(images[14] ?? new Uint8Array(), 0))
  })

  const crashes: Array<[string, number[], number[]]> = [
    ['a non-zero action at the first wait', [1, 1], [2, 1]],
    ['action 0 at a decision', [0, 0, 0], [2, 9, 1]],
    ['a non-zero action at the second wait', [0, 0, 1, 2], [2, 9, 3, 1]]
  ]
  for (const [name, actions, trace] of crashes) {
    it(`crashes on ${name}: crash image, crash reward, done at once`, () => {
      const env = new CtGraphEnv(D2B2, [0, 1])
      env.reset()
      const steps = run(env, actions)
      expect(steps.map(s => s.image)).toEqual(trace)
      expect(steps.map(s => s.done)).toEqual(trace.map((_, i) => i === trace.length - 1))
      expect(steps.every(s => s.reward === 0)).toBe(true)
      expect(Array.from(steps.at(-1)?.result.observation ?? [])).toEqual(Array.from(images[1] ?? []))
      expect(env.describe().stateType).toBe('crash')
    })
  }

  it('pays the configured crash reward', () => {
    const env = new CtGraphEnv({ ...D2B2, crashRewardValue: -1 }, [0, 0])
    env.reset()
    expect(run(env, [0, 0, 0]).map(s => s.reward)).toEqual([0, 0, -1])
  })

  it('home ignores the action', () => {
    for (const action of [0, 1, 2]) {
      const env = new CtGraphEnv(D2B2, [0, 0])
      env.reset()
      expect(run(env, [action])[0]).toMatchObject({ image: 2, reward: 0, done: false })
    }
  })

  const depth4: Array<[number[], number[], number[], number]> = [
    [[0, 0, 0, 0], [0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0], [2, 33, 3, 34, 5, 36, 9, 40, 17, 63, 0], 63],
    [[1, 0, 1, 1], [0, 0, 2, 0, 1, 0, 2, 0, 2, 0, 0], [2, 33, 4, 35, 7, 38, 14, 45, 28, 58, 0], 58]
  ]
  for (const [goal, actions, trace, leafImage] of depth4) {
    it(`D4 task (${goal.join(',')}): optimal trace`, () => {
      const env = new CtGraphEnv(D4B2, goal)
      env.reset()
      expect(env.optimalActions()).toEqual(actions)
      const steps = run(env, actions)
      expect(steps.map(s => s.image)).toEqual(trace)
      expect(steps.map(s => s.reward)).toEqual(trace.map((_, i) => (i === 9 ? 1 : 0)))
      expect(steps.map(s => s.done)).toEqual(trace.map((_, i) => i === 10))
      expect(Array.from(steps[9]?.result.observation ?? [])).toEqual(
        cued(ctGraphImageDataset(1, 64).images[leafImage] ?? new Uint8Array(), 254)
      )
    })
  }

  it('end-state observation sums with the goal (254) and non-goal (0) cue match the reference', () => {
    const table: Array<[number[], number, number]> = [
      [[0, 0], 20819, 11675],
      [[0, 1], 20196, 11052],
      [[1, 0], 17315, 8171],
      [[1, 1], 21040, 11896]
    ]
    for (const [leaf, goalSum, otherSum] of table) {
      const actions = ctGraphOptimalActions(leaf).slice(0, -1)
      const asGoal = new CtGraphEnv(D2B2, leaf)
      asGoal.reset()
      expect(sum(run(asGoal, actions).at(-1)?.result.observation ?? [])).toBe(goalSum)
      const other = new CtGraphEnv(
        D2B2,
        leaf.map(p => 1 - p)
      )
      other.reset()
      expect(sum(run(other, actions).at(-1)?.result.observation ?? [])).toBe(otherSum)
    }
  })

  it('the cue does not leak into the shared dataset image', () => {
    const env = new CtGraphEnv(D2B2, [0, 0])
    env.reset()
    const atLeaf = run(env, [0, 0, 1, 0, 1, 0]).at(-1)?.result.observation
    expect(atLeaf).not.toBe(images[15])
    expect(sum(images[15] ?? [])).toBe(14984)
    expect(sum(ctGraphImageDataset(1, 16).images[15] ?? [])).toBe(14984)
  })

  it('the linear reward distribution weights early decisions more, and the cue scales with it', () => {
    const env = new CtGraphEnv({ ...D2B2, rewardDistribution: 'linear' }, [0, 1])
    // Leaf 00 matches the first (weight 2) of two decisions (weights 2, 1): reward 2/3, cue trunc(254·2/3) = 169.
    env.reset()
    const first = run(env, [0, 0, 1, 0, 1, 0]).at(-1)
    expect(first?.reward).toBeCloseTo(2 / 3, 15)
    expect(first?.result.observation[5 * 12 + 5]).toBe(169)
    env.reset()
    const second = run(env, [0, 0, 2, 0, 2, 0]).at(-1)
    expect(second?.reward).toBeCloseTo(1 / 3, 15)
    expect(second?.result.observation[5 * 12 + 5]).toBe(84)
  })
})

describe('CT-graph usage errors', () => {
  it('refuses step before reset and after a terminal step', () => {
    const env = new CtGraphEnv(D2B2, [0, 0])
    expect(() => env.step(0)).toThrow(EnvUsageError)
    env.reset()
    run(env, [0, 1])
    expect(() => env.step(0)).toThrow(EnvUsageError)
    env.reset()
    run(env, env.optimalActions())
    expect(() => env.step(0)).toThrow(/call reset/)
  })

  it('refuses actions that are not integers in [0, B]', () => {
    const env = new CtGraphEnv(D2B3, [0, 0])
    env.reset()
    for (const action of [4, -1, 0.5, Number.NaN, Infinity]) expect(() => env.step(action)).toThrow(EnvUsageError)
    // A refused action leaves the state alone: the episode goes on from home.
    expect(run(env, [3])[0]).toMatchObject({ image: 2, done: false })
  })

  it('refuses invalid reset seeds', () => {
    const env = new CtGraphEnv(D2B2, [0, 0])
    expect(() => env.reset(-1)).toThrow(EnvUsageError)
    expect(() => env.reset(1.5)).toThrow(EnvUsageError)
  })
})

describe('CT-graph graph RNG', () => {
  /** RandomState(general_seed) after the constructor's D draws of the initial random goal. */
  function graphRng(config: CtGraphConfig, seed = config.generalSeed, skipInitialGoal = true): MT19937 {
    const rng = new MT19937(seed)
    if (skipInitialGoal) for (let i = 0; i < config.depth; i++) rng.randint(0, config.branching)
    return rng
  }

  it('draws rand() at every action 0 at a wait state and stays with probability P', () => {
    const config = { ...D2B2, waitProb: 0.5 }
    const env = new CtGraphEnv(config, [1, 0])
    const replay = graphRng(config)
    env.reset()
    env.step(0)
    for (let t = 0; t < 40 && env.describe().stateType !== 'end'; t++) {
      const before = env.describe()
      const action = before.stateType === 'decision' ? [1, 0][before.depthIndex]! + 1 : 0
      env.step(action)
      const after = env.describe()
      if (before.stateType === 'wait') {
        expect(after.stateType === 'wait').toBe(replay.rand() < 0.5)
      }
    }
    expect(env.describe()).toMatchObject({ stateType: 'end', path: [1, 0] })
  })

  it('reset(seed) re-seeds the graph RNG; reset() continues it', () => {
    const config = { ...D2B2, waitProb: 0.5 }
    // Images seen while pressing 0 from home until the root decision state (or 12 steps).
    const trace = (env: CtGraphEnv, seed?: number): string => {
      env.reset(seed)
      const out: number[] = []
      for (let t = 0; t < 12 && env.describe().stateType !== 'decision'; t++)
        out.push(...run(env, [0]).map(s => s.image))
      return out.join(',')
    }
    const a = new CtGraphEnv(config, [0, 0])
    const b = new CtGraphEnv(config, [0, 0])
    expect(trace(a, 17)).toBe(trace(b, 17))
    // The first wait-probability draw after reset(17) is RandomState(17).rand().
    const c = new CtGraphEnv(config, [0, 0])
    c.reset(17)
    c.step(0)
    c.step(0)
    expect(c.describe().stateType === 'wait').toBe(new MT19937(17).rand() < 0.5)
    const seen = new Set<string>()
    for (let i = 0; i < 20; i++) seen.add(trace(a))
    expect(seen.size).toBeGreaterThan(1)
  })

  it('with P > 0 the optimal policy needs 2D+3 + (D+1)·P/(1-P) steps on average', () => {
    const P = 0.5
    const env = new CtGraphEnv({ ...D2B2, waitProb: P }, [0, 1])
    const episodes = 10000
    const { steps, totalReturn: returns } = runEpisodes(env, episodes, e => {
      const state = e.describe()
      return state.stateType === 'decision' ? [0, 1][state.depthIndex]! + 1 : 0
    })
    // Extra steps: stays at 3 waits, each geometric with variance P/(1-P)^2 = 2, so σ of the mean
    // is sqrt(6 / 10000) ≈ 0.024; the tolerance is 6σ.
    expect(Math.abs(steps / episodes - (7 + (3 * P) / (1 - P)))).toBeLessThan(0.15)
    expect(returns).toBe(episodes)
  })

  it('non-MDP images are drawn from the graph RNG at every visit, in the reference order', () => {
    const config = { ...D2B2, mdpWaitStates: false, mdpDecisionStates: false }
    const env = new CtGraphEnv(config, [0, 1])
    const replay = graphRng(config)
    env.reset()
    const expected: number[] = []
    // home -> wait (draw wait image); per level: wait 0 (rand, then decision image), decision (wait image).
    expected.push(replay.randint(2, 9))
    for (let level = 0; level < 2; level++) {
      replay.rand()
      expected.push(replay.randint(9, 12))
      expected.push(replay.randint(2, 9))
    }
    replay.rand()
    expected.push(replay.randint(12, 16))
    expected.push(0)
    const steps = run(env, env.optimalActions())
    expect(steps.map(s => s.image)).toEqual(expected)
    expect(steps[5]?.reward).toBe(1)
  })
})

describe('CT-graph random policy (D2B2)', () => {
  it('succeeds with probability 3^-5 and lasts 2.695 steps on average', () => {
    const env = new CtGraphEnv(D2B2, [1, 0])
    const actions = new MT19937(2024)
    const episodes = 300_000
    const { steps, successes } = runEpisodes(env, episodes, () => actions.randint(0, 3))
    // Exact distribution (docs/environments.md §2.7): gates after home pass with 1/3 (wait: action 0), 2/3 (decision),
    // and the right branch is 1 of 3 actions, so P(success) = 3^-5; the length distribution follows
    // from where the first failed gate is.
    const gates = [1 / 3, 2 / 3, 1 / 3, 2 / 3, 1 / 3]
    let reach = 1
    let meanLength = 0
    let meanSquare = 0
    gates.forEach((pass, j) => {
      const length = j + 2
      meanLength += reach * (1 - pass) * length
      meanSquare += reach * (1 - pass) * length * length
      reach *= pass
    })
    meanLength += reach * 7
    meanSquare += reach * 49
    const pSuccess = 3 ** -5
    expect(meanLength).toBeCloseTo(2.695, 3)
    // Tolerances: 5 standard errors of each estimator over these episodes (binomial for the
    // success rate: ±5.8e-4 around 4.12e-3; Var(length) = 1.38 for the mean length: ±0.011).
    // A correct env fails this with probability < 1e-6 for any action seed; a one-gate error in
    // the dynamics moves either figure by far more (e.g. 2/3 instead of 1/3 doubles the success rate).
    const successSe = Math.sqrt((pSuccess * (1 - pSuccess)) / episodes)
    const lengthSe = Math.sqrt((meanSquare - meanLength ** 2) / episodes)
    expect(Math.abs(successes / episodes - pSuccess)).toBeLessThan(5 * successSe)
    expect(Math.abs(steps / episodes - meanLength)).toBeLessThan(5 * lengthSe)
  })
})
