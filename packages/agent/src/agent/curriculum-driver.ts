import type { Mask } from '@l2d2c/protocol'
import { taskSpec } from '../envs/registry.js'
import type { IterationStats } from '../learner/lifelong-learner.js'
import { DEFAULT_EVAL_EPISODES } from '../learner/policy-evaluation.js'
import type { LearnerApi } from '../learner/thread/learner-api.js'
import type { VerifiedMask } from '../sharing/task-sharing.js'

/**
 * The lifelong loop of one agent: meet the curriculum's tasks in order, train each for its
 * step budget, evaluate as it goes (steps-to-threshold), checkpoint masks, and — when a node
 * shares — ask peers for better masks at the start of each task and `commPerTask` more times
 * during it, installing an adopted mask cleanly between iterations, and (prefetch) for the next
 * task's mask before that task starts (that round then stands in for the next task's start
 * round: one blocking round per task boundary, not two). The driver owns no I/O:
 * persistence, announcements and the network come in through hooks.
 */
export interface DriverConfig {
  readonly tasks: readonly string[]
  /** Env steps (summed over parallel envs) per task. */
  readonly stepsPerTask: number
  /**
   * Env steps between evaluations (rounded to whole iterations, at least one): the resolution
   * of steps-to-threshold. 1,280 = one reference iteration.
   */
  readonly evalEverySteps: number
  readonly evalEpisodes: number
  readonly evalGreedy: boolean
  /** A task is mastered when evaluation reaches this fraction of its optimal return. */
  readonly threshold: number
  /** Sharing rounds during a task, besides the one at its start (the reference: 5). */
  readonly commPerTask: number
  /** Env steps between mask checkpoints (besides improvements and task ends). */
  readonly checkpointEverySteps: number
  /** Re-evaluate every task at the end (forgetting check). */
  readonly finalEvaluation: boolean
  /**
   * With a `share` hook: also run a round for the curriculum's NEXT task while the current one
   * trains (with the last scheduled round, or at the task's end), so it starts from a peer's
   * mask instead of an untrained one.
   */
  readonly prefetchNext: boolean
}

export const DEFAULT_DRIVER_CONFIG: Omit<DriverConfig, 'tasks' | 'stepsPerTask'> = {
  evalEverySteps: 1280,
  evalEpisodes: DEFAULT_EVAL_EPISODES,
  evalGreedy: false,
  threshold: 0.9,
  commPerTask: 5,
  checkpointEverySteps: 5120,
  finalEvaluation: true,
  prefetchNext: true
}

/** An evaluation this much above the previous one checkpoints the mask at once (besides the schedule). */
const CHECKPOINT_GAIN = 0.05

/** Where an agent is in its curriculum (saved in state.json, so a restart resumes there). */
export interface CurriculumPosition {
  /** Index of the current task in the agent's task list (= tasks.length when done). */
  readonly taskIndex: number
  /** Env steps already trained on the current task. */
  readonly stepsOnTask: number
}

export interface TaskReport {
  readonly key: string
  readonly stepsTrained: number
  /** Task steps at the first evaluation reaching threshold · optimal return (null: never). */
  readonly stepsToThreshold: number | null
  readonly finalReturn: number | null
  readonly returnAfterCurriculum: number | null
  readonly adoptions: number
  readonly evaluations: ReadonlyArray<{ steps: number; reward: number }>
}

export interface DriverHooks {
  /**
   * Runs a sharing round for a task; resolves with a verified mask to install, or null. The
   * reason says when: the task's start, a scheduled round during it, or 'prefetch' (the
   * curriculum's next task, while the current one trains; its mask is installed for that task).
   */
  share?: (ctx: {
    taskKey: string
    ownReward: number | null
    reason: 'task-start' | 'scheduled' | 'prefetch'
  }) => Promise<VerifiedMask | null>
  /** A mask the operator adopted for the task in training (review mode), installed between two iterations. */
  approved?: (taskKey: string) => VerifiedMask | null
  onTaskStart?: (taskKey: string, index: number) => Promise<void> | void
  onIteration?: (
    stats: IterationStats,
    ctx: { taskIndex: number; stepsOnTask: number; totalSteps: number }
  ) => Promise<void> | void
  onEvaluation?: (
    taskKey: string,
    reward: number,
    ctx: { stepsOnTask: number; totalSteps: number }
  ) => Promise<void> | void
  onAdopted?: (taskKey: string, adoption: VerifiedMask, ctx: { stepsOnTask: number }) => Promise<void> | void
  /** Persist/announce a mask. `reward` is the latest evaluation (null if none yet). */
  onCheckpoint?: (
    taskKey: string,
    mask: Mask,
    info: { reward: number | null; stepsTrained: number; final: boolean }
  ) => Promise<void> | void
  onTaskEnd?: (report: TaskReport) => Promise<void> | void
  /** Called after every iteration and task change, for crash-safe resume. */
  onPosition?: (p: CurriculumPosition, totalSteps: number) => Promise<void> | void
}

export interface DriverResult {
  readonly tasks: TaskReport[]
  readonly totalSteps: number
  readonly completed: boolean
}

interface TaskState {
  /** The task's optimal return, and the reward that counts as mastering it (threshold · optimal). */
  readonly optimal: number
  readonly mastered: number
  stepsTrained: number
  stepsToThreshold: number | null
  lastReward: number | null
  adoptions: number
  evaluations: Array<{ steps: number; reward: number }>
  /**
   * A prefetch round for this task completed during the previous task: it was this task's
   * round, so the task-start round is skipped (cleared when the task starts).
   */
  prefetched: boolean
}

/** (A function, so TypeScript does not narrow `aborted` across awaits.) */
function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true
}

/**
 * The round's result, or null as soon as `signal` aborts: a stop never waits on a round (a round
 * whose network call hangs must not keep the curriculum from returning). The round itself is
 * left to settle on its own.
 */
async function unlessAborted(
  round: Promise<VerifiedMask | null>,
  signal: AbortSignal | undefined
): Promise<VerifiedMask | null> {
  if (signal === undefined) return await round
  if (signal.aborted) return null
  let onAbort = (): void => {}
  const stopped = new Promise<null>(resolve => {
    onAbort = () => {
      resolve(null)
    }
  })
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    return await Promise.race([round, stopped])
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}

export class CurriculumDriver {
  private readonly states = new Map<string, TaskState>()
  private totalSteps = 0

  constructor(
    private readonly learner: LearnerApi,
    private readonly config: DriverConfig,
    private readonly hooks: DriverHooks = {}
  ) {
    if (config.tasks.length === 0) throw new RangeError('the curriculum has no task')
    if (!(config.stepsPerTask > 0)) throw new RangeError('stepsPerTask must be positive')
    if (!(config.evalEverySteps >= 1) || !(config.checkpointEverySteps >= 1))
      throw new RangeError('evalEverySteps and checkpointEverySteps must be >= 1')
  }

  private state(key: string): TaskState {
    let s = this.states.get(key)
    if (s === undefined) {
      const optimal = taskSpec(key).optimalReturn
      s = {
        optimal,
        mastered: this.config.threshold * optimal,
        stepsTrained: 0,
        stepsToThreshold: null,
        lastReward: null,
        adoptions: 0,
        evaluations: [],
        prefetched: false
      }
      this.states.set(key, s)
    }
    return s
  }

  /** Steps already trained per task from a previous run (resume). */
  restore(
    tasks: ReadonlyArray<{ key: string; stepsTrained: number; reward: number | null }>,
    totalSteps: number
  ): void {
    for (const t of tasks) {
      const s = this.state(t.key)
      s.stepsTrained = t.stepsTrained
      s.lastReward = t.reward
    }
    this.totalSteps = totalSteps
  }

  private async evaluate(key: string, stepsOnTask: number): Promise<number> {
    const r = await this.learner.evaluate(key, { episodes: this.config.evalEpisodes, greedy: this.config.evalGreedy })
    this.record(key, r.meanReturn, stepsOnTask)
    await this.hooks.onEvaluation?.(key, r.meanReturn, { stepsOnTask, totalSteps: this.totalSteps })
    return r.meanReturn
  }

  private record(key: string, reward: number, stepsOnTask: number): void {
    const s = this.state(key)
    s.lastReward = reward
    s.evaluations.push({ steps: stepsOnTask, reward })
    if (s.stepsToThreshold === null && reward >= s.mastered) s.stepsToThreshold = stepsOnTask
  }

  private async checkpoint(key: string, final: boolean): Promise<void> {
    if (this.hooks.onCheckpoint === undefined) return
    const mask = await this.learner.exportMask(key)
    const s = this.state(key)
    await this.hooks.onCheckpoint(key, mask, { reward: s.lastReward, stepsTrained: s.stepsTrained, final })
  }

  private async install(key: string, a: VerifiedMask, stepsOnTask: number): Promise<void> {
    await this.learner.importMask(a.mask)
    const s = this.state(key)
    s.adoptions++
    this.record(key, a.verifiedReward, stepsOnTask)
    await this.hooks.onAdopted?.(key, a, { stepsOnTask })
    await this.checkpoint(key, false)
  }

  /**
   * Runs the curriculum from `from` (default: the start) until done or `signal` aborts (then it
   * returns after the current iteration, with completed=false).
   */
  async run(from: CurriculumPosition = { taskIndex: 0, stepsOnTask: 0 }, signal?: AbortSignal): Promise<DriverResult> {
    const { tasks, stepsPerTask, commPerTask } = this.config
    const reports: TaskReport[] = []
    for (let taskIndex = from.taskIndex; taskIndex < tasks.length; taskIndex++) {
      if (aborted(signal)) return { tasks: reports, totalSteps: this.totalSteps, completed: false }
      const key = tasks[taskIndex] as string
      let stepsOnTask = taskIndex === from.taskIndex ? from.stepsOnTask : 0
      await this.learner.setTask(key)
      await this.hooks.onTaskStart?.(key, taskIndex)
      await this.hooks.onPosition?.({ taskIndex, stepsOnTask }, this.totalSteps)
      const s = this.state(key)

      // Where this task starts from: an evaluation of the current mask (initial, stored or
      // resumed), then a sharing round whose result (if any) replaces it before training.
      if (stepsOnTask === 0 || s.lastReward === null) await this.evaluate(key, stepsOnTask)
      const prefetched = s.prefetched
      s.prefetched = false
      if (this.hooks.share !== undefined && !prefetched && s.lastReward !== null && s.lastReward < s.optimal) {
        const a = await unlessAborted(
          this.hooks.share({ taskKey: key, ownReward: s.lastReward, reason: 'task-start' }).catch(() => null),
          signal
        )
        if (a !== null) await this.install(key, a, stepsOnTask)
      }

      // Later rounds run while training continues; an adoption is installed between iterations.
      const info = await this.learner.status()
      const stepsPerIteration = info.ppo.numEnvs * info.ppo.rolloutLength
      const iterations = Math.max(1, Math.ceil(stepsPerTask / stepsPerIteration))
      const evalEvery = Math.max(1, Math.round(this.config.evalEverySteps / stepsPerIteration))
      const checkpointEvery = Math.max(1, Math.round(this.config.checkpointEverySteps / stepsPerIteration))
      const schedule = new Set(
        Array.from({ length: commPerTask }, (_, k) => Math.floor(((k + 1) * iterations) / (commPerTask + 1)))
      )
      let pending: Promise<VerifiedMask | null> | null = null
      let ready: VerifiedMask | null = null
      // The next task's round goes with the last scheduled one (0: none scheduled, so at the end).
      const next = this.prefetchTarget(taskIndex)
      const prefetchAt = Math.max(0, ...schedule)
      let prefetch: Promise<VerifiedMask | null> | null = null
      let iteration = Math.floor(stepsOnTask / stepsPerIteration)

      while (stepsOnTask < stepsPerTask) {
        if (aborted(signal)) {
          await this.checkpoint(key, false)
          return { tasks: reports, totalSteps: this.totalSteps, completed: false }
        }
        ready ??= this.hooks.approved?.(key) ?? null
        if (ready !== null) {
          const a: VerifiedMask = ready
          ready = null
          await this.install(key, a, stepsOnTask)
        }
        const stats = await this.learner.trainIteration()
        iteration++
        stepsOnTask += stats.steps
        s.stepsTrained += stats.steps
        this.totalSteps += stats.steps
        await this.hooks.onIteration?.(stats, { taskIndex, stepsOnTask, totalSteps: this.totalSteps })
        let improved = false
        if (iteration % evalEvery === 0 || stepsOnTask >= stepsPerTask) {
          const before = s.lastReward
          const reward = await this.evaluate(key, stepsOnTask)
          improved =
            before === null || reward >= before + CHECKPOINT_GAIN || (reward >= s.mastered && before < s.mastered)
        }
        if (improved || iteration % checkpointEvery === 0) await this.checkpoint(key, false)
        await this.hooks.onPosition?.({ taskIndex, stepsOnTask }, this.totalSteps)
        if (this.hooks.share !== undefined && pending === null && schedule.has(iteration)) {
          const own = s.lastReward
          pending = this.hooks
            .share({ taskKey: key, ownReward: own, reason: 'scheduled' })
            .catch(() => null)
            .then(a => {
              ready = a
              pending = null
              return a
            })
        }
        if (next !== null && prefetch === null && prefetchAt > 0 && iteration >= prefetchAt)
          prefetch = this.prefetch(next)
      }
      // A stop ends the wait for a round still running (its result, if any, is dropped).
      if (pending !== null) await unlessAborted(pending, signal)
      if (ready !== null) {
        const a: VerifiedMask = ready
        ready = null
        await this.install(key, a, stepsOnTask)
      }
      await this.learner.endTask()
      await this.checkpoint(key, true)
      if (next !== null && !aborted(signal)) {
        const early = await unlessAborted(prefetch ?? this.prefetch(next), signal)
        if (early !== null) await this.install(next, early, 0)
      }
      const report: TaskReport = {
        key,
        stepsTrained: s.stepsTrained,
        stepsToThreshold: s.stepsToThreshold,
        finalReturn: s.lastReward,
        returnAfterCurriculum: null,
        adoptions: s.adoptions,
        evaluations: [...s.evaluations]
      }
      reports.push(report)
      await this.hooks.onTaskEnd?.(report)
      await this.hooks.onPosition?.({ taskIndex: taskIndex + 1, stepsOnTask: 0 }, this.totalSteps)
    }
    if (this.config.finalEvaluation) {
      for (let i = 0; i < reports.length; i++) {
        const r = reports[i] as TaskReport
        const e = await this.learner.evaluate(r.key, {
          episodes: this.config.evalEpisodes,
          greedy: this.config.evalGreedy
        })
        reports[i] = { ...r, returnAfterCurriculum: e.meanReturn }
      }
    }
    return { tasks: reports, totalSteps: this.totalSteps, completed: true }
  }

  /** The next task, if a prefetch round for it is wanted: a different task, not mastered yet. */
  private prefetchTarget(taskIndex: number): string | null {
    const next = this.config.tasks[taskIndex + 1]
    if (
      this.hooks.share === undefined ||
      !this.config.prefetchNext ||
      next === undefined ||
      next === this.config.tasks[taskIndex]
    )
      return null
    const s = this.state(next)
    return s.lastReward !== null && s.lastReward >= s.optimal ? null : next
  }

  /** A round that completes (adoption or not) stands in for the task's start round; a failed one does not. */
  private async prefetch(key: string): Promise<VerifiedMask | null> {
    const s = this.state(key)
    const round =
      this.hooks.share?.({ taskKey: key, ownReward: s.lastReward, reason: 'prefetch' }) ?? Promise.resolve(null)
    return await round.then(
      a => {
        s.prefetched = true
        return a
      },
      () => null
    )
  }

  get steps(): number {
    return this.totalSteps
  }
}
