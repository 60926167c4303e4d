import type { Pcg64 } from '../../rng/pcg64.js'
import { Grid } from './grid.js'
import { Layout, toDirection } from './layout.js'
import { GOAL, LOCKED_YELLOW_DOOR, WALL, YELLOW_KEY } from './objects.js'
import type { DoorKeySpec } from './spec.js'

/**
 * gym-minigrid 1.1.0 `DoorKeyEnv._gen_grid` (docs/environments.md §3.6): a vertical wall splits the
 * room, a locked yellow door in it, the agent and a yellow key on the left, the goal bottom-right.
 */
export function generateDoorKeyLayout(spec: DoorKeySpec, rng: Pcg64): Layout {
  const size = spec.size
  const grid = new Grid(size, size)
  grid.wallBorder()
  grid.set(size - 2, size - 2, GOAL)

  const split = rng.integers(2, size - 2)
  for (let y = 0; y < size; y++) grid.set(split, y, WALL)

  // `place_agent(size=(split, size))`: rejection-sample an empty cell left of the wall, then a direction.
  let agentX: number
  let agentY: number
  do {
    agentX = rng.integers(0, split)
    agentY = rng.integers(0, size)
  } while (!grid.isEmpty(agentX, agentY))
  const agentDir = toDirection(rng.integers(0, 4))

  grid.set(split, rng.integers(1, size - 2), LOCKED_YELLOW_DOOR)

  // `place_obj(Key)`: same rejection sampling, also refusing the agent's cell.
  let keyX: number
  let keyY: number
  do {
    keyX = rng.integers(0, split)
    keyY = rng.integers(0, size)
  } while (!grid.isEmpty(keyX, keyY) || (keyX === agentX && keyY === agentY))
  grid.set(keyX, keyY, YELLOW_KEY)

  return new Layout(grid, agentX, agentY, agentDir)
}
