import { EnvUsageError, type Env, type StepResult } from '../env.js'
import { assertSeed } from '../../rng/seed-sequence.js'
import { Grid } from './grid.js'
import { layoutFor } from './layout-cache.js'
import type { Direction, Layout } from './layout.js'
import { canOverlap, canPickup, describeObject, DoorState, ObjectType, type CellCode } from './objects.js'
import { parseMiniGridName, type MiniGridSpec } from './spec.js'
import { renderGridText } from './text.js'
import { DIRECTION_VECTORS, OBSERVATION_SIZE, ViewBuilder } from './view.js'

/** MiniGrid actions (gym-minigrid `MiniGridEnv.Actions`). */
export const MiniGridAction = {
  LEFT: 0,
  RIGHT: 1,
  FORWARD: 2,
  PICKUP: 3,
  DROP: 4,
  TOGGLE: 5,
  DONE: 6
} as const

/** L2D2-C's layout seed when the env config lists none (`run_shell_dist_mp.py`). */
export const DEFAULT_LAYOUT_SEED = 9157

export interface MiniGridEnvOptions {
  /** The task's layout seed: every reset replays this layout (L2D2-C's ReseedWrapper). Default 9157. */
  layoutSeed?: number | bigint
}

/** A read-only snapshot of the episode state, for tools and text renderers. */
export interface MiniGridState {
  readonly task: string
  readonly layoutSeed: number | bigint
  readonly agentX: number
  readonly agentY: number
  readonly direction: Direction
  /** What the agent carries, e.g. `yellow key`, or null. */
  readonly carrying: string | null
  readonly stepCount: number
  readonly maxSteps: number
  /** The episode has ended (terminated or truncated) and needs a reset. */
  readonly ended: boolean
}

/**
 * One MiniGrid task with gym-minigrid 1.1.0 dynamics behind L2D2-C's wrappers
 * (ReseedWrapper + ImgObsWrapper + flattening, docs/environments.md §3): raw uint8 observations of
 * 147 values, layouts fixed by the task's seed, time-outs reported as `truncated`.
 *
 * Reset seeds: the layout seed is part of the task (its key names it), and nothing is random
 * after a reset, so a seed passed to `reset(seed)` has nothing to seed. It is validated and then
 * ignored: every reset replays the task's layout, exactly like L2D2-C's ReseedWrapper, which
 * always re-seeds with the task seed. This keeps a generic trainer that seeds its workers'
 * resets from silently turning the env into another task. For another layout, construct an env
 * with another `layoutSeed`.
 *
 * Observation buffers: the env alternates between two buffers, so the array returned by a call
 * stays unchanged until the second call after it (a step's observation survives the auto-reset
 * that follows it). Copy it to keep it longer.
 */
export class MiniGridEnv implements Env {
  readonly spec: MiniGridSpec
  readonly observationSize = OBSERVATION_SIZE
  readonly numActions: number
  readonly maxSteps: number

  readonly layoutSeed: number | bigint
  private layout: Layout | null = null
  private readonly grid: Grid
  private readonly view = new ViewBuilder()
  private readonly buffers = [new Uint8Array(OBSERVATION_SIZE), new Uint8Array(OBSERVATION_SIZE)]
  private nextBuffer = 0

  private agentX = 0
  private agentY = 0
  private agentDir: Direction = 0
  private carrying: CellCode | null = null
  private stepCount = 0
  private started = false
  private ended = false

  constructor(task: string | MiniGridSpec, options: MiniGridEnvOptions = {}) {
    this.spec = typeof task === 'string' ? parseMiniGridName(task) : parseMiniGridName(task.name)
    this.numActions = this.spec.numActions
    this.maxSteps = this.spec.maxSteps
    this.layoutSeed = validSeed(options.layoutSeed ?? DEFAULT_LAYOUT_SEED)
    this.grid = new Grid(this.spec.size, this.spec.size)
  }

  reset(seed?: number): Uint8Array {
    if (seed !== undefined) validSeed(seed) // then ignored: see the class comment
    // The layout never changes for this env: look it up once.
    const layout = this.layout ?? layoutFor(this.spec, this.layoutSeed)
    this.layout = layout
    layout.copyInto(this.grid)
    this.agentX = layout.agentX
    this.agentY = layout.agentY
    this.agentDir = layout.agentDir
    this.carrying = null
    this.stepCount = 0
    this.started = true
    this.ended = false
    return this.observe()
  }

  step(action: number): StepResult {
    if (!this.started) throw new EnvUsageError('reset() must be called before step()')
    if (this.ended) throw new EnvUsageError('the episode has ended; call reset() before step()')
    if (!Number.isInteger(action) || action < 0 || action >= this.numActions) {
      throw new EnvUsageError(`invalid action ${action}: ${this.spec.name} takes integers 0..${this.numActions - 1}`)
    }

    this.stepCount++
    let reward = 0
    let terminated = false
    const grid = this.grid
    const [dx, dy] = DIRECTION_VECTORS[this.agentDir] ?? [1, 0]
    // The agent never leaves the border walls, so the front cell is always inside the grid.
    const fx = this.agentX + dx
    const fy = this.agentY + dy
    const fo = grid.offset(fx, fy)
    const frontType = grid.cells[fo] ?? ObjectType.WALL
    const frontState = grid.cells[fo + 2] ?? 0

    switch (action) {
      case MiniGridAction.LEFT:
        this.agentDir = ((this.agentDir + 3) & 3) as Direction
        break
      case MiniGridAction.RIGHT:
        this.agentDir = ((this.agentDir + 1) & 3) as Direction
        break
      case MiniGridAction.FORWARD:
        if (canOverlap(frontType, frontState)) {
          this.agentX = fx
          this.agentY = fy
        }
        if (frontType === ObjectType.GOAL) {
          terminated = true
          reward = 1 - 0.9 * (this.stepCount / this.maxSteps)
        } else if (frontType === ObjectType.LAVA) {
          terminated = true
        }
        break
      case MiniGridAction.PICKUP:
        if (canPickup(frontType) && this.carrying === null) {
          this.carrying = grid.get(fx, fy)
          grid.clear(fx, fy)
        }
        break
      case MiniGridAction.DROP:
        if (frontType === ObjectType.EMPTY && this.carrying !== null) {
          grid.set(fx, fy, this.carrying)
          this.carrying = null
        }
        break
      case MiniGridAction.TOGGLE:
        this.toggle(fx, fy)
        break
      default: // DONE: a no-op in gym-minigrid 1.1.0
        break
    }

    const truncated = this.stepCount >= this.maxSteps
    this.ended = terminated || truncated
    return { observation: this.observe(), reward, terminated, truncated }
  }

  /** A snapshot of the episode state (does not expose internals). */
  describe(): MiniGridState {
    if (!this.started) throw new EnvUsageError('reset() must be called before describe()')
    return {
      task: this.spec.name,
      layoutSeed: this.layoutSeed,
      agentX: this.agentX,
      agentY: this.agentY,
      direction: this.agentDir,
      carrying: this.carrying === null ? null : describeObject(this.carrying),
      stepCount: this.stepCount,
      maxSteps: this.maxSteps,
      ended: this.ended
    }
  }

  /** The whole world as text, one line per row (see `renderGridText` for the characters). */
  renderText(): string {
    if (!this.started) throw new EnvUsageError('reset() must be called before renderText()')
    return renderGridText(this.grid, this.agentX, this.agentY, this.agentDir)
  }

  /** The start layout of the current episode (immutable). */
  currentLayout(): Layout {
    if (this.layout === null) throw new EnvUsageError('reset() must be called before currentLayout()')
    return this.layout
  }

  /**
   * Door: a locked one opens with a key of its colour; otherwise open/closed flips. Nothing else
   * reacts (gym-minigrid's only other toggle, a box, never occurs in these tasks).
   */
  private toggle(x: number, y: number): void {
    const door = this.grid.get(x, y)
    if (door.type !== ObjectType.DOOR) return
    if (door.state === DoorState.LOCKED) {
      const carrying = this.carrying
      if (carrying !== null && carrying.type === ObjectType.KEY && carrying.color === door.color) {
        this.grid.set(x, y, { ...door, state: DoorState.OPEN })
      }
      return
    }
    this.grid.set(x, y, { ...door, state: door.state === DoorState.OPEN ? DoorState.CLOSED : DoorState.OPEN })
  }

  private observe(): Uint8Array {
    const out = this.buffers[this.nextBuffer] as Uint8Array
    this.nextBuffer ^= 1
    this.view.write(this.grid, this.agentX, this.agentY, this.agentDir, this.carrying, out)
    return out
  }
}

function validSeed(seed: number | bigint): number | bigint {
  try {
    assertSeed(seed)
  } catch (err) {
    throw new EnvUsageError(`invalid layout seed: ${(err as Error).message}`)
  }
  return seed
}
