import { peekAnnouncementSequence } from '@l2d2c/protocol'
import { PeerRateLimiter, TokenBucket } from '../../util/rate-limiter.js'
import type { PeerLimits } from './peer-limits.js'

/**
 * Why an announcement was dropped before it was decoded ('peer-flood' is rejected and gets the
 * forwarder banned, the others are ignored; 'banned': the forwarder or the publisher is banned).
 */
export type GateRefusal = 'banned' | 'peer-flood' | 'peer-rate' | 'publisher-rate' | 'stale' | 'decode-budget'

export interface AnnouncementGateComponents {
  /** The latest sequence applied from a publisher (-1: none). */
  readonly lastSequence: (publisher: string) => number
  readonly now: () => number
  /** Whether a peer is banned (peer-banner.ts): its messages are dropped first, unread. */
  readonly banned?: (peer: string) => boolean
}

/**
 * The cheap checks a gossip announcement passes before it is decoded (decoding a maximal one
 * costs ~2.5 ms on the event loop): a rate limit per forwarding peer and per publisher, a
 * sequence that must be newer than the last applied from that publisher (read without
 * decoding), and a budget of bytes decoded per second over all peers. A message that fails
 * one is ignored (neither delivered nor forwarded, and no penalty for the forwarder, which may
 * be an honest relay); one that passes is decoded, and rejected if it does not decode. A
 * forwarder far beyond its rate, in messages or in bytes (announceFloodFromPeer,
 * announceFloodBytesFromPeer), is flooding: rejected, so gossipsub's
 * scoring graylists it, and the announcer has it banned (peer-banner.ts); from then on what
 * it or a banned publisher sent is dropped first of all.
 */
export class AnnouncementGate {
  private readonly fromPeer: PeerRateLimiter
  private readonly floodFromPeer: PeerRateLimiter
  private readonly floodBytesFromPeer: PeerRateLimiter
  private readonly fromPublisher: PeerRateLimiter
  private readonly decodeBudget: TokenBucket
  /** Messages dropped undecoded, by reason (metrics, benches). */
  readonly dropped: Record<GateRefusal, number> = {
    banned: 0,
    'peer-flood': 0,
    'peer-rate': 0,
    'publisher-rate': 0,
    stale: 0,
    'decode-budget': 0
  }

  constructor(
    private readonly c: AnnouncementGateComponents,
    limits: PeerLimits
  ) {
    this.fromPeer = new PeerRateLimiter(limits.announceFromPeer, limits.trackedPeers)
    this.floodFromPeer = new PeerRateLimiter(limits.announceFloodFromPeer, limits.trackedPeers)
    this.floodBytesFromPeer = new PeerRateLimiter(limits.announceFloodBytesFromPeer, limits.trackedPeers)
    this.fromPublisher = new PeerRateLimiter(limits.announceFromPublisher, limits.trackedPeers)
    this.decodeBudget = new TokenBucket(limits.announceDecodeBytes, c.now())
  }

  /** null: decode it; otherwise why it is dropped. */
  check(forwarder: string, publisher: string, data: Uint8Array): GateRefusal | null {
    const now = this.c.now()
    const refusal = this.refusal(forwarder, publisher, data, now)
    if (refusal !== null) this.dropped[refusal]++
    return refusal
  }

  private refusal(forwarder: string, publisher: string, data: Uint8Array, now: number): GateRefusal | null {
    // Work a banned peer queued before its connections were closed costs two map lookups.
    if (this.c.banned !== undefined && (this.c.banned(forwarder) || this.c.banned(publisher))) return 'banned'
    if (!this.floodFromPeer.take(forwarder, now)) return 'peer-flood'
    if (!this.floodBytesFromPeer.take(forwarder, now, data.length)) return 'peer-flood'
    if (!this.fromPeer.take(forwarder, now)) return 'peer-rate'
    const last = this.c.lastSequence(publisher)
    const sequence = peekAnnouncementSequence(data)
    // (An unreadable sequence goes on to the decoder, which rejects the message.)
    if (last >= 0 && sequence !== null && sequence <= last) return 'stale'
    if (!this.fromPublisher.take(publisher, now)) return 'publisher-rate'
    if (!this.decodeBudget.take(now, data.length)) return 'decode-budget'
    return null
  }
}
