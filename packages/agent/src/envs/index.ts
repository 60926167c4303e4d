// Environments, task keys, the task catalogue and curricula: pure code, no I/O.
export * from './env.js'
export * from './task.js'
export * from './task-key.js'
export * from './registry.js'
export * from './curriculum.js'
export {
  CtGraphEnv,
  CtGraphConfigError,
  l2d2cCtGraphConfig,
  type CtGraphConfig,
  type CtGraphStateDescription
} from './ct-graph.js'
export { CT_GRAPH_HIGH_VALUE, CT_GRAPH_IMAGE_SIDE } from './ct-graph-images.js'
export * as minigrid from './minigrid/index.js'
export { MiniGridEnv } from './minigrid/env.js'
export { describeFrame, type EnvFrame } from './frame.js'
