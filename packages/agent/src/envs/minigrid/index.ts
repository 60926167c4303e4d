// Public surface of the MiniGrid port (gym-minigrid 1.1.0 semantics, docs/environments.md §3).
export { DEFAULT_LAYOUT_SEED, MiniGridAction, MiniGridEnv, type MiniGridEnvOptions, type MiniGridState } from './env.js'
export {
  MAX_CROSSING_SIZE,
  MiniGridNameError,
  parseMiniGridName,
  type CrossingSpec,
  type DoorKeySpec,
  type MiniGridSpec
} from './spec.js'
export { generateLayout, layoutFor } from './layout-cache.js'
export { Layout, type Direction } from './layout.js'
export { optimalReturn, shortestSolution } from './optimal.js'
export { OBSERVATION_SIZE, VIEW_SIZE } from './view.js'
export { Color, DoorState, ObjectType, type CellCode } from './objects.js'
