import type { Grid } from './grid.js'
import { ObjectType, seeThrough, type CellCode } from './objects.js'

/** Side of the agent's square view. */
export const VIEW_SIZE = 7
/** 7 × 7 × 3 values: `ImgObsWrapper`'s image, flattened. */
export const OBSERVATION_SIZE = VIEW_SIZE * VIEW_SIZE * 3

/** Forward vector per direction: east, south, west, north (y points down). */
export const DIRECTION_VECTORS: ReadonlyArray<readonly [number, number]> = [
  [1, 0],
  [0, 1],
  [-1, 0],
  [0, -1]
]

const HALF = (VIEW_SIZE - 1) / 2
const LAST = VIEW_SIZE - 1
const CELLS = VIEW_SIZE * VIEW_SIZE
/** The agent's own view cell (i = 3, j = 6): bottom middle, looking up the view. */
const AGENT_CELL = HALF * VIEW_SIZE + LAST

/**
 * Builds the egocentric partial view of gym-minigrid 1.1.0 (`gen_obs` + `ImgObsWrapper`,
 * docs/environments.md §3.4) into a caller-owned buffer, without allocating. View cell (i, j),
 * i = 0..6 left to right, j = 0..6 far to near, shows world cell
 * `pos + (i-3)·right + (6-j)·forward` (right = (-fy, fx)), and is written at
 * `((i·7 + j)·3 + channel)`. Cells outside the world come from the grid's wall margin.
 */
export class ViewBuilder {
  /** Offset of each view cell's world cell in `grid.cells`. */
  private readonly offsets = new Int32Array(CELLS)
  /** 1 where the view cell does not block sight. */
  private readonly clear = new Uint8Array(CELLS)
  private readonly visible = new Uint8Array(CELLS)

  write(grid: Grid, agentX: number, agentY: number, dir: number, carrying: CellCode | null, out: Uint8Array): void {
    const offsets = this.offsets
    const clear = this.clear
    const visible = this.visible
    const cells = grid.cells
    const [fx, fy] = DIRECTION_VECTORS[dir] ?? [1, 0]
    // Steps through `cells` for one cell forward and one cell to the right.
    const forwardStep = fx * 3 + fy * grid.rowStride
    const rightStep = -fy * 3 + fx * grid.rowStride
    const agentOffset = grid.offset(agentX, agentY)

    for (let i = 0; i < VIEW_SIZE; i++) {
      let o = agentOffset + (i - HALF) * rightStep + LAST * forwardStep
      for (let j = 0; j < VIEW_SIZE; j++, o -= forwardStep) {
        const k = i * VIEW_SIZE + j
        offsets[k] = o
        clear[k] = seeThrough(cells[o] as number, cells[o + 2] as number) ? 1 : 0
      }
    }

    // Visibility (see_through_walls off): spread from the agent row by row, far rows last.
    visible.fill(0)
    visible[AGENT_CELL] = 1
    for (let j = LAST; j >= 0; j--) {
      for (let i = 0; i < LAST; i++) {
        const k = i * VIEW_SIZE + j
        if (visible[k] === 0 || clear[k] === 0) continue
        visible[k + VIEW_SIZE] = 1
        if (j > 0) {
          visible[k + VIEW_SIZE - 1] = 1
          visible[k - 1] = 1
        }
      }
      for (let i = LAST; i > 0; i--) {
        const k = i * VIEW_SIZE + j
        if (visible[k] === 0 || clear[k] === 0) continue
        visible[k - VIEW_SIZE] = 1
        if (j > 0) {
          visible[k - VIEW_SIZE - 1] = 1
          visible[k - 1] = 1
        }
      }
    }

    for (let k = 0, p = 0; k < CELLS; k++, p += 3) {
      if (visible[k] === 0) {
        out[p] = 0
        out[p + 1] = 0
        out[p + 2] = 0
      } else {
        const o = offsets[k] as number
        out[p] = cells[o] as number
        out[p + 1] = cells[o + 1] as number
        out[p + 2] = cells[o + 2] as number
      }
    }

    // The agent sees what it carries in its own cell, otherwise an empty cell.
    const a = AGENT_CELL * 3
    if (carrying === null) {
      out[a] = ObjectType.EMPTY
      out[a + 1] = 0
      out[a + 2] = 0
    } else {
      out[a] = carrying.type
      out[a + 1] = carrying.color
      out[a + 2] = carrying.state
    }
  }
}
