import type { Pcg64 } from '../../rng/pcg64.js'
import { Grid } from './grid.js'
import { Layout } from './layout.js'
import { GOAL, LAVA, WALL } from './objects.js'
import type { CrossingSpec } from './spec.js'

interface River {
  readonly vertical: boolean
  readonly at: number
}

/**
 * gym-minigrid 1.1.0 `CrossingEnv._gen_grid` (docs/environments.md §3.6): N wall or lava rivers with
 * one opening each, so the goal is reachable. The order of random draws is the reference's:
 * shuffle the candidate rivers, shuffle the crossing order, then one `choice` per opening.
 */
export function generateCrossingLayout(spec: CrossingSpec, rng: Pcg64): Layout {
  const size = spec.size
  const grid = new Grid(size, size)
  grid.wallBorder()
  grid.set(size - 2, size - 2, GOAL)

  // Candidates in the reference's list order: all vertical rivers, then all horizontal ones.
  const rivers: River[] = []
  for (let x = 2; x < size - 2; x += 2) rivers.push({ vertical: true, at: x })
  for (let y = 2; y < size - 2; y += 2) rivers.push({ vertical: false, at: y })
  rng.shuffle(rivers)
  const kept = rivers.slice(0, spec.numCrossings)
  const riversX = kept
    .filter(r => r.vertical)
    .map(r => r.at)
    .sort((a, b) => a - b)
  const riversY = kept
    .filter(r => !r.vertical)
    .map(r => r.at)
    .sort((a, b) => a - b)

  const obstacle = spec.obstacle === 'lava' ? LAVA : WALL
  for (const y of riversY) for (let x = 1; x < size - 1; x++) grid.set(x, y, obstacle)
  for (const x of riversX) for (let y = 1; y < size - 1; y++) grid.set(x, y, obstacle)

  // One step east through each vertical river and one step south through each horizontal one,
  // in random order: a monotone path of rooms from the top-left to the goal's room.
  const path: Array<'east' | 'south'> = [...riversX.map(() => 'east' as const), ...riversY.map(() => 'south' as const)]
  rng.shuffle(path)

  const limitsX = [0, ...riversX, size - 1]
  const limitsY = [0, ...riversY, size - 1]
  let roomX = 0
  let roomY = 0
  for (const step of path) {
    if (step === 'east') {
      const x = limitsX[roomX + 1] as number
      const y = rng.choiceRange((limitsY[roomY] as number) + 1, limitsY[roomY + 1] as number)
      grid.clear(x, y)
      roomX++
    } else {
      const x = rng.choiceRange((limitsX[roomX] as number) + 1, limitsX[roomX + 1] as number)
      const y = limitsY[roomY + 1] as number
      grid.clear(x, y)
      roomY++
    }
  }

  return new Layout(grid, 1, 1, 0)
}
