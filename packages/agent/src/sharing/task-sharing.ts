import type { LayerSpec, Mask } from '@l2d2c/protocol'
import type { LearnerApi } from '../learner/thread/learner-api.js'
import type { CandidateReview } from './candidate-review.js'
import type { EvaluatedCandidate, QueryRounds, RoundResult } from './query-round.js'

/** A mask a sharing round verified and evaluated locally, for the curriculum driver to install. */
export interface VerifiedMask {
  readonly mask: Mask
  readonly verifiedReward: number
  readonly from: string
  readonly cid: string
  readonly claimedReward: number
  readonly origin: string
  /** Query sent → verified mask in hand (ms). */
  readonly latencyMs: number | null
}

/** A candidate as the history keeps it: without the mask and its bytes. */
export type CandidateSummary = Omit<EvaluatedCandidate, 'mask' | 'bytes'>

/** A finished round as the history keeps it: without the masks themselves. */
export type RoundSummary = Omit<RoundResult, 'adopted' | 'held'> & {
  readonly adopted: CandidateSummary | null
  readonly held: readonly CandidateSummary[]
}

/** Rounds kept in the history (for status and benchmarks), newest last. */
export const MAX_ROUND_HISTORY = 200

export interface TaskSharingComponents {
  readonly rounds: Pick<QueryRounds, 'round'>
  /** Evaluates candidates and the current mask, with the same episodes. */
  readonly learner: Pick<LearnerApi, 'evaluate'>
  /** The local backbone's layer table (every received mask must have it). */
  readonly layers: readonly LayerSpec[]
  /** Notified of every finished round (metrics). */
  readonly roundDone?: (round: RoundResult) => void
  /** Review mode: where the candidates a round holds go (instead of being installed). */
  readonly review?: Pick<CandidateReview, 'hold'>
  readonly now?: () => number
}

export interface TaskSharingInit {
  /** Episodes of each local evaluation (candidate and current mask alike). */
  readonly evalEpisodes: number
  readonly evalGreedy: boolean
}

/**
 * Sharing as a learner uses it: a query round for one task whose candidates are evaluated with
 * the agent's own learner, turned into the VerifiedMask the curriculum driver installs, and the
 * bounded history of the rounds run.
 */
export class TaskSharing {
  /** Rounds run, newest last (at most MAX_ROUND_HISTORY). */
  readonly history: RoundSummary[] = []

  constructor(
    private readonly c: TaskSharingComponents,
    private readonly init: TaskSharingInit
  ) {}

  /**
   * One round for a task (the current one, or the next one when prefetching). `signal` (the
   * curriculum's stop) ends a pending round at once.
   */
  async share(taskKey: string, ownReward: number | null, signal?: AbortSignal): Promise<VerifiedMask | null> {
    const { learner } = this.c
    const { evalEpisodes: episodes, evalGreedy: greedy } = this.init
    const round = await this.c.rounds.round({
      taskKey,
      ownReward,
      layers: this.c.layers,
      evaluate: async mask => (await learner.evaluate(taskKey, { mask, episodes, greedy })).meanReturn,
      // A task the learner never met has no mask yet: null, so any verified mask is better.
      currentReward: async () =>
        await learner.evaluate(taskKey, { episodes, greedy }).then(
          r => r.meanReturn,
          () => null
        ),
      ...(this.c.review !== undefined ? { hold: true } : {}),
      ...(signal !== undefined ? { signal } : {})
    })
    this.remember(round)
    this.c.roundDone?.(round)
    // Review mode: nothing changes what the node runs until its operator adopts a candidate.
    if (round.held.length > 0) this.c.review?.hold(taskKey, round.held, (this.c.now ?? Date.now)())
    if (round.adopted === null) return null
    const a = round.adopted
    return {
      mask: a.mask,
      verifiedReward: a.verifiedReward,
      from: a.from,
      cid: a.cid,
      claimedReward: a.claimedReward,
      origin: a.meta.origin,
      latencyMs: round.latencyMs
    }
  }

  /** The history keeps what a round did, not the masks (438 kB each; the learner or the review has its copy). */
  private remember(round: RoundResult): void {
    const { adopted, held, ...rest } = round
    const summary = ({ mask: _mask, bytes: _bytes, ...info }: EvaluatedCandidate): CandidateSummary => info
    this.history.push({ ...rest, adopted: adopted === null ? null : summary(adopted), held: held.map(summary) })
    if (this.history.length > MAX_ROUND_HISTORY) this.history.shift()
  }
}
