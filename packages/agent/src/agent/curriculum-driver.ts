import type { Mask } from '@l2d2c/protocol'
import { taskSpec } from '../envs/registry.js'
import type { IterationStats } from '../learner/lifelong-learner.js'
import { DEFAULT_EVAL_EPISODES } from '../learner/policy-evaluation.js'
import type { EvaluateOptions, LearnerApi } from '../learner/thread/learner-api.js'
import type { TaskMastery } from '../masks/knowledge-base.js'
import type { VerifiedMask } from '../sharing/task-sharing.js'
import { aborted } from '../util/aborted.js'
import { DEFAULT_NEWS_GAP_MS, NewsRounds } from './news-rounds.js'

/**
 * The lifelong loop of one agent: meet the curriculum's tasks in order, train each until it is
 * mastered (or for its whole step budget, with `budget: 'fixed'`), evaluate as it goes
 * (steps-to-threshold), checkpoint masks, and — when a node shares — ask peers for better masks
 * at the start of each task and `commPerTask` more times during it (a round whose turn comes
 * while another runs waits for it; those training outran run when it ends), installing an
 * adopted mask cleanly between iterations, and (prefetch) for the next task's mask before that task starts
 * (that round then stands in for the next task's start round: one blocking round per task
 * boundary, not two). A task a peer's verified mask already masters is not trained at all. It
 * also measures what the agent can do by itself (own ICR, see `sweep`). The driver owns no I/O:
 * persistence, announcements and the network come in through hooks.
 *
 * Mastery: an evaluation reaching threshold · optimal return, CONFIRMED by the next regular
 * evaluation (evalEverySteps later: 10 iterations, 1,280 steps, with the defaults), which draws
 * fresh episodes. One 25-episode draw can be lucky (0.9 is 23 of 25 successes; a mask that
 * succeeds 85 % of the time draws >= 23 about a quarter of the time), so the first draw alone
 * never masters a task. The confirmation waits for the next regular evaluation rather than
 * re-drawing at once or after one more iteration because a task ends with the mask it then
 * stores, serves and is judged on later, and that mask must hold the threshold, not just have
 * touched it. Measured on the 16 CT-graph tasks (2 seeds; every iteration a 25-episode draw and a
 * 400-episode estimate of the mask's true success rate): confirming one iteration (128 steps)
 * later ends tasks at a true success rate of 0.97 on average (lowest 0.91), which a later
 * 25-episode check reads below 0.9 for about 1 task in 14; confirming at the next regular
 * evaluation ends them at 0.989 (lowest 0.96), about 1 task in 160, for about 1,000 more steps
 * per task (4,200 on average instead of 3,200; a fixed budget spends 25,600). With budget 'fixed'
 * the same rule is only reported. A mask adopted from a peer masters the task at once when its
 * local verification reaches the threshold: that verification is already a second independent
 * measurement, after the holder's own.
 */
export interface DriverConfig {
  readonly tasks: readonly string[]
  /**
   * Env steps (summed over parallel envs) per task: with budget 'mastery' a cap (a task not
   * mastered by then ends there), with 'fixed' the budget every task trains for.
   */
  readonly stepsPerTask: number
  /**
   * 'mastery': a task ends as soon as it is mastered (see above) or a peer's mask verified at
   * the threshold is adopted, and a task already mastered that way is skipped (0 steps).
   * 'fixed': every task trains its whole budget, adopted masks included (the reference's
   * schedule: its figures stay reproducible).
   */
  readonly budget: BudgetMode
  /**
   * Env steps between evaluations (rounded to whole iterations, at least one): the resolution
   * of steps-to-threshold, and the wait between a draw at the threshold and its confirmation.
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
  /**
   * Training env steps between own-ICR sweeps (every task the agent holds, except the current
   * one, evaluated again on the learner's 'sweep' stream of episodes). A sweep also runs when the
   * curriculum starts and ends, and every task's end records a sample of the latest
   * measurements. A sweep of 16 CT-graph tasks is 15 evaluations of 25 episodes, about as long
   * as two PPO iterations (measured: 470 ms against 210 ms per 128-step iteration, on a loaded
   * 2-core machine): every 10,240 steps (80 iterations) keeps it under 3 % of the time with all
   * 16 tasks held, about half that over a curriculum.
   */
  readonly sweepEverySteps: number
}

/** How a learner moves on from a task: at mastery, or after the task's fixed step budget. */
export type BudgetMode = 'mastery' | 'fixed'
export const BUDGET_MODES: readonly BudgetMode[] = ['mastery', 'fixed']

/** How a task came to be mastered, and the env steps this agent had trained on it by then. */
export type Mastery = TaskMastery

/**
 * What the agent can do by itself at one moment: its own return on each task of its
 * curriculum (its latest measurement of the mask it holds; 0 for a task it holds none for) and
 * their sum, the own ICR. `steps` is its training env steps then.
 */
export interface OwnIcrSample {
  readonly steps: number
  readonly ownIcr: number
  readonly perTask: Readonly<Record<string, number>>
  /** 'sweep': every held task measured now; 'task-end': latest measurements, at a task boundary. */
  readonly kind: 'sweep' | 'task-end'
}

export const DEFAULT_DRIVER_CONFIG: Omit<DriverConfig, 'tasks' | 'stepsPerTask'> = {
  budget: 'mastery',
  evalEverySteps: 1280,
  evalEpisodes: DEFAULT_EVAL_EPISODES,
  evalGreedy: false,
  threshold: 0.9,
  commPerTask: 5,
  checkpointEverySteps: 5120,
  finalEvaluation: true,
  prefetchNext: true,
  sweepEverySteps: 10_240
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
  /**
   * The reference's measure: task steps at the end of the first PPO iteration whose training
   * reward (IterationStats.rolloutReward) reached threshold · optimal return (null: none did,
   * e.g. a task adopted without training, or mastered by evaluation before the training reward
   * caught up).
   */
  readonly stepsToThresholdTrain: number | null
  /** How the task was mastered, at how many of its steps (null: not mastered). */
  readonly mastery: Mastery | null
  readonly finalReturn: number | null
  readonly returnAfterCurriculum: number | null
  readonly adoptions: number
  /** Env steps of the evaluations run while this task was trained (not training steps). */
  readonly evalSteps: number
  readonly evaluations: ReadonlyArray<{ steps: number; reward: number }>
}

export interface DriverHooks {
  /**
   * Runs a sharing round for a task; resolves with a verified mask to install, or null. The
   * reason says when: the task's start, a scheduled round during it, or 'prefetch' (the
   * curriculum's next task, while the current one trains; its mask is installed for that task),
   * or 'news' (a holder new for a task the agent still needs was announced: `holderAnnounced`).
   */
  share?: (ctx: {
    taskKey: string
    ownReward: number | null
    reason: 'task-start' | 'scheduled' | 'prefetch' | 'news'
  }) => Promise<VerifiedMask | null>
  /**
   * Transfer: peers' verified masks of OTHER tasks to start a task from (the BLC basis, with the
   * learner's own masks), asked for once when a task starts untrained and no peer's mask was
   * adopted for it. They are a basis only (LearnerApi.setBasis): no task is adopted or stored.
   */
  basis?: (taskKey: string) => Promise<Mask[]>
  /**
   * Experiment pacing (step-pace.ts): awaited before each training iteration with the agent's
   * training steps so far; it resolves when training may go on (or the run's signal aborts).
   */
  pace?: (totalSteps: number) => Promise<void>
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
  /** A task of the curriculum was mastered (once per task). */
  onMastered?: (taskKey: string, mastery: Mastery) => Promise<void> | void
  /** A new own-ICR sample: after each sweep, and at each task's end. */
  onOwnIcr?: (sample: OwnIcrSample) => Promise<void> | void
  /** Env steps an evaluation run by the driver consumed (every kind: progress, sweep, final). */
  onEvaluationSteps?: (steps: number) => void
  /** Called after every iteration and task change, for crash-safe resume. */
  onPosition?: (p: CurriculumPosition, totalSteps: number) => Promise<void> | void
}

export interface DriverResult {
  readonly tasks: TaskReport[]
  /** Training env steps (the agent's, resumed runs included). */
  readonly totalSteps: number
  /** Env steps of every evaluation this run made (progress, confirmations, sweeps, final): not training steps. */
  readonly evalSteps: number
  /** The latest own-ICR sample (null: none yet). */
  readonly ownIcr: OwnIcrSample | null
  readonly completed: boolean
}

interface TaskState {
  /** The task's optimal return, and the reward that counts as mastering it (threshold · optimal). */
  readonly optimal: number
  readonly mastered: number
  stepsTrained: number
  stepsToThreshold: number | null
  stepsToThresholdTrain: number | null
  lastReward: number | null
  adoptions: number
  evaluations: Array<{ steps: number; reward: number }>
  evalSteps: number
  /**
   * A prefetch round for this task completed during the previous task: it was this task's
   * round, so the task-start round is skipped (cleared when the task starts).
   */
  prefetched: boolean
  /** The last own evaluation reached the threshold: the next one (at the regular cadence) confirms mastery. */
  confirming: boolean
  mastery: Mastery | null
  /** The agent holds a mask for the task: it met it, adopted one, or had one when it resumed. */
  held: boolean
  /** Its latest own measurement of the mask it holds (any evaluation, sweeps included). */
  ownReturn: number | null
  /** The content id of the last mask adopted for it (a news round joined by another round brings the same one). */
  adoptedCid: string | null
}

/** Timers for the news rounds (injected in tests). */
export interface NewsClock {
  readonly now: () => number
  readonly after: (ms: number, fn: () => void) => () => void
}

const REAL_CLOCK: NewsClock = {
  now: () => Date.now(),
  after: (ms, fn) => {
    const t = setTimeout(fn, ms)
    t.unref?.()
    return () => {
      clearTimeout(t)
    }
  }
}

/**
 * The round's result, or null as soon as `signal` aborts: a stop never waits on a round (a round
 * whose network call hangs must not keep the curriculum from returning). The round itself is
 * left to settle on its own.
 */
async function unlessAborted<T>(round: Promise<T | null>, signal: AbortSignal | undefined): Promise<T | null> {
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
  /** The curriculum's tasks, each once (own ICR sums over these). */
  private readonly distinctTasks: readonly string[]
  private totalSteps = 0
  private evalStepsTotal = 0
  private lastSample: OwnIcrSample | null = null
  /** Sharing rounds running per task (every kind), so news never starts one beside another. */
  private readonly rounds = new Map<string, number>()
  /** Rounds triggered by holders' announcements (news-rounds.ts). */
  private readonly news: NewsRounds | null
  /** The task in training (null between tasks and outside `run`). */
  private current: string | null = null
  /** Inside `run`: a news round's adoption waits in `arrived` for the loop to install it between iterations. */
  private looping = false
  private readonly arrived = new Map<string, VerifiedMask>()
  /** Installs outside `run`, one at a time. */
  private installs: Promise<void> = Promise.resolve()

  constructor(
    private readonly learner: LearnerApi,
    private readonly config: DriverConfig,
    private readonly hooks: DriverHooks = {},
    newsOpts: { gapMs?: number; clock?: NewsClock } = {}
  ) {
    if (config.tasks.length === 0) throw new RangeError('the curriculum has no task')
    if (!(config.stepsPerTask > 0)) throw new RangeError('stepsPerTask must be positive')
    if (!(config.evalEverySteps >= 1) || !(config.checkpointEverySteps >= 1) || !(config.sweepEverySteps >= 1))
      throw new RangeError('evalEverySteps, checkpointEverySteps and sweepEverySteps must be >= 1')
    if (!BUDGET_MODES.includes(config.budget)) throw new RangeError(`unknown budget mode ${String(config.budget)}`)
    this.distinctTasks = [...new Set(config.tasks)]
    const clock = newsOpts.clock ?? REAL_CLOCK
    this.news =
      hooks.share === undefined
        ? null
        : new NewsRounds({
            minGapMs: newsOpts.gapMs ?? DEFAULT_NEWS_GAP_MS,
            now: clock.now,
            after: clock.after,
            needs: (key, claim) => this.needs(key, claim),
            busy: key => (this.rounds.get(key) ?? 0) > 0,
            round: async key => {
              await this.newsRound(key)
            }
          })
  }

  /**
   * A holder new for `taskKey` announced a mask it claims `claim` for (the peer directory's
   * news, already filtered by the site policy and reputation): a round may follow (news-rounds.ts).
   */
  holderAnnounced(taskKey: string, claim: number): void {
    this.news?.heard(taskKey, claim)
  }

  /** No news round starts after this (the agent stops). */
  stopNews(): void {
    this.news?.stop()
  }

  /** News rounds started so far. */
  get newsRounds(): number {
    return this.news?.started ?? 0
  }

  /**
   * Whether a holder's claim is worth a round: a task of the curriculum the agent has met
   * (a task not met yet gets its start or prefetch round), not mastered (under a fixed budget,
   * the task in training also when mastered: its scheduled rounds run too), whose mask the
   * claim beats.
   */
  private needs(key: string, claim: number): boolean {
    if (!this.distinctTasks.includes(key)) return false
    const s = this.states.get(key)
    if (s === undefined || !s.held) return false
    const training = this.looping && key === this.current
    if (s.mastery !== null && !(training && this.config.budget === 'fixed')) return false
    const own = s.ownReturn ?? s.lastReward
    return own === null || claim > own
  }

  /** Every sharing round goes through here, so the news rounds know which tasks have one running. */
  private async ask(ctx: Parameters<NonNullable<DriverHooks['share']>>[0]): Promise<VerifiedMask | null> {
    const share = this.hooks.share
    if (share === undefined) return null
    this.rounds.set(ctx.taskKey, (this.rounds.get(ctx.taskKey) ?? 0) + 1)
    try {
      return await share(ctx)
    } finally {
      const n = (this.rounds.get(ctx.taskKey) ?? 1) - 1
      if (n > 0) this.rounds.set(ctx.taskKey, n)
      else this.rounds.delete(ctx.taskKey)
      this.news?.roundEnded(ctx.taskKey)
    }
  }

  /** A news round: its adoption is installed between two iterations inside `run`, at once outside. */
  private async newsRound(key: string): Promise<void> {
    const a = await this.ask({ taskKey: key, ownReward: this.state(key).lastReward, reason: 'news' })
    if (a === null) return
    if (this.looping) {
      this.arrived.set(key, a)
      return
    }
    const install = this.installs.then(async () => {
      await this.installNews(key, a, this.state(key).stepsTrained)
    })
    this.installs = install.catch(() => {})
    await install
  }

  /** A news round's mask, unless the same mask was just adopted (a round it joined brought it too). */
  private async installNews(key: string, a: VerifiedMask, stepsOnTask: number): Promise<void> {
    if (this.state(key).adoptedCid === a.cid) return
    await this.install(key, a, stepsOnTask)
  }

  /** Installs the masks news rounds brought while the loop ran (the current task's at its steps). */
  private async installArrived(current: string, stepsOnTask: number): Promise<void> {
    for (const [key, a] of [...this.arrived]) {
      this.arrived.delete(key)
      await this.installNews(key, a, key === current ? stepsOnTask : this.state(key).stepsTrained)
    }
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
        stepsToThresholdTrain: null,
        lastReward: null,
        adoptions: 0,
        evaluations: [],
        evalSteps: 0,
        prefetched: false,
        confirming: false,
        mastery: null,
        held: false,
        ownReturn: null,
        adoptedCid: null
      }
      this.states.set(key, s)
    }
    return s
  }

  /** What a previous run left per task (resume): steps trained, latest reward, mastery. Each such task is held. */
  restore(
    tasks: ReadonlyArray<{ key: string; stepsTrained: number; reward: number | null; mastery?: Mastery | null }>,
    totalSteps: number
  ): void {
    for (const t of tasks) {
      const s = this.state(t.key)
      s.stepsTrained = t.stepsTrained
      s.lastReward = t.reward
      s.ownReturn = t.reward
      s.mastery = t.mastery ?? null
      s.held = true
    }
    this.totalSteps = totalSteps
  }

  /** One evaluation of a task's own mask; its env steps are counted (per task while it trains, and in the total). */
  private async measure(
    key: string,
    stream: NonNullable<EvaluateOptions['stream']>,
    forTask: boolean
  ): Promise<number> {
    const r = await this.learner.evaluate(key, {
      episodes: this.config.evalEpisodes,
      greedy: this.config.evalGreedy,
      ...(stream === 'sweep' ? { stream } : {})
    })
    this.evalStepsTotal += r.steps
    if (forTask) this.state(key).evalSteps += r.steps
    this.hooks.onEvaluationSteps?.(r.steps)
    return r.meanReturn
  }

  private async evaluate(key: string, stepsOnTask: number): Promise<number> {
    const reward = await this.measure(key, 'main', true)
    await this.record(key, reward, stepsOnTask, 'own')
    await this.hooks.onEvaluation?.(key, reward, { stepsOnTask, totalSteps: this.totalSteps })
    return reward
  }

  /**
   * A measurement of the task's mask: its own evaluation, or the local verification of an
   * adopted mask. Tracks steps-to-threshold and mastery (module comment).
   */
  private async record(key: string, reward: number, stepsOnTask: number, kind: 'own' | 'adopted'): Promise<void> {
    const s = this.state(key)
    s.lastReward = reward
    s.ownReturn = reward
    s.evaluations.push({ steps: stepsOnTask, reward })
    const reached = reward >= s.mastered
    if (s.stepsToThreshold === null && reached) s.stepsToThreshold = stepsOnTask
    if (kind === 'adopted') {
      // A new mask: earlier draws said nothing about it.
      s.confirming = false
      if (reached) await this.master(key, 'adopted', stepsOnTask)
      return
    }
    if (reached && s.confirming) await this.master(key, 'learned', stepsOnTask)
    s.confirming = reached
  }

  private async master(key: string, by: Mastery['by'], steps: number): Promise<void> {
    const s = this.state(key)
    if (s.mastery !== null) return
    s.mastery = { by, steps }
    await this.hooks.onMastered?.(key, s.mastery)
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
    s.held = true
    s.adoptedCid = a.cid
    await this.record(key, a.verifiedReward, stepsOnTask, 'adopted')
    await this.hooks.onAdopted?.(key, a, { stepsOnTask })
    await this.checkpoint(key, false)
  }

  /**
   * The own ICR now: each curriculum task's latest own measurement if the agent holds a mask
   * for it, else 0. A sweep first measures every held task again (on the learner's 'sweep'
   * stream, so the main evaluations draw the same episodes with or without sweeps), except
   * `current`, whose latest evaluation stands in for it, and those in `fresh`, measured just now.
   */
  private async sample(
    kind: OwnIcrSample['kind'],
    current: string | null = null,
    fresh: ReadonlySet<string> = new Set()
  ): Promise<void> {
    const perTask: Record<string, number> = {}
    let ownIcr = 0
    for (const key of this.distinctTasks) {
      const s = this.states.get(key)
      if (s === undefined || !s.held) {
        perTask[key] = 0
        continue
      }
      if (kind === 'sweep' && !(key === current && s.ownReturn !== null) && !fresh.has(key)) {
        // A task whose mask the learner lost (a store that failed) holds nothing: 0.
        s.ownReturn = await this.measure(key, 'sweep', false).catch(() => 0)
      }
      perTask[key] = s.ownReturn ?? 0
      ownIcr += perTask[key]
    }
    this.lastSample = { steps: this.totalSteps, ownIcr, perTask, kind }
    await this.hooks.onOwnIcr?.(this.lastSample)
  }

  private result(tasks: TaskReport[], completed: boolean): DriverResult {
    return { tasks, totalSteps: this.totalSteps, evalSteps: this.evalStepsTotal, ownIcr: this.lastSample, completed }
  }

  /**
   * Runs the curriculum from `from` (default: the start) until done or `signal` aborts (then it
   * returns after the current iteration, with completed=false).
   */
  async run(from: CurriculumPosition = { taskIndex: 0, stepsOnTask: 0 }, signal?: AbortSignal): Promise<DriverResult> {
    this.looping = true
    try {
      return await this.runLoop(from, signal)
    } finally {
      // From here on news rounds install their masks themselves; those that came in the
      // meantime go first (the curriculum has ended, or stopped: a stop drops them).
      this.looping = false
      this.current = null
      if (!aborted(signal)) {
        const pending = [...this.arrived]
        this.arrived.clear()
        for (const [key, a] of pending) await this.installNews(key, a, this.state(key).stepsTrained)
      }
      this.arrived.clear()
    }
  }

  private async runLoop(from: CurriculumPosition, signal: AbortSignal | undefined): Promise<DriverResult> {
    const { tasks, stepsPerTask, commPerTask, sweepEverySteps } = this.config
    const byMastery = this.config.budget === 'mastery'
    const reports: TaskReport[] = []
    if (from.taskIndex < tasks.length && !aborted(signal)) await this.sample('sweep')
    let nextSweepAt = (Math.floor(this.totalSteps / sweepEverySteps) + 1) * sweepEverySteps
    for (let taskIndex = from.taskIndex; taskIndex < tasks.length; taskIndex++) {
      if (aborted(signal)) return this.result(reports, false)
      const key = tasks[taskIndex] as string
      let stepsOnTask = taskIndex === from.taskIndex ? from.stepsOnTask : 0
      await this.learner.setTask(key)
      await this.hooks.onTaskStart?.(key, taskIndex)
      await this.hooks.onPosition?.({ taskIndex, stepsOnTask }, this.totalSteps)
      const s = this.state(key)
      s.held = true
      s.confirming = false
      this.current = key
      // Under 'mastery' a task already mastered (a peer's mask adopted at the threshold, e.g. by
      // the prefetch, or the same task met earlier) is not trained again.
      const done = (): boolean => byMastery && s.mastery !== null

      // Where this task starts from: an evaluation of the current mask (initial, stored or
      // resumed), then a sharing round whose result (if any) replaces it before training.
      if (!done() && (stepsOnTask === 0 || s.lastReward === null)) await this.evaluate(key, stepsOnTask)
      const prefetched = s.prefetched
      s.prefetched = false
      if (
        this.hooks.share !== undefined &&
        !done() &&
        !prefetched &&
        s.lastReward !== null &&
        s.lastReward < s.optimal
      ) {
        const a = await unlessAborted(
          this.ask({ taskKey: key, ownReward: s.lastReward, reason: 'task-start' }).catch(() => null),
          signal
        )
        if (a !== null) await this.install(key, a, stepsOnTask)
      }

      // Nobody's mask for it: a task met untrained may start from peers' masks of other tasks.
      if (this.hooks.basis !== undefined && !done() && stepsOnTask === 0 && s.stepsTrained === 0 && s.adoptions === 0) {
        const basis = await unlessAborted(
          this.hooks.basis(key).catch(() => []),
          signal
        )
        if (basis !== null && basis.length > 0 && (await this.learner.setBasis(basis)) > 0)
          await this.evaluate(key, stepsOnTask)
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
      // Scheduled rounds whose iteration came while another round was still running: training
      // can outrun the rounds (a small network trains an iteration in tens of ms, a round
      // collects offers for its whole window), and a round skipped then would be lost. They run
      // as soon as the running one ends, and those still owed when training ends run right after.
      let owed = 0
      // The next task's round goes with the last scheduled one (0: none scheduled, so at the end).
      const next = this.prefetchTarget(taskIndex)
      const prefetchAt = Math.max(0, ...schedule)
      let prefetch: Promise<VerifiedMask | null> | null = null
      let iteration = Math.floor(stepsOnTask / stepsPerIteration)

      while (stepsOnTask < stepsPerTask && !done()) {
        if (aborted(signal)) {
          await this.checkpoint(key, false)
          return this.result(reports, false)
        }
        ready ??= this.hooks.approved?.(key) ?? null
        if (ready !== null) {
          const a: VerifiedMask = ready
          ready = null
          await this.install(key, a, stepsOnTask)
          if (done()) break
        }
        if (this.arrived.size > 0) {
          await this.installArrived(key, stepsOnTask)
          if (done()) break
        }
        if (this.hooks.pace !== undefined) {
          await this.hooks.pace(this.totalSteps)
          // A stop while it waited: the loop's top checkpoints and returns; news that came is installed first.
          if (aborted(signal) || this.arrived.size > 0) continue
        }
        const stats = await this.learner.trainIteration()
        iteration++
        stepsOnTask += stats.steps
        s.stepsTrained += stats.steps
        this.totalSteps += stats.steps
        if (s.stepsToThresholdTrain === null && stats.rolloutReward >= s.mastered) s.stepsToThresholdTrain = stepsOnTask
        await this.hooks.onIteration?.(stats, { taskIndex, stepsOnTask, totalSteps: this.totalSteps })
        let improved = false
        if (iteration % evalEvery === 0 || stepsOnTask >= stepsPerTask) {
          const before = s.lastReward
          const reward = await this.evaluate(key, stepsOnTask)
          improved =
            before === null || reward >= before + CHECKPOINT_GAIN || (reward >= s.mastered && before < s.mastered)
        }
        if (improved || iteration % checkpointEvery === 0) await this.checkpoint(key, false)
        if (this.totalSteps >= nextSweepAt) {
          await this.sample('sweep', key)
          nextSweepAt = (Math.floor(this.totalSteps / sweepEverySteps) + 1) * sweepEverySteps
        }
        await this.hooks.onPosition?.({ taskIndex, stepsOnTask }, this.totalSteps)
        if (schedule.has(iteration)) owed++
        // (While a news round for the task runs, the scheduled one stays owed: it would only join it.)
        if (this.hooks.share !== undefined && pending === null && owed > 0 && !done() && !this.rounds.has(key)) {
          owed--
          const own = s.lastReward
          pending = this.ask({ taskKey: key, ownReward: own, reason: 'scheduled' })
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
      await this.installArrived(key, stepsOnTask)
      // The scheduled rounds training outran, one at a time, while the task is not mastered: a
      // node that trains its whole task in a second or two still asks the swarm commPerTask
      // times, also after the announcements of holders it did not know at first arrived.
      while (this.hooks.share !== undefined && owed > 0 && !done() && !aborted(signal)) {
        owed--
        const a = await unlessAborted(
          this.ask({ taskKey: key, ownReward: s.lastReward, reason: 'scheduled' }).catch(() => null),
          signal
        )
        if (a !== null) await this.install(key, a, stepsOnTask)
        await this.installArrived(key, stepsOnTask)
      }
      await this.learner.endTask()
      this.current = null
      await this.checkpoint(key, true)
      if (next !== null && !aborted(signal)) {
        const early = await unlessAborted(prefetch ?? this.prefetch(next), signal)
        if (early !== null) await this.install(next, early, 0)
      }
      const report: TaskReport = {
        key,
        stepsTrained: s.stepsTrained,
        stepsToThreshold: s.stepsToThreshold,
        stepsToThresholdTrain: s.stepsToThresholdTrain,
        mastery: s.mastery,
        finalReturn: s.lastReward,
        returnAfterCurriculum: null,
        adoptions: s.adoptions,
        evalSteps: s.evalSteps,
        evaluations: [...s.evaluations]
      }
      reports.push(report)
      await this.hooks.onTaskEnd?.(report)
      await this.sample('task-end')
      await this.hooks.onPosition?.({ taskIndex: taskIndex + 1, stepsOnTask: 0 }, this.totalSteps)
    }
    const measured = new Set<string>()
    if (this.config.finalEvaluation) {
      for (let i = 0; i < reports.length; i++) {
        const r = reports[i] as TaskReport
        const reward = await this.measure(r.key, 'main', false)
        reports[i] = { ...r, returnAfterCurriculum: reward }
        this.state(r.key).ownReturn = reward
        measured.add(r.key)
      }
    }
    // The closing sweep: the final evaluation stands in for the tasks it measured.
    if (!aborted(signal) && (reports.length > 0 || this.lastSample === null)) await this.sample('sweep', null, measured)
    return this.result(reports, true)
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
    if (this.config.budget === 'mastery' && s.mastery !== null) return null
    return s.lastReward !== null && s.lastReward >= s.optimal ? null : next
  }

  /** A round that completes (adoption or not) stands in for the task's start round; a failed one does not. */
  private async prefetch(key: string): Promise<VerifiedMask | null> {
    const s = this.state(key)
    const round = this.ask({ taskKey: key, ownReward: s.lastReward, reason: 'prefetch' })
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

  /** Env steps of every evaluation this driver ran. */
  get evalSteps(): number {
    return this.evalStepsTotal
  }

  /** The latest own-ICR sample (null before the first). */
  get ownIcr(): OwnIcrSample | null {
    return this.lastSample
  }
}
