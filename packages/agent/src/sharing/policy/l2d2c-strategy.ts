import type { Answer, HeldMask, ReceivedOffer, SharingStrategy } from './strategy.js'
import type { MaskQuery } from '@l2d2c/protocol'

export interface L2d2cStrategyOptions {
  /**
   * A mask moves only when the holder is better by this factor: the responder offers only if
   * hysteresis·r_holder > r_querier, and the requester fetches only if hysteresis·r_offer >
   * r_own (docs/reference-fidelity.md §3.5: 0.9 on both sides, so ~11% better).
   */
  readonly hysteresis?: number
  /** The responder never offers a mask whose reward is not above this (the reference: r > 0). */
  readonly minReward?: number
}

export const DEFAULT_L2D2C_STRATEGY: Required<L2d2cStrategyOptions> = {
  hysteresis: 0.9,
  minReward: 0
}

/**
 * The L2D2-C rules (docs/reference-fidelity.md §3.3–3.5), with one hardening: the final decision to
 * adopt uses the requester's own evaluation of the received mask, never the reward the
 * holder claims, so a lying peer cannot poison a node.
 *  - exact task-key match (the query names the task; the holder answers for that key only);
 *  - offer only if the holder's reward beats the querier's by the hysteresis;
 *  - rank offers by claimed reward (highest first), fetch only those that beat ours by the
 *    hysteresis; ties broken by steps trained, then by peer id (deterministic);
 *  - adopt when the locally measured reward is at least that of the current mask.
 */
export function l2d2cStrategy(opts: L2d2cStrategyOptions = {}): SharingStrategy {
  const hysteresis = opts.hysteresis ?? DEFAULT_L2D2C_STRATEGY.hysteresis
  const minReward = opts.minReward ?? DEFAULT_L2D2C_STRATEGY.minReward
  if (!(hysteresis > 0 && hysteresis <= 1)) throw new RangeError(`hysteresis must be in (0, 1], got ${hysteresis}`)
  if (!Number.isFinite(minReward)) throw new RangeError('minReward must be finite')

  const beats = (theirs: number, ours: number | null): boolean => ours === null || hysteresis * theirs > ours

  return {
    name: `l2d2c(hysteresis=${hysteresis})`,

    answer(query: MaskQuery, held: HeldMask | null, ownBackboneId: string): Answer {
      if (query.backboneId !== ownBackboneId) return { status: 'backbone-mismatch' }
      if (held === null || held.taskKey !== query.taskKey) return { status: 'no-mask' }
      if (!(held.reward > minReward) || !beats(held.reward, query.reward)) return { status: 'no-mask' }
      return { status: 'has-mask', mask: held }
    },

    rank(offers: readonly ReceivedOffer[], ownReward: number | null): ReceivedOffer[] {
      return offers
        .filter(
          o =>
            o.offer.status === 'has-mask' &&
            o.offer.cid !== null &&
            Number.isFinite(o.offer.reward) &&
            o.offer.reward > minReward &&
            beats(o.offer.reward, ownReward)
        )
        .sort(
          (a, b) =>
            b.offer.reward - a.offer.reward ||
            b.offer.stepsTrained - a.offer.stepsTrained ||
            (a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0)
        )
    },

    shouldAdopt(candidateReward: number, currentReward: number | null): boolean {
      if (!Number.isFinite(candidateReward) || !(candidateReward > minReward)) return false
      return currentReward === null || candidateReward >= currentReward
    }
  }
}
