import { EMPTY, ObjectType, WALL, type CellCode } from './objects.js'

/**
 * A W×H MiniGrid world: x to the right, y down. Each cell holds its (type, colour, state)
 * encoding in `cells[(y·W + x)·3 + channel]`; an empty cell is (1, 0, 0).
 */
export class Grid {
  readonly cells: Uint8Array

  constructor (readonly width: number, readonly height: number) {
    this.cells = new Uint8Array(width * height * 3)
    for (let i = 0; i < width * height; i++) this.cells[i * 3] = ObjectType.EMPTY
  }

  /** Offset of cell (x, y) in `cells`. */
  offset (x: number, y: number): number {
    return (y * this.width + x) * 3
  }

  contains (x: number, y: number): boolean {
    return x >= 0 && y >= 0 && x < this.width && y < this.height
  }

  typeAt (x: number, y: number): number {
    return this.cells[this.offset(x, y)] ?? ObjectType.WALL
  }

  get (x: number, y: number): CellCode {
    const o = this.offset(x, y)
    return { type: this.cells[o] ?? 0, color: this.cells[o + 1] ?? 0, state: this.cells[o + 2] ?? 0 }
  }

  set (x: number, y: number, code: CellCode): void {
    const o = this.offset(x, y)
    this.cells[o] = code.type
    this.cells[o + 1] = code.color
    this.cells[o + 2] = code.state
  }

  clear (x: number, y: number): void {
    this.set(x, y, EMPTY)
  }

  isEmpty (x: number, y: number): boolean {
    return this.typeAt(x, y) === ObjectType.EMPTY
  }

  /** Walls on the outer border (MiniGrid's `wall_rect(0, 0, W, H)`). */
  wallBorder (): void {
    for (let x = 0; x < this.width; x++) { this.set(x, 0, WALL); this.set(x, this.height - 1, WALL) }
    for (let y = 0; y < this.height; y++) { this.set(0, y, WALL); this.set(this.width - 1, y, WALL) }
  }

  copyFrom (other: Grid): void {
    this.cells.set(other.cells)
  }

  clone (): Grid {
    const copy = new Grid(this.width, this.height)
    copy.copyFrom(this)
    return copy
  }
}
