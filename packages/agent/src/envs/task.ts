import type { Env } from './env.js'

export type TaskFamily = 'ctgraph' | 'minigrid'

/**
 * Everything a node needs to know about one task, derived from its canonical task key alone
 * (docs/protocol.md §2.1): two nodes mean the same task iff their keys are equal.
 */
export interface TaskSpec {
  /** Canonical key, e.g. `ctgraph/d2b2/img3/leaf10` or `minigrid/SimpleCrossingS9N2/seed9157`. */
  readonly key: string
  readonly family: TaskFamily
  /** Length of the flattened raw observation. */
  readonly observationSize: number
  /** Number of discrete actions the policy chooses from. */
  readonly numActions: number
  /** The learner feeds `raw * observationScale` to the network (1/255 CT-graph, 1/10 MiniGrid, as the reference). */
  readonly observationScale: number
  /** Best achievable episode return; the learning threshold is 0.9 of it. */
  readonly optimalReturn: number
  /** Creates a fresh, independent environment instance of this task. */
  createEnv(): Env
}
