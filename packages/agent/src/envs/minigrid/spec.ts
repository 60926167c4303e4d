/**
 * MiniGrid task names and what they mean in gym-minigrid 1.1.0 (docs/environments.md §3.1, §3.6).
 * Names are accepted bare (`SimpleCrossingS9N1`) or as gym ids (`MiniGrid-SimpleCrossingS9N1-v0`);
 * the spec always carries the bare canonical name.
 */

/** Thrown for a MiniGrid task name that is unknown or whose parameters are out of range. */
export class MiniGridNameError extends Error {
  constructor(
    readonly taskName: string,
    reason: string
  ) {
    super(`invalid MiniGrid task name '${taskName}': ${reason}`)
    this.name = 'MiniGridNameError'
  }
}

export interface CrossingSpec {
  readonly kind: 'crossing'
  /** Canonical name, e.g. `LavaCrossingS9N2`. */
  readonly name: string
  /** Wall rivers (SimpleCrossing) or lava rivers (LavaCrossing). */
  readonly obstacle: 'wall' | 'lava'
  readonly size: number
  readonly numCrossings: number
  /** 4·size². */
  readonly maxSteps: number
  /** L2D2-C's action_dim 3: left, right, forward. */
  readonly numActions: 3
}

export interface DoorKeySpec {
  readonly kind: 'doorkey'
  /** Canonical name, e.g. `DoorKey-6x6`. */
  readonly name: string
  /** The registered grid size, which is not always the one in the name (DoorKey-6x6 is size 5). */
  readonly size: number
  /** 10·size². */
  readonly maxSteps: number
  /** All seven MiniGrid actions. */
  readonly numActions: 7
}

export type MiniGridSpec = CrossingSpec | DoorKeySpec

/** Largest crossing grid accepted: keeps generated layouts and step budgets small. */
export const MAX_CROSSING_SIZE = 255

/** DoorKey ids registered by gym-minigrid 1.1.0 and the size each one really builds. */
const DOORKEY_REGISTERED_SIZES: Readonly<Record<string, number>> = {
  '5x5': 5,
  '6x6': 5, // registered with size 5 in 1.1.0, identical to DoorKey-5x5
  '8x8': 8,
  '16x16': 16
}

// Numbers without leading zeros, so that every task has exactly one canonical name.
const CROSSING_NAME = /^(Simple|Lava)CrossingS([1-9][0-9]*)N([1-9][0-9]*)$/
const DOORKEY_NAME = /^DoorKey-([1-9][0-9]*x[1-9][0-9]*)$/

/** Parses and validates a MiniGrid task name. */
export function parseMiniGridName(name: string): MiniGridSpec {
  if (typeof name !== 'string') throw new MiniGridNameError(String(name), 'not a string')
  const bare = name.replace(/^MiniGrid-/, '').replace(/-v0$/, '')

  const crossing = CROSSING_NAME.exec(bare)
  if (crossing !== null) {
    const size = Number(crossing[2])
    const numCrossings = Number(crossing[3])
    if (size > MAX_CROSSING_SIZE) throw new MiniGridNameError(name, `size ${size} exceeds ${MAX_CROSSING_SIZE}`)
    if (size < 5 || size % 2 === 0) throw new MiniGridNameError(name, `crossing size must be odd and >= 5, got ${size}`)
    // Candidate rivers: vertical at x = 2, 4, ..., S-3 and horizontal at the same y's.
    const candidates = size - 3
    if (numCrossings > candidates) {
      throw new MiniGridNameError(
        name,
        `a size-${size} grid has ${candidates} candidate rivers, cannot place ${numCrossings}`
      )
    }
    return {
      kind: 'crossing',
      name: bare,
      obstacle: crossing[1] === 'Lava' ? 'lava' : 'wall',
      size,
      numCrossings,
      maxSteps: 4 * size * size,
      numActions: 3
    }
  }

  const doorKey = DOORKEY_NAME.exec(bare)
  if (doorKey !== null) {
    const size = DOORKEY_REGISTERED_SIZES[doorKey[1] ?? '']
    if (size === undefined) {
      throw new MiniGridNameError(
        name,
        `gym-minigrid 1.1.0 registers DoorKey only as ${Object.keys(DOORKEY_REGISTERED_SIZES)
          .map(s => `DoorKey-${s}`)
          .join(', ')}`
      )
    }
    return { kind: 'doorkey', name: bare, size, maxSteps: 10 * size * size, numActions: 7 }
  }

  throw new MiniGridNameError(name, 'expected SimpleCrossingS{S}N{N}, LavaCrossingS{S}N{N} or DoorKey-{n}x{n}')
}
