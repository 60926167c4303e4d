import { EMPTY, WALL, type CellCode } from './objects.js'

/**
 * Cells of wall kept around the world. The agent never leaves the border walls and sees at
 * most 6 cells ahead and 3 to each side, so with this margin every cell of its view is in the
 * array and reads as a wall when outside the world, as in the reference (`Grid.slice`), with no
 * bounds check per cell.
 */
export const GRID_MARGIN = 6

/**
 * A W×H MiniGrid world: x to the right, y down. Each cell holds its (type, colour, state)
 * encoding at `cells[offset(x, y) + channel]`; an empty cell is (1, 0, 0).
 */
export class Grid {
  /** Row-major cells of the world plus its wall margin, 3 values per cell. */
  readonly cells: Uint8Array
  /** Distance in `cells` between vertically adjacent cells. */
  readonly rowStride: number

  constructor(
    readonly width: number,
    readonly height: number
  ) {
    const paddedWidth = width + 2 * GRID_MARGIN
    const paddedHeight = height + 2 * GRID_MARGIN
    this.rowStride = paddedWidth * 3
    this.cells = new Uint8Array(paddedWidth * paddedHeight * 3)
    for (let i = 0; i < paddedWidth * paddedHeight; i++) {
      const py = Math.floor(i / paddedWidth) - GRID_MARGIN
      const px = (i % paddedWidth) - GRID_MARGIN
      const code = this.contains(px, py) ? EMPTY : WALL
      this.cells[i * 3] = code.type
      this.cells[i * 3 + 1] = code.color
      this.cells[i * 3 + 2] = code.state
    }
  }

  /** Offset of cell (x, y) in `cells`; valid for x, y within GRID_MARGIN of the world. */
  offset(x: number, y: number): number {
    return (y + GRID_MARGIN) * this.rowStride + (x + GRID_MARGIN) * 3
  }

  contains(x: number, y: number): boolean {
    return x >= 0 && y >= 0 && x < this.width && y < this.height
  }

  typeAt(x: number, y: number): number {
    return this.cells[this.offset(x, y)] ?? WALL.type
  }

  get(x: number, y: number): CellCode {
    const o = this.offset(x, y)
    return { type: this.cells[o] ?? 0, color: this.cells[o + 1] ?? 0, state: this.cells[o + 2] ?? 0 }
  }

  set(x: number, y: number, code: CellCode): void {
    const o = this.offset(x, y)
    this.cells[o] = code.type
    this.cells[o + 1] = code.color
    this.cells[o + 2] = code.state
  }

  clear(x: number, y: number): void {
    this.set(x, y, EMPTY)
  }

  isEmpty(x: number, y: number): boolean {
    return this.typeAt(x, y) === EMPTY.type
  }

  /** Walls on the outer border (MiniGrid's `wall_rect(0, 0, W, H)`). */
  wallBorder(): void {
    for (let x = 0; x < this.width; x++) {
      this.set(x, 0, WALL)
      this.set(x, this.height - 1, WALL)
    }
    for (let y = 0; y < this.height; y++) {
      this.set(0, y, WALL)
      this.set(this.width - 1, y, WALL)
    }
  }

  copyFrom(other: Grid): void {
    this.cells.set(other.cells)
  }

  clone(): Grid {
    const copy = new Grid(this.width, this.height)
    copy.copyFrom(this)
    return copy
  }
}
