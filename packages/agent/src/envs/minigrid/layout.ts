import type { Grid } from './grid.js'
import type { CellCode } from './objects.js'

/** Agent direction: 0 east (+x), 1 south (+y), 2 west, 3 north. */
export type Direction = 0 | 1 | 2 | 3

/**
 * The start state of an episode: the world and the agent's pose. Immutable once built (it is
 * cached and shared by every env of the same task), so the grid is only reachable by copy.
 */
export class Layout {
  private readonly grid: Grid

  constructor(
    grid: Grid,
    readonly agentX: number,
    readonly agentY: number,
    readonly agentDir: Direction
  ) {
    this.grid = grid.clone()
  }

  get width(): number {
    return this.grid.width
  }
  get height(): number {
    return this.grid.height
  }

  cell(x: number, y: number): CellCode {
    return this.grid.get(x, y)
  }

  typeAt(x: number, y: number): number {
    return this.grid.typeAt(x, y)
  }

  /** Copies the start world into `target` (same size), for an env to mutate during an episode. */
  copyInto(target: Grid): void {
    target.copyFrom(this.grid)
  }
}

export function toDirection(value: number): Direction {
  return (value & 3) as Direction
}
