import type { LayerSpec, Mask, MaskMeta } from '@l2d2c/protocol'
import { describeError } from '../errors.js'
import type { LearnerApi } from '../learner/thread/learner-api.js'
import type { Logger } from '../logging/logger.js'
import type { KnowledgeBase } from '../masks/knowledge-base.js'
import { CandidateReview, type HeldCandidate } from '../sharing/candidate-review.js'
import type { ReputationBook } from '../sharing/policy/reputation.js'
import type { VerifiedMask } from '../sharing/task-sharing.js'

/** The operator named a candidate that is not held (never, or no longer). */
export class CandidateNotFoundError extends Error {
  constructor(taskKey: string, cid: string) {
    super(`no candidate ${cid} is held for ${taskKey} (see l2d2c candidates)`)
    this.name = 'CandidateNotFoundError'
  }
}

export interface ReviewDecision {
  readonly taskKey: string
  readonly cid: string
  readonly decision: 'adopted' | 'rejected'
  /**
   * Adopted: 'now' (installed, stored and announced), or 'next-iteration' (the task is being
   * trained: the curriculum installs it between two training iterations, as any adoption).
   */
  readonly installed: 'now' | 'next-iteration' | null
}

export interface ReviewDeskComponents {
  readonly review: CandidateReview
  readonly reputation: Pick<ReputationBook, 'reject'>
  readonly learner: Pick<LearnerApi, 'importMask'>
  readonly kb: KnowledgeBase
  readonly expect: { readonly backboneId: string; readonly layers: readonly LayerSpec[] }
  /** Stores a mask and returns its BITS CID (the agent's store; the exchange announces it). */
  readonly storeMask: (mask: Mask, meta: MaskMeta) => Promise<string>
  readonly saveState: () => Promise<void>
  readonly adopted?: (taskKey: string, a: VerifiedMask) => void
  readonly logger: Logger
  readonly now: () => number
}

/**
 * The operator's side of review mode (`--adopt review`): adopting or rejecting a held
 * candidate. An adopted candidate is checked again, then installed the way a sharing round's
 * adoption is: into the learner, the knowledge base (with its provenance), the store (so it is
 * announced and served). For the task the curriculum is training, the curriculum driver
 * installs it itself between two iterations (its own checkpoints would otherwise race the
 * install); the candidate stays held until then, so a stop before that loses nothing. A
 * rejected candidate's content id joins the rejected ones, never fetched again.
 */
export class ReviewDesk {
  /** The task the curriculum driver is training now (null between tasks and after the curriculum). */
  private training: string | null = null
  /** Adoptions approved for the task in training, waiting for the driver. */
  private readonly approved = new Map<string, VerifiedMask>()

  constructor(private readonly c: ReviewDeskComponents) {}

  list(): HeldCandidate[] {
    return this.c.review.list()
  }

  async adopt(taskKey: string, cid: string): Promise<ReviewDecision> {
    const held = this.c.review.get(taskKey, cid)
    if (held === null) throw new CandidateNotFoundError(taskKey, cid)
    let adoption: VerifiedMask
    try {
      adoption = {
        mask: CandidateReview.mask(held, this.c.expect),
        verifiedReward: held.verifiedReward,
        from: held.from,
        cid: held.cid,
        claimedReward: held.claimedReward,
        origin: held.origin,
        latencyMs: null
      }
    } catch (err) {
      // It was verified when held; bytes that no longer verify are dropped, not installed.
      this.c.review.remove(taskKey, cid)
      throw new Error(`candidate ${cid} no longer verifies (${describeError(err)}); dropped`)
    }
    if (this.training === taskKey) {
      this.approved.set(taskKey, adoption)
      this.c.logger.info({ task: taskKey, cid }, 'operator adopted a candidate; installing it between two iterations')
      return { taskKey, cid, decision: 'adopted', installed: 'next-iteration' }
    }
    await this.install(taskKey, adoption, held.stepsTrained)
    return { taskKey, cid, decision: 'adopted', installed: 'now' }
  }

  reject(taskKey: string, cid: string): ReviewDecision {
    const held = this.c.review.remove(taskKey, cid)
    if (held === null) throw new CandidateNotFoundError(taskKey, cid)
    if (this.approved.get(taskKey)?.cid === cid) this.approved.delete(taskKey)
    this.c.reputation.reject(cid, 'rejected by the operator', this.c.now())
    this.c.logger.info({ task: taskKey, cid, from: held.from }, 'operator rejected a candidate')
    return { taskKey, cid, decision: 'rejected', installed: null }
  }

  // ---- the curriculum driver's hooks ------------------------------------------------------

  /** The driver starts training a task. */
  taskStarted(taskKey: string): void {
    this.training = taskKey
  }

  /** An approved adoption for the task the driver trains, to install between two iterations. */
  take(taskKey: string): VerifiedMask | null {
    const a = this.approved.get(taskKey) ?? null
    this.approved.delete(taskKey)
    return a
  }

  /** The driver installed an adoption: an approved candidate is no longer held. */
  installed(taskKey: string, cid: string): void {
    this.c.review.remove(taskKey, cid)
  }

  /** The driver left a task (done or stopped): an approval it did not take is installed now. */
  async taskEnded(taskKey: string): Promise<void> {
    if (this.training === taskKey) this.training = null
    const a = this.approved.get(taskKey)
    if (a === undefined) return
    this.approved.delete(taskKey)
    const held = this.c.review.get(taskKey, a.cid)
    await this.install(taskKey, a, held?.stepsTrained ?? 0)
  }

  /** Installs an adoption outside the driver: learner, knowledge base, store, state. */
  private async install(taskKey: string, a: VerifiedMask, stepsTrained: number): Promise<void> {
    const { kb, now } = this.c
    await this.c.learner.importMask(a.mask)
    kb.recordAdoption(
      taskKey,
      { from: a.from, origin: a.origin, cid: a.cid, claimedReward: a.claimedReward, verifiedReward: a.verifiedReward },
      now()
    )
    const e = kb.get(taskKey)
    const stored = await this.c.storeMask(a.mask, {
      reward: a.verifiedReward,
      stepsTrained: Math.max(stepsTrained, e?.stepsTrained ?? 0),
      origin: a.origin,
      createdAtMs: now()
    })
    kb.recordTraining(taskKey, { cid: stored }, now())
    this.c.review.remove(taskKey, a.cid)
    await this.c.saveState()
    this.c.logger.info({ task: taskKey, from: a.from, verified: a.verifiedReward }, 'adopted mask (operator)')
    this.c.adopted?.(taskKey, a)
  }
}
