import type { Mask } from '@l2d2c/protocol'
import { describe, expect, it } from 'vitest'
import type { EvaluationResult } from '../../../src/learner/policy-evaluation.js'
import { DEFAULT_PPO } from '../../../src/learner/hyperparams.js'
import type { IterationStats, LearnerStatus } from '../../../src/learner/lifelong-learner.js'
import {
  DEFAULT_DRIVER_CONFIG,
  CurriculumDriver,
  type DriverConfig,
  type DriverHooks
} from '../../../src/agent/curriculum-driver.js'
import type { VerifiedMask } from '../../../src/sharing/task-sharing.js'
import type { EvaluateOptions, LearnerApi, LearnerInfo } from '../../../src/learner/thread/learner-api.js'

// Real catalogue keys (the driver reads their optimal return, 1 for these CT-graph tasks).
const X = 'ctgraph/d2b2/img1/leaf00'
const Y = 'ctgraph/d2b2/img1/leaf01'
const STEPS = 1280 // per iteration: 4 envs x 320

/** What the scripted learner knows when it is asked for a reward. */
interface RewardCtx {
  task: string
  trained: number
  current: string | null
  imported: boolean
}

/**
 * A stand-in learner: training only counts steps, evaluation returns a scripted reward, and every
 * call is logged so tests can check the order of calls.
 */
class ScriptedLearner implements LearnerApi {
  readonly calls: string[] = []
  private current: string | null = null
  private readonly trained = new Map<string, number>()
  private readonly imported = new Set<string>()

  constructor(private readonly reward: (c: RewardCtx) => number) {}

  trainedOn(task: string): number {
    return this.trained.get(task) ?? 0
  }

  async init(): Promise<LearnerInfo> {
    throw new Error('not used by the driver')
  }
  async setTask(taskKey: string): Promise<void> {
    this.calls.push(`setTask ${taskKey}`)
    this.current = taskKey
  }
  async endTask(): Promise<void> {
    this.calls.push('endTask')
    this.current = null
  }
  async trainIteration(): Promise<IterationStats> {
    const task = this.current
    if (task === null) throw new Error('no current task')
    const taskSteps = this.trainedOn(task) + STEPS
    this.trained.set(task, taskSteps)
    this.calls.push(`train ${task}`)
    const update = {
      gradientSteps: 1,
      loss: 0,
      policyLoss: 0,
      valueLoss: 0,
      entropy: 0,
      gradNorm: 0,
      clipFraction: 0,
      approxKl: 0
    }
    return {
      taskKey: task,
      steps: STEPS,
      taskSteps,
      meanEpisodeReturn: null,
      episodes: 0,
      update,
      timings: { rolloutMs: 0, updateMs: 0, totalMs: 0 }
    }
  }

  async evaluate(taskKey: string, opts: EvaluateOptions = {}): Promise<EvaluationResult> {
    this.calls.push(`evaluate ${taskKey}`)
    const meanReturn = this.reward({
      task: taskKey,
      trained: this.trainedOn(taskKey),
      current: this.current,
      imported: this.imported.has(taskKey)
    })
    return { episodes: opts.episodes ?? 1, meanReturn, returns: [meanReturn], steps: 1, greedy: opts.greedy ?? false }
  }

  async exportMask(taskKey: string): Promise<Mask> {
    this.calls.push(`exportMask ${taskKey}`)
    return mask(taskKey)
  }
  async importMask(m: Mask): Promise<void> {
    this.calls.push(`importMask ${m.taskKey}`)
    this.imported.add(m.taskKey)
  }

  async status(): Promise<LearnerStatus> {
    return {
      backboneId: 'fake',
      backend: null,
      currentTask: this.current,
      newMaskMode: 'random',
      totalSteps: 0,
      tasks: [],
      combinationWeights: null,
      ppo: { ...DEFAULT_PPO, numEnvs: 4, rolloutLength: 320 }
    }
  }

  async dispose(): Promise<void> {}
}

function mask(taskKey: string): Mask {
  return { taskKey, backboneId: 'fake', layers: [] }
}

function adoption(taskKey: string, verifiedReward: number): VerifiedMask {
  return {
    mask: mask(taskKey),
    verifiedReward,
    from: 'peer-a',
    cid: `cid-${taskKey}`,
    claimedReward: 1,
    origin: 'peer-a',
    latencyMs: 5
  }
}

function config(over: Partial<DriverConfig>): DriverConfig {
  return {
    ...DEFAULT_DRIVER_CONFIG,
    tasks: [X],
    stepsPerTask: 6 * STEPS,
    evalEpisodes: 1,
    commPerTask: 0,
    checkpointEverySteps: 1e9,
    ...over
  }
}

const never = new Promise<VerifiedMask | null>(() => {})

describe('CurriculumDriver (scripted learner)', () => {
  it('reports steps to threshold at the first evaluation reaching threshold x optimal, evaluating on the rounded cadence, and re-evaluates at the end', async () => {
    // X is mastered (exactly 0.9) from 5,120 steps on; after the curriculum it has slipped to 0.7.
    const learner = new ScriptedLearner(c => (c.current === null ? 0.7 : c.trained >= 4 * STEPS ? 0.9 : 0.3))
    // 2,000 steps between evaluations rounds to 2 iterations (2,560 steps).
    const driver = new CurriculumDriver(
      learner,
      config({ tasks: [X, Y], stepsPerTask: 10 * STEPS, evalEverySteps: 2000 })
    )
    const r = await driver.run()
    expect(r.completed).toBe(true)
    expect(r.totalSteps).toBe(20 * STEPS)
    const x = r.tasks[0]!
    expect(x.evaluations.map(e => e.steps)).toEqual([0, 2, 4, 6, 8, 10].map(i => i * STEPS))
    expect(x.stepsToThreshold).toBe(4 * STEPS)
    expect(x.finalReturn).toBe(0.9)
    expect(x.returnAfterCurriculum).toBe(0.7)
    expect(r.tasks[1]!.stepsToThreshold).toBe(4 * STEPS)
  })

  it('never reaching the threshold reports null; an evaluation cadence below one iteration evaluates every iteration', async () => {
    const learner = new ScriptedLearner(() => 0.89)
    const r = await new CurriculumDriver(learner, config({ evalEverySteps: 1, finalEvaluation: false })).run()
    expect(r.tasks[0]!.evaluations.map(e => e.steps)).toEqual([0, 1, 2, 3, 4, 5, 6].map(i => i * STEPS))
    expect(r.tasks[0]!.stepsToThreshold).toBeNull()
    expect(r.tasks[0]!.returnAfterCurriculum).toBeNull()
  })

  it('an abort returns after the current iteration with completed=false, checkpointing the task', async () => {
    const stop = new AbortController()
    const checkpoints: boolean[] = []
    const learner = new ScriptedLearner(() => 0.1)
    const driver = new CurriculumDriver(learner, config({ tasks: [X, Y] }), {
      onIteration: (_stats, ctx) => {
        if (ctx.stepsOnTask === 3 * STEPS) stop.abort()
      },
      onCheckpoint: (_key, _mask, info) => {
        checkpoints.push(info.final)
      }
    })
    const r = await driver.run(undefined, stop.signal)
    expect(r).toMatchObject({ completed: false, totalSteps: 3 * STEPS, tasks: [] })
    expect(learner.trainedOn(X)).toBe(3 * STEPS)
    expect(learner.calls).not.toContain(`setTask ${Y}`)
    expect(checkpoints.at(-1)).toBe(false)
  })

  it('a stop ends the wait for a scheduled round that never settles; the task still ends cleanly', async () => {
    const stop = new AbortController()
    const learner = new ScriptedLearner(() => 0.1)
    const driver = new CurriculumDriver(learner, config({ tasks: [X, Y], commPerTask: 1 }), {
      share: async ctx => (ctx.reason === 'scheduled' ? await never : null),
      // The stop comes once training is over, while the driver waits for the round.
      onPosition: p => {
        if (p.stepsOnTask === 6 * STEPS)
          setTimeout(() => {
            stop.abort()
          }, 20)
      }
    })
    const r = await driver.run(undefined, stop.signal)
    expect(r.completed).toBe(false)
    expect(r.tasks.map(t => t.key)).toEqual([X])
    expect(learner.calls.at(-1)).toBe('endTask')
  }, 5_000)

  it('a stop ends the wait for a task-start round that never settles', async () => {
    const stop = new AbortController()
    const learner = new ScriptedLearner(() => 0.1)
    const driver = new CurriculumDriver(learner, config({}), {
      share: async () => {
        setTimeout(() => {
          stop.abort()
        }, 20)
        return await never
      }
    })
    const r = await driver.run(undefined, stop.signal)
    expect(r).toMatchObject({ completed: false, totalSteps: 0 })
  }, 5_000)

  it("prefetch: with the last scheduled round, fetches the next task's mask and installs it before that task starts", async () => {
    // Y scores 0.95 once its mask was imported, 0.1 before.
    const learner = new ScriptedLearner(c => (c.task === Y && c.imported ? 0.95 : 0.1))
    const prefetched: Array<{ taskKey: string; ownReward: number | null; xSteps: number }> = []
    const rounds: string[] = []
    const adopted: string[] = []
    const checkpoints: Array<{ key: string; reward: number | null; stepsTrained: number }> = []
    const hooks: DriverHooks = {
      share: async ({ reason, ...ctx }) => {
        rounds.push(`${reason} ${ctx.taskKey}`)
        if (reason !== 'prefetch') return null
        prefetched.push({ ...ctx, xSteps: learner.trainedOn(X) })
        return adoption(ctx.taskKey, 0.95)
      },
      onAdopted: key => {
        adopted.push(key)
      },
      onCheckpoint: (key, _mask, info) => {
        checkpoints.push({ key, reward: info.reward, stepsTrained: info.stepsTrained })
      }
    }
    // 6 iterations, 2 rounds besides the task start: after iterations 2 and 4.
    const r = await new CurriculumDriver(learner, config({ tasks: [X, Y], commPerTask: 2 }), hooks).run()
    // Once, for Y only (never past the last task), when X had trained 4 iterations.
    expect(prefetched).toEqual([{ taskKey: Y, ownReward: null, xSteps: 4 * STEPS }])
    // The prefetch round was Y's round: no second one when Y starts (its scheduled rounds still run).
    expect(rounds).toEqual([
      `task-start ${X}`,
      `scheduled ${X}`,
      `scheduled ${X}`,
      `prefetch ${Y}`,
      `scheduled ${Y}`,
      `scheduled ${Y}`
    ])
    const calls = learner.calls
    expect(calls.indexOf(`importMask ${Y}`)).toBeGreaterThan(calls.lastIndexOf(`train ${X}`))
    expect(calls.indexOf(`importMask ${Y}`)).toBeLessThan(calls.indexOf(`setTask ${Y}`))
    expect(adopted).toEqual([Y])
    // The adopted mask is checkpointed (stored) with its verified reward and no training on Y.
    expect(checkpoints).toContainEqual({ key: Y, reward: 0.95, stepsTrained: 0 })
    const y = r.tasks[1]!
    expect(y.adoptions).toBe(1)
    expect(y.evaluations.slice(0, 2)).toEqual([
      { steps: 0, reward: 0.95 },
      { steps: 0, reward: 0.95 }
    ])
    expect(y.stepsToThreshold).toBe(0)
  })

  it("prefetch: runs at the task's end when no round is scheduled, and not for a next task already mastered", async () => {
    const learner = new ScriptedLearner(() => 0.1)
    const rounds: Array<{ round: string; xSteps: number }> = []
    const hooks: DriverHooks = {
      share: async ctx => {
        rounds.push({ round: `${ctx.reason} ${ctx.taskKey}`, xSteps: learner.trainedOn(X) })
        return null
      }
    }
    await new CurriculumDriver(learner, config({ tasks: [X, Y], finalEvaluation: false }), hooks).run()
    // One blocking round at the boundary: the completed prefetch (even without an adoption)
    // stands in for Y's task-start round.
    expect(rounds).toEqual([
      { round: `task-start ${X}`, xSteps: 0 },
      { round: `prefetch ${Y}`, xSteps: 6 * STEPS }
    ])

    rounds.length = 0
    const resumed = new CurriculumDriver(
      new ScriptedLearner(() => 0.1),
      config({ tasks: [X, Y], finalEvaluation: false }),
      hooks
    )
    resumed.restore([{ key: Y, stepsTrained: 0, reward: 1 }], 0)
    await resumed.run()
    // No prefetch for a mastered Y, so Y keeps its own start round (its re-evaluation says 0.1).
    expect(rounds.map(r => r.round)).toEqual([`task-start ${X}`, `task-start ${Y}`])
  })

  it('prefetch: a failed prefetch round leaves the next task its start round; prefetchNext false runs none', async () => {
    const rounds: string[] = []
    const hooks: DriverHooks = {
      share: async ctx => {
        rounds.push(`${ctx.reason} ${ctx.taskKey}`)
        if (ctx.reason === 'prefetch') throw new Error('network down')
        return null
      }
    }
    await new CurriculumDriver(
      new ScriptedLearner(() => 0.1),
      config({ tasks: [X, Y], finalEvaluation: false }),
      hooks
    ).run()
    expect(rounds).toEqual([`task-start ${X}`, `prefetch ${Y}`, `task-start ${Y}`])

    rounds.length = 0
    await new CurriculumDriver(
      new ScriptedLearner(() => 0.1),
      config({ tasks: [X, Y], finalEvaluation: false, prefetchNext: false }),
      hooks
    ).run()
    expect(rounds).toEqual([`task-start ${X}`, `task-start ${Y}`])
  })

  it('review mode: a mask the operator approved for the task in training is installed between two iterations', async () => {
    const learner = new ScriptedLearner(c => (c.imported ? 0.95 : 0.1))
    const installed: Array<{ task: string; steps: number }> = []
    let approved: VerifiedMask | null = null
    const driver = new CurriculumDriver(learner, config({ finalEvaluation: false }), {
      approved: task => {
        const a = approved?.mask.taskKey === task ? approved : null
        if (a !== null) approved = null
        return a
      },
      onIteration: (_stats, ctx) => {
        if (ctx.stepsOnTask === 2 * STEPS) approved = adoption(X, 0.95)
      },
      onAdopted: (task, _a, ctx) => {
        installed.push({ task, steps: ctx.stepsOnTask })
      }
    })
    const r = await driver.run()
    expect(installed).toEqual([{ task: X, steps: 2 * STEPS }])
    expect(r.tasks[0]!.adoptions).toBe(1)
    // After the second iteration, before the third.
    const trains = learner.calls.flatMap((c, k) => (c === `train ${X}` ? [k] : []))
    const i = learner.calls.indexOf(`importMask ${X}`)
    expect(i).toBeGreaterThan(trains[1]!)
    expect(i).toBeLessThan(trains[2]!)
  })
})
