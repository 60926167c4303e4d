import type { Grid } from './grid.js'
import { DoorState, ObjectType } from './objects.js'

/** Agent glyph per direction: east, south, west, north. */
export const AGENT_GLYPHS = ['>', 'v', '<', '^'] as const

/**
 * Character of one cell: `#` wall, `~` lava, `G` goal, `K` key, door `L` locked / `D` closed /
 * `/` open, `F` floor, `O` ball, `B` box, `.` empty.
 */
export function cellGlyph(type: number, state: number): string {
  switch (type) {
    case ObjectType.EMPTY:
      return '.'
    case ObjectType.WALL:
      return '#'
    case ObjectType.LAVA:
      return '~'
    case ObjectType.GOAL:
      return 'G'
    case ObjectType.KEY:
      return 'K'
    case ObjectType.FLOOR:
      return 'F'
    case ObjectType.BALL:
      return 'O'
    case ObjectType.BOX:
      return 'B'
    case ObjectType.DOOR:
      return state === DoorState.LOCKED ? 'L' : state === DoorState.CLOSED ? 'D' : '/'
    default:
      return '?'
  }
}

/** The full world, one line per row (y = 0 first), with the agent drawn as >, v, < or ^. */
export function renderGridText(grid: Grid, agentX: number, agentY: number, agentDir: number): string {
  const lines: string[] = []
  for (let y = 0; y < grid.height; y++) {
    let line = ''
    for (let x = 0; x < grid.width; x++) {
      if (x === agentX && y === agentY) {
        line += AGENT_GLYPHS[agentDir & 3]
        continue
      }
      const o = grid.offset(x, y)
      line += cellGlyph(grid.cells[o] ?? 0, grid.cells[o + 2] ?? 0)
    }
    lines.push(line)
  }
  return lines.join('\n')
}
