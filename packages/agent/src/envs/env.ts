/**
 * The synchronous, Gymnasium-shaped environment contract shared by every task family.
 *
 * Observations are raw, flattened uint8 values (normalisation is the learner's job; each task
 * spec says by how much to scale). Observation arrays handed out by an environment are
 * read-only for the caller and may be shared or reused by the environment, but an array stays
 * unchanged until at least the second reset/step call after the one that returned it (so a
 * terminal observation survives the auto-reset that follows it). Copy to keep one longer.
 */
export interface StepResult {
  /** Raw observation after the step; on a terminal step, the terminal observation. */
  readonly observation: Uint8Array
  readonly reward: number
  /** The episode reached a terminal state (goal, crash, lava, leaf exit). */
  readonly terminated: boolean
  /** The episode was cut by a time limit (e.g. MiniGrid max_steps). */
  readonly truncated: boolean
}

export interface Env {
  /** Length of the flattened observation vector. */
  readonly observationSize: number
  /** Size of the discrete action space; actions are 0 .. numActions-1. */
  readonly numActions: number
  /** Starts a new episode and returns its first observation. */
  reset(seed?: number): Uint8Array
  /** Applies one action. Calling step before reset, or after a terminal step without reset, throws. */
  step(action: number): StepResult
}

/** One step of the L2D2-C wrapper: auto-reset on done, the reset observation replaces the terminal one. */
export interface AutoResetStepResult {
  /** The next observation the agent sees: the reset observation when `done`. */
  readonly observation: Uint8Array
  readonly reward: number
  /** terminated || truncated, as gym 0.24 reported it. */
  readonly done: boolean
  readonly terminated: boolean
  readonly truncated: boolean
  /** The raw terminal observation when `done` (the agent never sees it, tools may). */
  readonly terminalObservation: Uint8Array | null
}

/** Error thrown for misuse of an environment (step before reset, invalid action). */
export class EnvUsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'EnvUsageError'
  }
}

/**
 * The L2D2-C task wrapper (deep_rl/component/task.py): flattened observations, and when an
 * episode ends the environment is reset at once and the reset observation is returned in place
 * of the terminal one; reward and done belong to the terminal transition.
 */
export class AutoResetEnv {
  readonly observationSize: number
  readonly numActions: number
  private current: Uint8Array | null = null

  constructor(readonly env: Env) {
    this.observationSize = env.observationSize
    this.numActions = env.numActions
  }

  reset(seed?: number): Uint8Array {
    this.current = this.env.reset(seed)
    return this.current
  }

  /** The observation the agent currently sees (after the last reset or step). */
  get observation(): Uint8Array {
    if (this.current === null) throw new EnvUsageError('reset() must be called before reading the observation')
    return this.current
  }

  step(action: number): AutoResetStepResult {
    if (this.current === null) throw new EnvUsageError('reset() must be called before step()')
    const r = this.env.step(action)
    const done = r.terminated || r.truncated
    if (done) {
      this.current = this.env.reset()
      return {
        observation: this.current,
        reward: r.reward,
        done,
        terminated: r.terminated,
        truncated: r.truncated,
        terminalObservation: r.observation
      }
    }
    this.current = r.observation
    return {
      observation: r.observation,
      reward: r.reward,
      done,
      terminated: false,
      truncated: false,
      terminalObservation: null
    }
  }
}
