import { MiniGridAction } from './env.js'
import type { Layout } from './layout.js'
import { canOverlap, DoorState, ObjectType } from './objects.js'
import type { MiniGridSpec } from './spec.js'
import { DIRECTION_VECTORS } from './view.js'

const { LEFT, RIGHT, FORWARD, PICKUP, TOGGLE } = MiniGridAction

/**
 * A shortest action sequence from the layout's start to the goal (breadth-first search), or
 * null if the goal cannot be reached within the task's max_steps.
 *
 * Crossing tasks search over (x, y, direction) with actions 0..2. DoorKey also tracks whether
 * the key was picked up and the door's state, with pickup and toggle; drop and done are left
 * out because they never shorten a path (carrying the key costs nothing, dropping only adds
 * steps). Lava ends the episode, so it is never entered.
 */
export function shortestSolution(spec: MiniGridSpec, layout: Layout): number[] | null {
  const w = layout.width
  const h = layout.height
  // The generators place at most one key and one door.
  let keyCell = -1
  let keyColor = -1
  let doorCell = -1
  let doorColor = -1
  let initialDoor: number = DoorState.OPEN
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const c = layout.cell(x, y)
      if (c.type === ObjectType.KEY) {
        keyCell = y * w + x
        keyColor = c.color
      }
      if (c.type === ObjectType.DOOR) {
        doorCell = y * w + x
        doorColor = c.color
        initialDoor = c.state
      }
    }
  }
  const actions = spec.kind === 'crossing' ? [LEFT, RIGHT, FORWARD] : [LEFT, RIGHT, FORWARD, PICKUP, TOGGLE]

  // State id = (((doorState · 2 + hasKey) · H + y) · W + x) · 4 + dir.
  const encode = (x: number, y: number, dir: number, hasKey: number, door: number): number =>
    (((door * 2 + hasKey) * h + y) * w + x) * 4 + dir
  const total = 3 * 2 * h * w * 4
  const parent = new Int32Array(total).fill(-1)
  const parentAction = new Int8Array(total)
  const depth = new Int32Array(total)

  const start = encode(layout.agentX, layout.agentY, layout.agentDir, 0, initialDoor)
  parent[start] = start
  const queue = [start]
  for (let head = 0; head < queue.length; head++) {
    const s = queue[head] as number
    if ((depth[s] ?? 0) >= spec.maxSteps) continue
    const dir = s % 4
    const x = Math.floor(s / 4) % w
    const y = Math.floor(s / (4 * w)) % h
    const hasKey = Math.floor(s / (4 * w * h)) % 2
    const door = Math.floor(s / (8 * w * h))
    const [dx, dy] = DIRECTION_VECTORS[dir] ?? [1, 0]
    const fx = x + dx
    const fy = y + dy
    const front = fy * w + fx
    const frontType = front === keyCell ? (hasKey === 1 ? ObjectType.EMPTY : ObjectType.KEY) : layout.typeAt(fx, fy)

    for (const action of actions) {
      let next = -1
      if (action === LEFT) next = encode(x, y, (dir + 3) % 4, hasKey, door)
      else if (action === RIGHT) next = encode(x, y, (dir + 1) % 4, hasKey, door)
      else if (action === FORWARD) {
        if (frontType === ObjectType.GOAL) return unwind(s, action)
        if (frontType === ObjectType.LAVA) continue
        if (canOverlap(frontType, front === doorCell ? door : 0)) next = encode(fx, fy, dir, hasKey, door)
      } else if (action === PICKUP) {
        if (front === keyCell && hasKey === 0) next = encode(x, y, dir, 1, door)
      } else if (front === doorCell) {
        // TOGGLE
        if (door === DoorState.LOCKED) {
          if (hasKey === 1 && keyColor === doorColor) next = encode(x, y, dir, hasKey, DoorState.OPEN)
        } else {
          next = encode(x, y, dir, hasKey, door === DoorState.OPEN ? DoorState.CLOSED : DoorState.OPEN)
        }
      }
      if (next < 0 || (parent[next] ?? 0) >= 0) continue
      parent[next] = s
      parentAction[next] = action
      depth[next] = (depth[s] ?? 0) + 1
      queue.push(next)
    }
  }
  return null

  function unwind(last: number, finalAction: number): number[] {
    const path = [finalAction]
    for (let s = last; s !== start; s = parent[s] ?? start) path.push(parentAction[s] ?? 0)
    return path.reverse()
  }
}

/** 1 − 0.9·steps/max_steps for a shortest solution, 0 if the goal is unreachable in time. */
export function optimalReturn(spec: MiniGridSpec, layout: Layout): number {
  const path = shortestSolution(spec, layout)
  return path === null ? 0 : 1 - 0.9 * (path.length / spec.maxSteps)
}
