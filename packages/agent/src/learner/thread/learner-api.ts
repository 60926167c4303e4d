import type { Mask } from '@l2d2c/protocol'
import type { EvaluationResult } from '../policy-evaluation.js'
import type { PpoConfig } from '../hyperparams.js'
import type {
  EvaluationStream,
  IterationStats,
  LearnerOptions,
  LearnerStatus,
  PlayedEpisode
} from '../lifelong-learner.js'
import type { BackendChoice } from '../tf-backend.js'

/**
 * The learner as the rest of a node sees it: asynchronous, message-shaped (plain data only, no
 * tensors), so the same calls work in-process or behind a worker thread's message port
 * (docs/architecture.md §3). Calls are served one at a time, in order.
 */
export type LearnerInit = {
  /** A task of the curriculum: fixes the observation size and action count (the backbone). */
  readonly shapeTask: string
  readonly seed: number
  readonly backend?: BackendChoice
} & Pick<LearnerOptions, 'backboneSeed' | 'newMaskMode' | 'preset' | 'ppo'>

/**
 * The learner thread's nice value (Linux): lower priority than the network thread, which must
 * answer peers while training saturates the CPU.
 */
export const LEARNER_THREAD_NICENESS = 10

export interface LearnerInfo {
  readonly backend: string
  /** Backends 'auto' tried first and could not use, with the reason (for the node to log). */
  readonly backendSkipped: ReadonlyArray<{ readonly backend: string; readonly reason: string }>
  readonly backboneId: string
  readonly layers: ReadonlyArray<{ name: string; shape: [number, number] }>
  readonly ppo: PpoConfig
}

export interface EvaluateOptions {
  readonly episodes?: number
  readonly greedy?: boolean
  /** Evaluate this candidate mask instead of the learner's own mask for the task. */
  readonly mask?: Mask
  /** The stream of episodes to draw (default 'main'; own-ICR sweeps use 'sweep'). */
  readonly stream?: EvaluationStream
}

export interface PlayOptions {
  readonly mask?: Mask
  readonly greedy?: boolean
}

export interface LearnerApi {
  init: (init: LearnerInit) => Promise<LearnerInfo>
  setTask: (taskKey: string) => Promise<void>
  endTask: () => Promise<void>
  trainIteration: () => Promise<IterationStats>
  evaluate: (taskKey: string, opts?: EvaluateOptions) => Promise<EvaluationResult>
  exportMask: (taskKey: string) => Promise<Mask>
  /** One episode with the task's mask (or `mask`), every state recorded for a person to watch. */
  play: (taskKey: string, opts?: PlayOptions) => Promise<PlayedEpisode>
  importMask: (mask: Mask) => Promise<void>
  /** The current, untrained task's LC/BLC combination also over peers' masks of other tasks (transfer); how many it uses. */
  setBasis: (basis: Mask[]) => Promise<number>
  status: () => Promise<LearnerStatus>
  dispose: () => Promise<void>
}
