import type { Mask } from '@l2d2c/protocol'
import { taskSpec } from '../../envs/registry.js'
import type { EvaluationResult } from '../policy-evaluation.js'
import { LifelongLearner, type IterationStats, type LearnerStatus, type PlayedEpisode } from '../lifelong-learner.js'
import { activeBackend } from '../tf-backend.js'
import type { EvaluateOptions, LearnerApi, LearnerInfo, LearnerInit, PlayOptions } from './learner-api.js'

/**
 * The learner on the calling thread. Used by single-agent training, tests, and inside the
 * learner worker. Each call runs to completion synchronously (an iteration blocks the event
 * loop for its duration: daemons use WorkerLearner instead).
 */
export class InProcessLearner implements LearnerApi {
  private learner: LifelongLearner | null = null

  private get l(): LifelongLearner {
    if (this.learner === null) throw new Error('learner not initialised: call init() first')
    return this.learner
  }

  async init(init: LearnerInit): Promise<LearnerInfo> {
    if (this.learner !== null) throw new Error('learner already initialised')
    const { shapeTask, ...options } = init
    const shape = taskSpec(shapeTask)
    this.learner = await LifelongLearner.create({
      ...options,
      inputSize: shape.observationSize,
      numActions: shape.numActions
    })
    const s = this.learner.status()
    return {
      backend: s.backend ?? 'unknown',
      backendSkipped: activeBackend()?.skipped ?? [],
      backboneId: s.backboneId,
      layers: this.learner.backbone.layers.map(l => ({
        name: l.name,
        shape: [l.outSize, l.inSize] as [number, number]
      })),
      ppo: s.ppo
    }
  }

  // Keys go to the learner as they are: it resolves them itself, with its typed LearnerError.
  async setTask(taskKey: string): Promise<void> {
    this.l.setTask(taskKey)
  }
  async endTask(): Promise<void> {
    this.l.endTask()
  }
  async trainIteration(): Promise<IterationStats> {
    return this.l.trainIteration()
  }

  async evaluate(taskKey: string, opts: EvaluateOptions = {}): Promise<EvaluationResult> {
    return this.l.evaluate(taskKey, opts)
  }

  async play(taskKey: string, opts: PlayOptions = {}): Promise<PlayedEpisode> {
    return this.l.play(taskKey, opts)
  }

  // A protocol Mask is structurally a TaskMask (the learner validates names and [out, in] shapes).
  async exportMask(taskKey: string): Promise<Mask> {
    return this.l.exportMask(taskKey)
  }
  async importMask(mask: Mask): Promise<void> {
    this.l.importMask(mask)
  }
  async setBasis(basis: Mask[]): Promise<number> {
    return this.l.setBasis(basis)
  }

  async status(): Promise<LearnerStatus> {
    return this.l.status()
  }

  async dispose(): Promise<void> {
    this.learner?.dispose()
    this.learner = null
  }
}
