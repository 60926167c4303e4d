import { Worker } from 'node:worker_threads'
import type { Mask } from '@l2d2c/protocol'
import type { EvaluationResult } from '../policy-evaluation.js'
import type { IterationStats, LearnerStatus, PlayedEpisode } from '../lifelong-learner.js'
import {
  LEARNER_THREAD_NICENESS,
  type EvaluateOptions,
  type LearnerApi,
  type LearnerInfo,
  type LearnerInit,
  type PlayOptions
} from './learner-api.js'

/** An error thrown by the learner in the worker, with its original name and code. */
export class LearnerCallError extends Error {
  constructor(
    readonly originalName: string,
    message: string,
    readonly code: string | undefined
  ) {
    super(message)
    this.name = originalName === 'Error' ? 'LearnerCallError' : originalName
  }
}

// The compiled worker (dist/), also when this module runs from src/ under tests: the worker
// thread cannot load TypeScript. The relative path is the same from src/learner/thread and dist/learner/thread.
const WORKER_URL = new URL('../../../dist/learner/thread/learner-worker.js', import.meta.url)

interface Pending {
  resolve: (v: unknown) => void
  reject: (e: Error) => void
}

/**
 * LearnerApi behind a worker thread. Calls are messages; results come back in order. If the
 * worker dies, every pending and later call fails with the reason instead of hanging.
 */
export class WorkerLearner implements LearnerApi {
  private readonly worker: Worker
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private dead: Error | null = null

  /** `niceness`: the learner thread's nice value (Linux), LEARNER_THREAD_NICENESS by default. */
  constructor(opts: { niceness?: number } = {}) {
    this.worker = new Worker(WORKER_URL, { workerData: { niceness: opts.niceness ?? LEARNER_THREAD_NICENESS } })
    this.worker.on(
      'message',
      (m: { id: number; result?: unknown; error?: { name: string; message: string; code?: string } }) => {
        const p = this.pending.get(m.id)
        if (p === undefined) return
        this.pending.delete(m.id)
        if (m.error !== undefined) p.reject(new LearnerCallError(m.error.name, m.error.message, m.error.code))
        else p.resolve(m.result)
      }
    )
    const fail = (err: Error): void => {
      this.dead ??= err
      for (const p of this.pending.values()) p.reject(this.dead)
      this.pending.clear()
    }
    this.worker.on('error', fail)
    this.worker.on('exit', code => {
      fail(new Error(`learner worker exited (code ${code})`))
    })
  }

  private call<T>(method: keyof LearnerApi, ...args: unknown[]): Promise<T> {
    if (this.dead !== null) return Promise.reject(this.dead)
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.worker.postMessage({ id, method, args })
    })
  }

  async init(init: LearnerInit): Promise<LearnerInfo> {
    return await this.call('init', init)
  }
  async setTask(taskKey: string): Promise<void> {
    await this.call('setTask', taskKey)
  }
  async endTask(): Promise<void> {
    await this.call('endTask')
  }
  async trainIteration(): Promise<IterationStats> {
    return await this.call('trainIteration')
  }
  async evaluate(taskKey: string, opts: EvaluateOptions = {}): Promise<EvaluationResult> {
    return await this.call('evaluate', taskKey, opts)
  }
  async exportMask(taskKey: string): Promise<Mask> {
    return await this.call('exportMask', taskKey)
  }
  async play(taskKey: string, opts: PlayOptions = {}): Promise<PlayedEpisode> {
    return await this.call('play', taskKey, opts)
  }
  async importMask(mask: Mask): Promise<void> {
    await this.call('importMask', mask)
  }
  async setBasis(basis: Mask[]): Promise<number> {
    return await this.call('setBasis', basis)
  }
  async status(): Promise<LearnerStatus> {
    return await this.call('status')
  }

  async dispose(): Promise<void> {
    if (this.dead === null) {
      await this.call('dispose').catch(() => {}) // a worker that cannot dispose is terminated below anyway
      this.dead = new Error('learner disposed')
    }
    await this.worker.terminate()
  }
}
