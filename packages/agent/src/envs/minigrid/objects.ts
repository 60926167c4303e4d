/**
 * MiniGrid world objects as their (type, colour, state) encoding (docs/environments.md §3.2).
 * A cell is stored as exactly the triple the observation shows, so building a view is a copy.
 */

export const ObjectType = {
  UNSEEN: 0,
  EMPTY: 1,
  WALL: 2,
  FLOOR: 3,
  DOOR: 4,
  KEY: 5,
  BALL: 6,
  BOX: 7,
  GOAL: 8,
  LAVA: 9,
  AGENT: 10
} as const

export const Color = {
  RED: 0,
  GREEN: 1,
  BLUE: 2,
  PURPLE: 3,
  YELLOW: 4,
  GREY: 5
} as const

export const DoorState = {
  OPEN: 0,
  CLOSED: 1,
  LOCKED: 2
} as const

/** A cell or a carried object, as its encoding. */
export interface CellCode {
  readonly type: number
  readonly color: number
  readonly state: number
}

export const EMPTY: CellCode = { type: ObjectType.EMPTY, color: 0, state: 0 }
export const WALL: CellCode = { type: ObjectType.WALL, color: Color.GREY, state: 0 }
export const GOAL: CellCode = { type: ObjectType.GOAL, color: Color.GREEN, state: 0 }
export const LAVA: CellCode = { type: ObjectType.LAVA, color: Color.RED, state: 0 }
export const YELLOW_KEY: CellCode = { type: ObjectType.KEY, color: Color.YELLOW, state: 0 }
export const LOCKED_YELLOW_DOOR: CellCode = { type: ObjectType.DOOR, color: Color.YELLOW, state: DoorState.LOCKED }

/** Walls and doors that are not open block sight; everything else is see-through. */
export function seeThrough(type: number, state: number): boolean {
  if (type === ObjectType.WALL) return false
  if (type === ObjectType.DOOR) return state === DoorState.OPEN
  return true
}

/** The agent may stand on empty cells, goal, lava, floor and open doors. */
export function canOverlap(type: number, state: number): boolean {
  switch (type) {
    case ObjectType.EMPTY:
    case ObjectType.GOAL:
    case ObjectType.LAVA:
    case ObjectType.FLOOR:
      return true
    case ObjectType.DOOR:
      return state === DoorState.OPEN
    default:
      return false
  }
}

export function canPickup(type: number): boolean {
  return type === ObjectType.KEY || type === ObjectType.BALL || type === ObjectType.BOX
}

const COLOR_NAMES = ['red', 'green', 'blue', 'purple', 'yellow', 'grey']
const TYPE_NAMES = ['unseen', 'empty', 'wall', 'floor', 'door', 'key', 'ball', 'box', 'goal', 'lava', 'agent']

/** Human-readable name of an object, e.g. `yellow key`. */
export function describeObject(code: CellCode): string {
  const type = TYPE_NAMES[code.type] ?? `type${code.type}`
  if (code.type === ObjectType.EMPTY || code.type === ObjectType.UNSEEN) return type
  return `${COLOR_NAMES[code.color] ?? `colour${code.color}`} ${type}`
}
