import type { RateLimit } from '../../util/rate-limiter.js'

/**
 * How much work one peer may ask of a node, per kind of request: token buckets (burst, then a
 * sustained rate), so a flooding peer gets refusals instead of the node's CPU, while honest
 * peers never meet them. The figures are sized from what honest nodes do:
 *
 *  - a learner asks each peer once per task per round (about seven rounds per task); an
 *    evaluator asks once per task per cycle, every 5 s, for curricula of tens of tasks;
 *  - a requester fetches at most 3 offers per round, an evaluator a few per cycle;
 *  - an inventory request is what `l2d2c masks --peer` sends, once;
 *  - a node announces every 10 s and after changes (coalesced over 50 ms); a relay forwards
 *    the announcements of every publisher it hears.
 */
export interface PeerLimits {
  /** Queries answered per peer; beyond: OFFER_STATUS_BUSY. */
  readonly query: RateLimit
  /** Fetches served per peer; beyond: TRANSFER_STATUS_BUSY. */
  readonly fetch: RateLimit
  /** Inventory requests answered per peer; beyond: the stream is reset (the answer has no status). */
  readonly inventory: RateLimit
  /** Announcements accepted from one forwarding peer (any publisher); beyond: ignored, not forwarded. */
  readonly announceFromPeer: RateLimit
  /**
   * Beyond four times that, the forwarder is flooding: its announcements are rejected, so
   * gossipsub's scoring graylists it (every message costs a signature check before any
   * validator runs, so an ignored flood would still cost CPU).
   */
  readonly announceFloodFromPeer: RateLimit
  /**
   * The same verdict in bytes: a forwarder sending announcement bytes far beyond what honest
   * forwarders do is flooding, however few its messages. The largest honest announcement
   * (1,024 masks) is ~148 KB and goes out every 10 s, so a relay forwarding sixteen such
   * publishers sends ~240 KB/s; real announcements are a few KB. Maximal announcements cost
   * the most to check (hashing for the signature, decoding), so a flooder of them is judged
   * after ~14 instead of 128.
   */
  readonly announceFloodBytesFromPeer: RateLimit
  /** Announcements accepted from one publisher (whoever forwards them); beyond: ignored. */
  readonly announceFromPublisher: RateLimit
  /**
   * Announcement bytes decoded per second over all peers, whatever their number: decoding is
   * the costly part (a maximal announcement, 1,024 masks: ~2.5 ms), so this bounds the CPU a
   * flood of announcements from many identities can take (2 MiB/s: about 5% of a core).
   */
  readonly announceDecodeBytes: RateLimit
  /** Transfers served to one peer at once (16 over all peers); beyond: TRANSFER_STATUS_BUSY. */
  readonly transfersPerPeer: number
  /** Peers whose buckets are kept (least recently active dropped first: a new identity starts full anyway). */
  readonly trackedPeers: number
}

export const DEFAULT_PEER_LIMITS: PeerLimits = {
  query: { burst: 64, perSecond: 16 },
  fetch: { burst: 32, perSecond: 4 },
  inventory: { burst: 4, perSecond: 1 },
  announceFromPeer: { burst: 32, perSecond: 4 },
  announceFloodFromPeer: { burst: 128, perSecond: 16 },
  announceFloodBytesFromPeer: { burst: 2 * 1024 * 1024, perSecond: 256 * 1024 },
  announceFromPublisher: { burst: 8, perSecond: 1 },
  announceDecodeBytes: { burst: 4 * 1024 * 1024, perSecond: 2 * 1024 * 1024 },
  transfersPerPeer: 2,
  trackedPeers: 4096
}
