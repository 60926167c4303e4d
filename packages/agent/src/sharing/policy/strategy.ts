import type { MaskEncoding, MaskOffer, MaskQuery } from '@l2d2c/protocol'

/**
 * The sharing policy, kept pure (no I/O, no clock): which queries a node answers with an
 * offer, which received offers are worth fetching and in which order, and whether a
 * fetched, locally evaluated mask should replace the current one. The transport and the
 * learner call it; it never calls them.
 */

/** What a node knows about one mask it holds, as far as the policy is concerned. */
export interface HeldMask {
  readonly taskKey: string
  /** The holder's measured reward on the task. */
  readonly reward: number
  readonly stepsTrained: number
  /** Binary CID of the BITS encoding. */
  readonly cid: Uint8Array
  /** Size of the BITS encoding in bytes. */
  readonly encodedSize: number
  readonly encodings: readonly MaskEncoding[]
  /** Peer id of the node that trained it. */
  readonly origin: string
}

export type Answer =
  | { readonly status: 'has-mask'; readonly mask: HeldMask }
  | { readonly status: 'no-mask' }
  | { readonly status: 'backbone-mismatch' }

/** An offer received from a peer (status 'has-mask'). */
export interface ReceivedOffer {
  readonly peerId: string
  readonly offer: MaskOffer
}

export interface SharingStrategy {
  readonly name: string
  /** Responder side: the answer to `query`, given the mask held for its task (or null). */
  answer: (query: MaskQuery, held: HeldMask | null, ownBackboneId: string) => Answer
  /**
   * Requester side: the offers worth fetching, best first. The caller fetches the first and
   * falls back to the next on any failure. `ownReward` is the requester's current reward on
   * the task, or null if it has none.
   */
  rank: (offers: readonly ReceivedOffer[], ownReward: number | null) => ReceivedOffer[]
  /**
   * After fetching and evaluating a mask locally: adopt it? Both rewards are measured by the
   * requester itself with the same evaluation; self-reported rewards never decide this.
   */
  shouldAdopt: (candidateReward: number, currentReward: number | null) => boolean
}
