import { errorMessage } from '../errors.js'
import { AutoResetEnv, type Env } from '../envs/env.js'
import { describeFrame, type EnvFrame } from '../envs/frame.js'
import { taskSpec } from '../envs/registry.js'
import type { TaskSpec } from '../envs/task.js'
import { DEFAULT_NEW_MASK_MODE, initialBetaLogits, type CombineLayers, type NewMaskMode } from '../masks/combine.js'
import { cloneLayers, validateMask, type TaskMask } from '../masks/mask.js'
import { initialTaskScores } from '../masks/score-init.js'
import { deriveStream, type Prng } from '../rng/prng.js'
import { createBackbone, type Backbone } from './backbone.js'
import {
  DEFAULT_EVAL_EPISODES,
  evaluatePolicy,
  type EvaluationOptions,
  type EvaluationResult
} from './policy-evaluation.js'
import { DEFAULT_BACKEND } from './backend-choice.js'
import { DEFAULT_PPO_PRESET, resolvePpoConfig, type PpoConfig, type PpoPreset } from './hyperparams.js'
import { MaskAnchor } from './mask-anchor.js'
import { MaskedNet, type Combination } from './masked-net.js'
import { argmax, JsPolicy } from './policy-js.js'
import { TfPolicy } from './policy-tf.js'
import { ppoUpdate, TaskOptimizer, type UpdateStats } from './ppo.js'
import { allocateBatch, rolloutReward, scaleInto, VectorRollout, type RolloutBatch } from './rollout.js'
import { activeBackend, initTfBackend, type BackendChoice, type BackendName } from './tf-backend.js'

/** Steps of one played episode at most: a policy that never ends an episode still returns (a frame a step). */
export const PLAY_MAX_STEPS = 500

/** One state of a played episode: the action that led to it (null: the reset), its reward, and the drawing. */
export interface PlayedFrame extends EnvFrame {
  readonly action: number | null
  readonly reward: number
  readonly done: boolean
}

export interface PlayedEpisode {
  readonly totalReward: number
  readonly frames: PlayedFrame[]
}

export interface LearnerOptions {
  /** Observation length and action count of every task this learner will meet. */
  readonly inputSize: number
  readonly numActions: number
  readonly hiddenSizes?: readonly number[]
  /** Backbone seed shared by all nodes (default 9157, as the reference). */
  readonly backboneSeed?: number
  /** This learner's own seed: action sampling, minibatch shuffles, evaluation draws. */
  readonly seed?: number
  readonly newMaskMode?: NewMaskMode
  /** Which layers an LC/BLC task combines (default 'body', see masks/combine.ts). */
  readonly combineLayers?: CombineLayers
  readonly preset?: PpoPreset
  readonly ppo?: Partial<PpoConfig>
  /** Clock for the timings in the stats (default performance.now). */
  readonly now?: () => number
}

export interface IterationStats {
  readonly taskKey: string
  /** Env steps in this iteration (numEnvs · rolloutLength). */
  readonly steps: number
  /** Env steps trained on this task so far, this iteration included. */
  readonly taskSteps: number
  /** Mean return of the episodes that finished in this iteration (null if none did). */
  readonly meanEpisodeReturn: number | null
  /**
   * The reference's per-iteration training reward (docs/reference-fidelity.md §2.4): the mean
   * over the parallel environments of the mean return of the episodes that finished in that
   * environment during this rollout, 0 for an environment where none did.
   */
  readonly rolloutReward: number
  readonly episodes: number
  readonly update: UpdateStats
  readonly timings: { readonly rolloutMs: number; readonly updateMs: number; readonly totalMs: number }
}

export interface TaskStatus {
  readonly key: string
  readonly stepsTrained: number
  /** 'initial': never trained here; 'trained': trained here; 'imported': last set by importMask. */
  readonly origin: 'initial' | 'trained' | 'imported'
}

export interface LearnerStatus {
  readonly backboneId: string
  readonly backend: BackendName | null
  readonly currentTask: string | null
  readonly newMaskMode: NewMaskMode
  readonly totalSteps: number
  readonly tasks: TaskStatus[]
  /** softmax(β) per wire layer of the current task while it is an LC/BLC combination. */
  readonly combinationWeights: number[][] | null
  readonly ppo: PpoConfig
}

/**
 * Which stream of evaluation episodes an evaluation draws: 'main' (training progress, sharing,
 * the final check) or 'sweep' (own-ICR sweeps over the tasks an agent holds). Each has its own
 * PRNG and its own environments, so sweeps never change the episodes the main evaluations
 * draw: a run's steps-to-threshold and returns do not depend on how often it sweeps.
 */
export type EvaluationStream = 'main' | 'sweep'

export type LearnerErrorCode = 'unknown-task' | 'no-current-task' | 'task-mismatch' | 'disposed'

export class LearnerError extends Error {
  constructor(
    readonly code: LearnerErrorCode,
    message: string
  ) {
    super(message)
    this.name = 'LearnerError'
  }
}

interface TaskRecord {
  readonly key: string
  spec: TaskSpec | null
  /** Wire-layout scores. For the current task the network holds the live ones; written back by endTask. */
  scores: Float32Array[]
  stepsTrained: number
  origin: TaskStatus['origin']
}

interface CurrentTask {
  readonly record: TaskRecord
  readonly spec: TaskSpec
  readonly rollout: VectorRollout
  combination: boolean
}

/**
 * The lifelong learner: one fixed backbone, one mask per task, PPO on the current task's scores.
 * Its API takes and returns plain data (no tensors), so it can run behind a worker-thread
 * message port (docs/architecture.md §3). Every call is synchronous and runs between iterations.
 */
export class LifelongLearner {
  readonly backbone: Backbone
  readonly config: PpoConfig
  readonly newMaskMode: NewMaskMode
  readonly combineLayers: CombineLayers
  private readonly net: MaskedNet
  private optimizer: TaskOptimizer | null = null
  /** Rollouts and evaluations of the current task (effective weights refreshed per iteration). */
  private readonly policy: TfPolicy
  /** Evaluations of any other mask, uploaded for that evaluation only. */
  private readonly scratchPolicy: TfPolicy
  /** Serves greedyActions (built on first use: it holds a transposed copy of the backbone). */
  private greedyPolicy: JsPolicy | null = null
  private readonly tasks = new Map<string, TaskRecord>()
  /** Evaluation environments per stream and task ("stream|key"). */
  private readonly evalEnvs = new Map<string, Env[]>()
  private readonly actionRng: Prng
  private readonly shuffleRng: Prng
  private readonly evalRng: Prng
  private readonly sweepRng: Prng
  private readonly playRng: Prng
  private readonly batch: RolloutBatch
  private readonly now: () => number
  private current: CurrentTask | null = null
  private totalSteps = 0
  private disposed = false

  /** Creates a learner after selecting the tfjs backend (see tf-backend.ts). */
  static async create(options: LearnerOptions & { backend?: BackendChoice }): Promise<LifelongLearner> {
    await initTfBackend(options.backend ?? DEFAULT_BACKEND)
    return new LifelongLearner(options)
  }

  /** Synchronous constructor; the tfjs backend must already be initialised. */
  constructor(options: LearnerOptions) {
    this.backbone = createBackbone({
      inputSize: options.inputSize,
      numActions: options.numActions,
      hiddenSizes: options.hiddenSizes,
      seed: options.backboneSeed
    })
    this.config = resolvePpoConfig(options.preset ?? DEFAULT_PPO_PRESET, options.ppo ?? {})
    this.newMaskMode = options.newMaskMode ?? DEFAULT_NEW_MASK_MODE
    this.combineLayers = options.combineLayers ?? 'body'
    const seed = options.seed ?? 1
    this.actionRng = deriveStream(seed, 'learner/actions')
    this.shuffleRng = deriveStream(seed, 'learner/minibatches')
    this.evalRng = deriveStream(seed, 'learner/evaluation')
    this.sweepRng = deriveStream(seed, 'learner/evaluation/sweep')
    // Its own stream: watching an episode never changes the draws of training or evaluation.
    this.playRng = deriveStream(seed, 'learner/play')
    this.now = options.now ?? (() => performance.now())
    this.net = new MaskedNet(this.backbone)
    this.policy = new TfPolicy(this.backbone)
    this.scratchPolicy = new TfPolicy(this.backbone)
    this.batch = allocateBatch(this.config.numEnvs, this.config.rolloutLength, this.backbone.inputSize)
  }

  /**
   * Makes `spec` the task being trained. The previous task is consolidated (an LC/BLC combination
   * is written into its scores) and unloaded; the new task's scores come from its record, or from
   * its deterministic initial scores (plus a combination of the earlier masks under LC/BLC).
   * Optimizer state starts fresh. Setting the current task again is a no-op. A task key is
   * resolved through the task registry, so a worker can be driven with plain strings.
   */
  setTask(task: TaskSpec | string): void {
    this.checkAlive()
    const spec = this.resolveSpec(task)
    this.checkSpec(spec)
    if (this.current?.record.key === spec.key) return
    this.endTask()
    let record = this.tasks.get(spec.key)
    let combination: Combination | null = null
    if (record === undefined) {
      const earlier = [...this.tasks.values()]
      record = {
        key: spec.key,
        spec,
        scores: initialTaskScores(this.backbone, spec.key),
        stepsTrained: 0,
        origin: 'initial'
      }
      this.tasks.set(spec.key, record)
      const mode = this.newMaskMode
      if (mode !== 'random' && earlier.length > 0) {
        const bodyOnly = this.combineLayers === 'body'
        combination = {
          earlier: earlier.map(r => r.scores),
          betaLogits: this.backbone.layers.map((_, l) =>
            bodyOnly && l >= this.backbone.bodyDepth ? null : initialBetaLogits(mode, earlier.length)
          )
        }
      }
    }
    record.spec = spec
    this.installScores(spec.key, record.scores, combination)
    const envs = Array.from({ length: this.config.numEnvs }, () => new AutoResetEnv(spec.createEnv()))
    const rollout = new VectorRollout(
      envs,
      spec.observationScale,
      this.policy,
      this.actionRng,
      this.config.gamma,
      this.config.bootstrapTruncated
    )
    this.current = { record, spec, rollout, combination: combination !== null }
  }

  /**
   * Transfer: rebuilds the current task's LC/BLC combination over this learner's other masks
   * plus `basis`, peers' masks of OTHER tasks (validated against this backbone). Only for a task
   * that still has its own initial scores (never trained here, nothing imported for it) and under
   * 'lc'/'blc'; otherwise a no-op. The basis masks are kept by no task record: they are not this
   * learner's masks for their tasks, and consolidation at the task's end leaves no reference to
   * them. Returns how many basis masks the combination uses.
   */
  setBasis(basis: readonly TaskMask[]): number {
    this.checkAlive()
    const current = this.current
    const mode = this.newMaskMode
    if (current === null || mode === 'random' || basis.length === 0) return 0
    const record = current.record
    if (record.origin !== 'initial' || record.stepsTrained > 0) return 0
    for (const m of basis) validateMask(m, this.backbone)
    const others = [...this.tasks.values()].filter(r => r.key !== record.key).map(r => r.scores)
    const earlier = [
      ...others,
      ...basis.filter(m => m.taskKey !== record.key).map(m => m.layers.map(l => l.scores.slice()))
    ]
    if (earlier.length === others.length) return 0
    const bodyOnly = this.combineLayers === 'body'
    const combination: Combination = {
      earlier,
      betaLogits: this.backbone.layers.map((_, l) =>
        bodyOnly && l >= this.backbone.bodyDepth ? null : initialBetaLogits(mode, earlier.length)
      )
    }
    this.installScores(record.key, record.scores, combination)
    current.combination = true
    return earlier.length - others.length
  }

  /** Consolidates and unloads the current task (no-op without one). */
  endTask(): void {
    this.checkAlive()
    if (this.current === null) return
    // Consolidation: an LC/BLC task's stored mask becomes the combination itself (self-contained).
    this.current.record.scores = this.net.readEffectiveWire()
    this.optimizer?.dispose()
    this.optimizer = null
    this.net.unload()
    this.current = null
  }

  /** Collects one rollout on the current task and runs one PPO update on its scores. */
  trainIteration(): IterationStats {
    this.checkAlive()
    const current = this.current
    if (current === null) throw new LearnerError('no-current-task', 'setTask() must be called before trainIteration()')
    const t0 = this.now()
    const rollout = current.rollout.collect(this.batch)
    const { episodeReturns } = rollout
    const t1 = this.now()
    const update = ppoUpdate(this.net, this.optimizer!, this.batch, this.config, this.shuffleRng)
    this.refreshPolicy()
    const t2 = this.now()
    const steps = this.config.numEnvs * this.config.rolloutLength
    current.record.stepsTrained += steps
    current.record.origin = 'trained'
    this.totalSteps += steps
    return {
      taskKey: current.record.key,
      steps,
      taskSteps: current.record.stepsTrained,
      meanEpisodeReturn:
        episodeReturns.length > 0 ? episodeReturns.reduce((s, r) => s + r, 0) / episodeReturns.length : null,
      rolloutReward: rolloutReward(rollout, this.config.numEnvs),
      episodes: episodeReturns.length,
      update,
      timings: { rolloutMs: t1 - t0, updateMs: t2 - t1, totalMs: t2 - t0 }
    }
  }

  /**
   * Evaluates a task's mask (or the given candidate `mask`, without adopting it) on fresh
   * episodes of that task, batched across episodes. Keys are resolved like setTask's.
   */
  evaluate(
    task: string | TaskSpec,
    options: EvaluationOptions & { mask?: TaskMask; stream?: EvaluationStream } = {}
  ): EvaluationResult {
    this.checkAlive()
    const spec = this.resolveSpec(task)
    this.checkSpec(spec)
    const stream = options.stream ?? 'main'
    const envs = this.evaluationEnvs(stream, spec, options.episodes ?? DEFAULT_EVAL_EPISODES)
    const rng = stream === 'sweep' ? this.sweepRng : this.evalRng
    return this.withPolicy(spec, options.mask, policy =>
      evaluatePolicy(policy, envs, spec.observationScale, rng, options)
    )
  }

  /**
   * Plays one episode of a task with its mask (or the given `mask`) on a fresh environment and
   * records every state for a person to watch (the dashboard). Draws come from the learner's own
   * play stream; at most PLAY_MAX_STEPS steps.
   */
  play(task: string | TaskSpec, options: { mask?: TaskMask; greedy?: boolean } = {}): PlayedEpisode {
    this.checkAlive()
    const spec = this.resolveSpec(task)
    this.checkSpec(spec)
    const env = spec.createEnv()
    const frames: PlayedFrame[] = []
    // The episode runs through evaluatePolicy (the evaluation's own stepping) on an env that records.
    const recording: Env = {
      observationSize: env.observationSize,
      numActions: env.numActions,
      reset: seed => {
        const obs = env.reset(seed)
        frames.push({ action: null, reward: 0, done: false, ...describeFrame(env, obs) })
        return obs
      },
      step: action => {
        const r = env.step(action)
        frames.push({
          action,
          reward: r.reward,
          done: r.terminated || r.truncated,
          ...describeFrame(env, r.observation)
        })
        return r
      }
    }
    const result = this.withPolicy(spec, options.mask, policy =>
      evaluatePolicy(policy, [recording], spec.observationScale, this.playRng, {
        episodes: 1,
        greedy: options.greedy ?? false,
        maxEpisodeSteps: PLAY_MAX_STEPS
      })
    )
    return { totalReward: result.meanReturn, frames }
  }

  /** Runs `fn` with the policy of the task's mask: the one being trained, or `mask`/the stored scores uploaded for this call. */
  private withPolicy<T>(spec: TaskSpec, mask: TaskMask | undefined, fn: (policy: TfPolicy) => T): T {
    if (mask === undefined && this.current?.record.key === spec.key) return fn(this.policy)
    let scores: readonly Float32Array[]
    if (mask !== undefined) {
      validateMask(mask, this.backbone)
      if (mask.taskKey !== spec.key)
        throw new LearnerError('task-mismatch', `mask is for '${mask.taskKey}', not '${spec.key}'`)
      scores = mask.layers.map(l => l.scores)
    } else {
      scores = this.requireRecord(spec.key).scores
    }
    // Another mask than the one being trained: upload it for this call only.
    this.scratchPolicy.setWireScores(scores)
    try {
      return fn(this.scratchPolicy)
    } finally {
      this.scratchPolicy.release()
    }
  }

  /** The task's mask as plain data (a copy). For the current LC/BLC task, the current combination. */
  exportMask(taskKey: string): TaskMask {
    this.checkAlive()
    const scores =
      this.current?.record.key === taskKey
        ? this.net.readEffectiveWire()
        : cloneLayers(this.requireRecord(taskKey).scores)
    return {
      taskKey,
      backboneId: this.backbone.id,
      layers: this.backbone.layers.map((l, i) => ({
        name: l.name,
        shape: [l.outSize, l.inSize] as const,
        scores: scores[i]!
      }))
    }
  }

  /**
   * Installs a mask (validated against this backbone; MaskCompatibilityError otherwise). For the
   * current task it replaces the scores being trained, drops any LC/BLC combination, and resets
   * the optimizer state; other tasks are untouched.
   */
  importMask(mask: TaskMask): void {
    this.checkAlive()
    validateMask(mask, this.backbone)
    const scores = mask.layers.map(l => l.scores.slice())
    const existing = this.tasks.get(mask.taskKey)
    const record: TaskRecord = existing ?? {
      key: mask.taskKey,
      spec: null,
      scores,
      stepsTrained: 0,
      origin: 'imported'
    }
    record.scores = scores
    record.origin = 'imported'
    this.tasks.set(mask.taskKey, record)
    if (this.current?.record.key === mask.taskKey) {
      this.installScores(mask.taskKey, scores, null)
      this.current.combination = false
    }
  }

  /**
   * Greedy actions of a task's mask (default: the current task) for raw observations. Computed in
   * JS over the mask's effective weights, loaded once per call, so it allocates no tensors and
   * gives the same answer for the same mask on every node. (The network has no biases and ReLU
   * units, so it is positively homogeneous: the observation scale does not change the argmax.)
   */
  greedyActions(observations: readonly Uint8Array[], taskKey?: string): number[] {
    this.checkAlive()
    const key = taskKey ?? this.current?.record.key
    if (key === undefined) throw new LearnerError('no-current-task', 'no task given and no current task')
    const n = observations.length
    const inSize = this.backbone.inputSize
    for (const o of observations)
      if (o.length !== inSize)
        throw new LearnerError('task-mismatch', `observation has ${o.length} values, expected ${inSize}`)
    this.greedyPolicy ??= new JsPolicy(this.backbone)
    const policy = this.greedyPolicy
    if (this.current?.record.key === key) policy.setInternalScores(this.net.readEffectiveInternal())
    else policy.setWireScores(this.requireRecord(key).scores)
    const scale = this.tasks.get(key)?.spec?.observationScale ?? this.current?.spec.observationScale ?? 1
    const x = new Float32Array(n * inSize)
    observations.forEach((o, b) => {
      scaleInto(o, scale, x, b * inSize)
    })
    const logits = new Float32Array(n * this.backbone.numActions)
    policy.forward(x, n, logits, new Float32Array(n))
    policy.release()
    return observations.map((_, b) => argmax(logits, b * this.backbone.numActions, this.backbone.numActions))
  }

  status(): LearnerStatus {
    this.checkAlive()
    const weights = this.current?.combination === true ? this.net.combinationWeights() : null
    return {
      backboneId: this.backbone.id,
      backend: activeBackend()?.name ?? null,
      currentTask: this.current?.record.key ?? null,
      newMaskMode: this.newMaskMode,
      totalSteps: this.totalSteps,
      tasks: [...this.tasks.values()].map(r => ({ key: r.key, stepsTrained: r.stepsTrained, origin: r.origin })),
      combinationWeights: weights === null ? null : weights.map(w => Array.from(w)),
      ppo: this.config
    }
  }

  dispose(): void {
    if (this.disposed) return
    this.optimizer?.dispose()
    this.optimizer = null
    this.net.dispose()
    this.policy.release()
    this.scratchPolicy.release()
    this.current = null
    this.disposed = true
  }

  /** Loads scores into the network with fresh optimizer state and refreshes the inference weights. */
  private installScores(taskKey: string, wireScores: readonly Float32Array[], combination: Combination | null): void {
    this.optimizer?.dispose()
    this.net.load(wireScores, combination)
    this.optimizer = new TaskOptimizer(this.net, this.config, this.anchorFor(taskKey))
    this.refreshPolicy()
  }

  /**
   * The close-to-init penalty of a task (null when off). Its anchor is always the task's
   * reproducible initial scores, the DELTA base, whatever the scores being installed: an
   * imported mask or a resumed one is drawn back towards the base where its policy gradient
   * does not hold it (docs/delta-encoding.md §11); under LC/BLC it acts on the new mask's own
   * scores, which start there, not on the combination.
   */
  private anchorFor(taskKey: string): MaskAnchor | null {
    const lambda = this.config.closeToInit
    if (lambda === 0) return null
    const rule = { kind: this.config.closeToInitRule, lambda }
    return new MaskAnchor(rule, this.net.layers, initialTaskScores(this.backbone, taskKey))
  }

  private refreshPolicy(): void {
    this.policy.setFromNet(this.net)
  }

  private evaluationEnvs(stream: EvaluationStream, spec: TaskSpec, n: number): Env[] {
    const id = `${stream}|${spec.key}`
    let envs = this.evalEnvs.get(id)
    if (envs === undefined) {
      envs = []
      this.evalEnvs.set(id, envs)
    }
    while (envs.length < n) envs.push(spec.createEnv())
    return envs
  }

  /** A spec given, or the one this learner already knows for the key, or the registry's. */
  private resolveSpec(task: TaskSpec | string): TaskSpec {
    if (typeof task !== 'string') return task
    const known = this.tasks.get(task)?.spec
    if (known != null) return known
    try {
      return taskSpec(task)
    } catch (err) {
      throw new LearnerError('unknown-task', `cannot resolve task '${task}': ${errorMessage(err)}`)
    }
  }

  private requireRecord(taskKey: string): TaskRecord {
    const record = this.tasks.get(taskKey)
    if (record === undefined) throw new LearnerError('unknown-task', `no mask for task '${taskKey}'`)
    return record
  }

  private checkSpec(spec: TaskSpec): void {
    if (spec.observationSize !== this.backbone.inputSize || spec.numActions !== this.backbone.numActions) {
      throw new LearnerError(
        'task-mismatch',
        `task '${spec.key}' has ${spec.observationSize} inputs and ${spec.numActions} actions; this learner's backbone has ${this.backbone.inputSize} and ${this.backbone.numActions}`
      )
    }
  }

  private checkAlive(): void {
    if (this.disposed) throw new LearnerError('disposed', 'the learner has been disposed')
  }
}
