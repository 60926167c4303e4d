import { isUint32 } from '../rng/errors.js'
import { MT19937 } from '../rng/mt19937.js'
import { EnvUsageError, type Env, type StepResult } from './env.js'
import {
  CT_GRAPH_HIGH_VALUE,
  CT_GRAPH_IMAGE_PIXELS,
  CT_GRAPH_IMAGE_SIDE,
  MAX_DATASET_IMAGES,
  ctGraphImageDataset
} from './ct-graph-images.js'

/**
 * The CT-graph (Configurable Tree graph) as L2D2-C uses it: soltoggio/CT-graph commit f370c19,
 * "2D" observations, semantics of docs/environments.md §2.1–2.4.
 *
 * Fixed to the L2D2-C values and therefore not configurable here: 12x12 images,
 * `noise_on_images_on_read` 0 and `small_rotation_on_read` 1 (so reading an image draws
 * nothing and returns the stored image), `stochastic_sampling` false, automatic task switching
 * off (`min/max_static_reward_episodes` 0). The goal (high-reward path) is set per environment,
 * as the meta wrapper's `set_high_reward_path` does.
 */

export type CtGraphRewardDistribution = 'needle_in_haystack' | 'linear'

/** An inclusive image-index range [first, last] of the dataset. */
export type CtGraphImageRange = readonly [number, number]

/** The f370c19 config keys that matter, renamed to camelCase (`graph_shape.depth` -> depth, ...). */
export interface CtGraphConfig {
  /** D: number of decisions on the way to a leaf. */
  readonly depth: number
  /** B: children per decision state. */
  readonly branching: number
  /** P: probability that action 0 at a wait state stays there. */
  readonly waitProb: number
  readonly highRewardValue: number
  readonly crashRewardValue: number
  readonly rewardDistribution: CtGraphRewardDistribution
  /** Seeds the image dataset. */
  readonly imageSeed: number
  /** Seeds the graph RNG (wait-probability and non-MDP image draws). 3 in every L2D2-C config. */
  readonly generalSeed: number
  readonly waitStates: CtGraphImageRange
  readonly decisionStates: CtGraphImageRange
  readonly graphEnds: CtGraphImageRange
  readonly nrOfImages: number
  /** One image per wait state (true in L2D2-C); false draws a random image of the range at each visit. */
  readonly mdpWaitStates: boolean
  /** One image per decision state (true in L2D2-C); false draws a random image of the range at each visit. */
  readonly mdpDecisionStates: boolean
}

/** A config that cannot describe a CT-graph (bad shape, overlapping image ranges, ...). */
export class CtGraphConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CtGraphConfigError'
  }
}

/** Number of wait states (sum of B^i, i = 0..D), decision states (i = 0..D-1) and leaves (B^D). */
export function ctGraphStateCounts(
  depth: number,
  branching: number
): { wait: number; decision: number; leaves: number } {
  let wait = 0
  let decision = 0
  let level = 1
  for (let i = 0; i <= depth; i++) {
    wait += level
    if (i < depth) decision += level
    if (i < depth) level *= branching
  }
  return { wait, decision, leaves: level }
}

/**
 * The config of the L2D2-C `ctgraph_d{D}[_b{B}]_imgseed{N}.json` files for any D, B and image seed:
 * images 0 and 1 for home and crash, then one image per wait state, one per decision state and
 * one per leaf, in that order (d2b2: [2,8] [9,11] [12,15], 16 images).
 */
export function l2d2cCtGraphConfig(depth: number, branching: number, imageSeed: number): CtGraphConfig {
  checkCtGraphShape(depth, branching)
  const counts = ctGraphStateCounts(depth, branching)
  const waitFirst = 2
  const decisionFirst = waitFirst + counts.wait
  const endFirst = decisionFirst + counts.decision
  const config: CtGraphConfig = {
    depth,
    branching,
    waitProb: 0,
    highRewardValue: 1,
    crashRewardValue: 0,
    rewardDistribution: 'needle_in_haystack',
    imageSeed,
    generalSeed: 3,
    waitStates: [waitFirst, decisionFirst - 1],
    decisionStates: [decisionFirst, endFirst - 1],
    graphEnds: [endFirst, endFirst + counts.leaves - 1],
    nrOfImages: endFirst + counts.leaves,
    mdpWaitStates: true,
    mdpDecisionStates: true
  }
  validateCtGraphConfig(config)
  return config
}

/** Largest tree we accept: B^D leaves are enumerated by tasks and indexed by plain numbers. */
const MAX_LEAVES = 1 << 20

function checkShape(depth: number, branching: number): void {
  if (!Number.isInteger(depth) || depth < 1) throw new CtGraphConfigError(`depth must be an integer >= 1, got ${depth}`)
  if (!Number.isInteger(branching) || branching < 2)
    throw new CtGraphConfigError(`branching must be an integer >= 2, got ${branching}`)
  if (branching ** depth > MAX_LEAVES)
    throw new CtGraphConfigError(`a depth-${depth}, branching-${branching} graph has more than ${MAX_LEAVES} leaves`)
}

/**
 * Throws CtGraphConfigError unless `l2d2cCtGraphConfig(depth, branching, ...)` can build the graph:
 * besides the shape bounds, its one-image-per-state dataset (2 + wait + decision + leaf images)
 * must fit MAX_DATASET_IMAGES. Task-key parsing calls this so a key that parses can be built.
 */
export function checkCtGraphShape(depth: number, branching: number): void {
  checkShape(depth, branching)
  const counts = ctGraphStateCounts(depth, branching)
  const images = 2 + counts.wait + counts.decision + counts.leaves
  if (images > MAX_DATASET_IMAGES) {
    throw new CtGraphConfigError(
      `a depth-${depth}, branching-${branching} graph needs ${images} images, more than the ${MAX_DATASET_IMAGES} a dataset may hold`
    )
  }
}

function checkSeed(name: string, seed: number): void {
  if (!isUint32(seed)) throw new CtGraphConfigError(`${name} must be an integer in [0, 2^32), got ${seed}`)
}

function rangeSize(range: CtGraphImageRange): number {
  return range[1] - range[0] + 1
}

/**
 * Throws CtGraphConfigError unless the config is one the reference accepts. Where the reference
 * silently replaced a bad value (depth < 1 -> 1, B < 2 -> 2, P outside [0,1) -> 0) we refuse it.
 */
export function validateCtGraphConfig(config: CtGraphConfig): void {
  checkShape(config.depth, config.branching)
  if (!(config.waitProb >= 0 && config.waitProb < 1))
    throw new CtGraphConfigError(`waitProb must be in [0, 1), got ${config.waitProb}`)
  if (!Number.isFinite(config.highRewardValue) || config.highRewardValue === 0) {
    throw new CtGraphConfigError(
      `highRewardValue must be finite and non-zero (the reward cue divides by it), got ${config.highRewardValue}`
    )
  }
  if (!Number.isFinite(config.crashRewardValue))
    throw new CtGraphConfigError(`crashRewardValue must be finite, got ${config.crashRewardValue}`)
  if (config.rewardDistribution !== 'needle_in_haystack' && config.rewardDistribution !== 'linear') {
    throw new CtGraphConfigError(`unknown rewardDistribution '${String(config.rewardDistribution)}'`)
  }
  checkSeed('imageSeed', config.imageSeed)
  checkSeed('generalSeed', config.generalSeed)
  if (!Number.isInteger(config.nrOfImages) || config.nrOfImages < 2 || config.nrOfImages > MAX_DATASET_IMAGES) {
    throw new CtGraphConfigError(
      `nrOfImages must be an integer in [2, ${MAX_DATASET_IMAGES}], got ${config.nrOfImages}`
    )
  }
  const ranges: Array<[string, CtGraphImageRange]> = [
    ['waitStates', config.waitStates],
    ['decisionStates', config.decisionStates],
    ['graphEnds', config.graphEnds]
  ]
  for (const [name, [first, last]] of ranges) {
    if (!Number.isInteger(first) || !Number.isInteger(last) || first > last)
      throw new CtGraphConfigError(`${name} must be an integer range [first, last], got [${first}, ${last}]`)
    if (first < 2)
      throw new CtGraphConfigError(`${name} starts at ${first}: images 0 and 1 are reserved for home and crash`)
  }
  if (config.waitStates[1] >= config.decisionStates[0] || config.decisionStates[1] >= config.graphEnds[0]) {
    throw new CtGraphConfigError(
      'image ranges must not overlap and must come in the order waitStates, decisionStates, graphEnds'
    )
  }
  if (config.graphEnds[1] >= config.nrOfImages)
    throw new CtGraphConfigError(
      `graphEnds reaches image ${config.graphEnds[1]} but there are only ${config.nrOfImages} images`
    )
  const counts = ctGraphStateCounts(config.depth, config.branching)
  if (config.mdpWaitStates && counts.wait > rangeSize(config.waitStates)) {
    throw new CtGraphConfigError(
      `${counts.wait} wait states need ${counts.wait} wait images, the range has ${rangeSize(config.waitStates)}`
    )
  }
  if (config.mdpDecisionStates && counts.decision > rangeSize(config.decisionStates)) {
    throw new CtGraphConfigError(
      `${counts.decision} decision states need ${counts.decision} decision images, the range has ${rangeSize(config.decisionStates)}`
    )
  }
}

/** State types, numbered as the reference numbers them. */
const HOME = 0
const WAIT = 1
const DECISION = 2
const END = 3
const CRASH = 4

export type CtGraphStateType = 'home' | 'wait' | 'decision' | 'end' | 'crash'
const STATE_TYPE_NAMES: readonly CtGraphStateType[] = ['home', 'wait', 'decision', 'end', 'crash']

/** What a text renderer or a tool needs to know about the current state. */
export interface CtGraphStateDescription {
  readonly stateType: CtGraphStateType
  /** Decisions taken so far (0..D). */
  readonly depthIndex: number
  /** The branches taken so far (each 0..B-1), oldest first. */
  readonly path: readonly number[]
  /** Dataset image shown in this state (before the reward cue, for the end state). */
  readonly imageIndex: number
}

/**
 * The image index of a wait, decision or end state in MDP mode (`CTgraphEnv.X`): with the path
 * read as a base-B number with a leading 1, v = B^k + sum p_i·B^(k-1-i) (v = 0 at the root),
 * image = first + (max(v - 1, 0) mod range size). For B = 2 this is the node's breadth-first
 * index; for B = 3 the L2D2-C ranges are too small for that and images alias (kept on purpose).
 */
export function ctGraphStateImage(config: CtGraphConfig, stateType: CtGraphStateType, path: readonly number[]): number {
  if (stateType === 'home') return 0
  if (stateType === 'crash') return 1
  const range =
    stateType === 'wait' ? config.waitStates : stateType === 'decision' ? config.decisionStates : config.graphEnds
  return range[0] + (Math.max(nodeCode(path, config.branching) - 1, 0) % rangeSize(range))
}

/** v of ctGraphStateImage: 0 for the empty path, else the path in base B behind a leading 1. */
function nodeCode(path: readonly number[], branching: number): number {
  if (path.length === 0) return 0
  let code = 1
  for (const p of path) code = code * branching + p
  return code
}

/**
 * The shortest action sequence that earns the goal reward and ends the episode:
 * [any (home), then per level 0 (wait) and p_i + 1 (decision), 0 (last wait), any (leaf)],
 * 2D + 3 actions, with 0 for the "any" ones. The reward arrives on action 2D + 2.
 */
export function ctGraphOptimalActions(goalPath: readonly number[]): number[] {
  const actions = [0]
  for (const p of goalPath) actions.push(0, p + 1)
  actions.push(0, 0)
  return actions
}

function frozenResult(observation: Uint8Array, reward: number, terminated: boolean): StepResult {
  return Object.freeze({ observation, reward, terminated, truncated: false })
}

/**
 * One CT-graph task: a config plus the goal leaf (the high-reward path).
 *
 * Dynamics (docs/environments.md §2.2): action 0 is "wait/advance", action a in 1..B takes branch a-1. Home ignores
 * the action and leads to the root wait state. At a wait state action 0 draws rand() from the
 * graph RNG (always, even when P = 0, so the stream stays aligned with the reference) and stays
 * with probability P, else moves on to the decision state, or to the leaf after D decisions; any
 * other action crashes. At a decision state action 0 crashes. Entering the leaf pays the reward
 * with terminated = false; the next step, whatever the action, ends the episode (reward 0, the
 * observation is the home image). A crash ends the episode at once with the crash reward and the
 * crash image. The reference's "step from the crash state" is never reached: like every Env here,
 * stepping after a terminal step without reset throws.
 *
 * Graph RNG: the reference seeds it with the image seed, re-seeds it with `general_seed`, and draws
 * the initial random goal path (D × randint(0, B)) before the meta wrapper overrides the goal. The
 * constructor repeats those draws so later draws line up. `reset(seed)` re-seeds the graph RNG with
 * `seed` (numpy `RandomState.seed`); `reset()` leaves it running, as the reference's reset does.
 * With the L2D2-C configs (P = 0, MDP images) the graph RNG has no observable effect.
 *
 * Observations are shared, read-only arrays (the dataset images, cached per image seed, and per-leaf
 * copies carrying the reward cue); step results are frozen objects cached per image, so a step
 * allocates nothing.
 */
export class CtGraphEnv implements Env {
  readonly observationSize = CT_GRAPH_IMAGE_PIXELS
  readonly numActions: number
  readonly config: CtGraphConfig
  readonly goalPath: readonly number[]

  private readonly depth: number
  private readonly branching: number
  private readonly waitProb: number
  private readonly images: readonly Uint8Array[]
  private readonly rng: MT19937
  /** Non-terminal, zero-reward results, one per dataset image. */
  private readonly plainResults: readonly StepResult[]
  private readonly crashResult: StepResult
  private readonly leafExitResult: StepResult
  /** Results of entering a leaf (cue image + reward), built on first visit; key leaf·nrOfImages + image. */
  private readonly endResults = new Map<number, StepResult>()
  /** First image and size of each range, as plain fields because step reads them on the hot path. */
  private readonly waitFirst: number
  private readonly waitCount: number
  private readonly decisionFirst: number
  private readonly decisionCount: number
  private readonly endFirst: number
  private readonly endCount: number
  private readonly mdpWaits: boolean
  private readonly mdpDecisions: boolean
  /** Node code of leaf 0...0 (B^D); leaf n (path as a base-B number) is firstLeafNode + n. */
  private readonly firstLeafNode: number

  private stateType = HOME
  private depthIndex = 0
  /** Path so far in base B behind a leading 1 (1 at the root): the node's identity. */
  private node = 1
  private readonly path: Int32Array
  private imageIndex = 0
  private active = false
  private everReset = false

  constructor(config: CtGraphConfig, goalPath: readonly number[]) {
    validateCtGraphConfig(config)
    if (
      goalPath.length !== config.depth ||
      goalPath.some(p => !Number.isInteger(p) || p < 0 || p >= config.branching)
    ) {
      throw new CtGraphConfigError(
        `goal path must be ${config.depth} branch indices in [0, ${config.branching}), got [${goalPath.join(', ')}]`
      )
    }
    this.config = Object.freeze({
      ...config,
      waitStates: Object.freeze([...config.waitStates] as [number, number]),
      decisionStates: Object.freeze([...config.decisionStates] as [number, number]),
      graphEnds: Object.freeze([...config.graphEnds] as [number, number])
    })
    this.goalPath = Object.freeze([...goalPath])
    this.depth = config.depth
    this.branching = config.branching
    this.waitProb = config.waitProb
    this.numActions = config.branching + 1
    this.path = new Int32Array(config.depth)
    this.images = ctGraphImageDataset(config.imageSeed, config.nrOfImages, CT_GRAPH_HIGH_VALUE).images

    this.rng = new MT19937(config.generalSeed)
    for (let i = 0; i < config.depth; i++) this.rng.randint(0, config.branching)

    this.plainResults = this.images.map(image => frozenResult(image, 0, false))
    this.crashResult = frozenResult(this.image(1), config.crashRewardValue, true)
    this.leafExitResult = frozenResult(this.image(0), 0, true)
    this.waitFirst = config.waitStates[0]
    this.waitCount = rangeSize(config.waitStates)
    this.decisionFirst = config.decisionStates[0]
    this.decisionCount = rangeSize(config.decisionStates)
    this.endFirst = config.graphEnds[0]
    this.endCount = rangeSize(config.graphEnds)
    this.mdpWaits = config.mdpWaitStates
    this.mdpDecisions = config.mdpDecisionStates
    this.firstLeafNode = config.branching ** config.depth
  }

  reset(seed?: number): Uint8Array {
    if (seed !== undefined) {
      if (!isUint32(seed)) throw new EnvUsageError(`reset seed must be an integer in [0, 2^32), got ${seed}`)
      this.rng.seed(seed)
    }
    this.goHome()
    this.active = true
    this.everReset = true
    return this.image(0)
  }

  step(action: number): StepResult {
    if (!this.active) {
      throw new EnvUsageError(
        this.everReset ? 'the episode has ended: call reset() before step()' : 'reset() must be called before step()'
      )
    }
    if (!Number.isInteger(action) || action < 0 || action >= this.numActions) {
      throw new EnvUsageError(`action must be an integer in [0, ${this.numActions}), got ${action}`)
    }
    switch (this.stateType) {
      case HOME:
        this.stateType = WAIT
        return this.show(this.waitImage())
      case WAIT:
        if (action !== 0) return this.crash()
        // Drawn even when P = 0: the reference calls rand() at every action 0 at a wait state.
        if (this.rng.rand() < this.waitProb) return this.show(this.waitImage())
        if (this.depthIndex === this.depth) return this.enterLeaf()
        this.stateType = DECISION
        return this.show(this.decisionImage())
      case DECISION:
        if (action === 0) return this.crash()
        this.path[this.depthIndex++] = action - 1
        this.node = this.node * this.branching + action - 1
        this.stateType = WAIT
        return this.show(this.waitImage())
      case END:
        this.goHome()
        this.active = false
        return this.leafExitResult
      default:
        // Only CRASH is left, and a crash deactivates the episode, so this cannot run.
        throw new EnvUsageError('the episode has ended: call reset() before step()')
    }
  }

  /** The current state, for renderers and tools (allocates; not for the hot loop). */
  describe(): CtGraphStateDescription {
    return {
      stateType: STATE_TYPE_NAMES[this.stateType] as CtGraphStateType,
      depthIndex: this.depthIndex,
      path: Array.from(this.path.subarray(0, this.depthIndex)),
      imageIndex: this.imageIndex
    }
  }

  /** The optimal action sequence for this env's goal (see ctGraphOptimalActions). */
  optimalActions(): number[] {
    return ctGraphOptimalActions(this.goalPath)
  }

  private image(index: number): Uint8Array {
    const image = this.images[index]
    if (image === undefined)
      throw new CtGraphConfigError(`image ${index} is outside the dataset of ${this.images.length}`)
    return image
  }

  private goHome(): void {
    this.stateType = HOME
    this.depthIndex = 0
    this.node = 1
    this.imageIndex = 0
  }

  private show(imageIndex: number): StepResult {
    this.imageIndex = imageIndex
    return this.plainResults[imageIndex] as StepResult
  }

  private crash(): StepResult {
    this.stateType = CRASH
    this.imageIndex = 1
    this.active = false
    return this.crashResult
  }

  /**
   * `CTgraphEnv.X` in MDP mode for the current node: first + (max(v - 1, 0) mod size), with v = 0
   * at the root and v = the node code below it (see ctGraphStateImage). The non-MDP alternative,
   * a uniform draw over the range from the graph RNG, is made by the callers below.
   */
  private mdpImage(first: number, count: number): number {
    return this.depthIndex === 0 ? first : first + ((this.node - 1) % count)
  }

  private waitImage(): number {
    return this.mdpWaits
      ? this.mdpImage(this.waitFirst, this.waitCount)
      : this.rng.randint(this.waitFirst, this.waitFirst + this.waitCount)
  }

  private decisionImage(): number {
    return this.mdpDecisions
      ? this.mdpImage(this.decisionFirst, this.decisionCount)
      : this.rng.randint(this.decisionFirst, this.decisionFirst + this.decisionCount)
  }

  /** The leaf image is drawn only when both MDP flags are false (the reference's fully non-MDP branch). */
  private endImage(): number {
    return this.mdpWaits || this.mdpDecisions
      ? this.mdpImage(this.endFirst, this.endCount)
      : this.rng.randint(this.endFirst, this.endFirst + this.endCount)
  }

  private enterLeaf(): StepResult {
    this.stateType = END
    const imageIndex = this.endImage()
    this.imageIndex = imageIndex
    const leaf = this.node - this.firstLeafNode
    const key = leaf * this.images.length + imageIndex
    let result = this.endResults.get(key)
    if (result === undefined) {
      const reward = this.leafReward()
      result = frozenResult(withRewardCue(this.image(imageIndex), reward / this.config.highRewardValue), reward, false)
      this.endResults.set(key, result)
    }
    return result
  }

  /** `CTgraphEnv.calculate_reward` for the recorded path, operation for operation. */
  private leafReward(): number {
    const { depth, branching } = this
    const high = this.config.highRewardValue
    if (this.config.rewardDistribution === 'needle_in_haystack') {
      let sum = 0
      for (let i = 0; i < depth; i++)
        sum += Math.abs(((this.goalPath[i] as number) - (this.path[i] as number)) / (branching - 1))
      return high * Math.floor(1 - sum / depth)
    }
    // 'linear': weights D, D-1, ..., 1 on (1 - |h_i - p_i|), not divided by B-1 (as the reference).
    let weighted = 0
    let weights = 0
    for (let i = 0; i < depth; i++) {
      weighted += (depth - i) * (1 - Math.abs((this.goalPath[i] as number) - (this.path[i] as number)))
      weights += depth - i
    }
    return (weighted / weights) * high
  }
}

/**
 * `CTgraph_images.add_reward_cue`: a copy of the image with its central 6x6 block (rows and columns
 * 3..8) set to high_value · rewardFraction, cast to uint8 like numpy's float -> uint8 assignment
 * (truncation, then modulo 256, which is what a Uint8Array store does). 254 for the goal, 0 elsewhere.
 */
export function withRewardCue(image: Uint8Array, rewardFraction: number): Uint8Array {
  const out = Uint8Array.from(image)
  const value = CT_GRAPH_HIGH_VALUE * rewardFraction
  const half = CT_GRAPH_IMAGE_SIDE / 2
  for (let r = half - 3; r < half + 3; r++)
    out.fill(value, r * CT_GRAPH_IMAGE_SIDE + half - 3, r * CT_GRAPH_IMAGE_SIDE + half + 3)
  return out
}
