/**
 * Makes a misbehaving connected peer cheap: when the announcement gate judges a forwarder to be
 * flooding, or gossipsub's scoring graylists a peer, the peer is banned (ban-book.ts): all its
 * connections are aborted at once, and the connection gater refuses it, by peer id and, once
 * several banned peers were seen on one address, by address, until the ban ends (1 min the
 * first time, doubling on each repeat up to 1 h). What the peer had already sent is dropped
 * unread: gossipsub reads one RPC of a peer at a time (libp2p-node.ts), and the announcement
 * gate and the mask-exchange server check `banned` before decoding anything.
 *
 * Never banned: the peers the operator named (allowlist, bootstrap) and this node. Never
 * banned by address: loopback and relayed connections (connection-gater.ts, `bannableIp`).
 * Each ban is logged once, with its reason.
 */
import type { Connection } from '@libp2p/interface'
import type { Logger } from '../logging/logger.js'
import { withDefaults } from '../util/defaults.js'
import type { BanBook, BanOutcome, BanReason } from './ban-book.js'
import { bannableIp } from './connection-gater.js'
import { GRAYLIST_THRESHOLD } from './gossip-scoring.js'

export const DEFAULT_PEER_BANNER = {
  /** How often connected peers' gossip scores are checked for the graylist (a score check is a map lookup). */
  watchIntervalMs: 1_000
}

/** The reason given to a banned peer's connections when they are aborted. */
export class PeerBannedError extends Error {
  constructor(
    readonly peer: string,
    readonly reason: BanReason
  ) {
    super(`peer ${peer} banned: ${reason}`)
    this.name = 'PeerBannedError'
  }
}

export interface PeerBannerComponents {
  /** The node's live connections. */
  connections: () => Connection[]
  /** gossipsub's score of a peer (0 for a peer it does not know). */
  score: (peer: string) => number
  /** The book the connection gater enforces. */
  bans: BanBook
  /** Peers never banned (connection-gater.ts). */
  trusted: (peer: string) => boolean
  logger: Logger
  now: () => number
}

export class PeerBanner {
  private readonly watchIntervalMs: number
  private timer: ReturnType<typeof setInterval> | null = null
  /** Bans asked for trusted peers and not made (metrics: a trusted peer misbehaving is worth knowing). */
  spared = 0

  constructor(
    private readonly c: PeerBannerComponents,
    init: Partial<typeof DEFAULT_PEER_BANNER> = {}
  ) {
    this.watchIntervalMs = withDefaults(DEFAULT_PEER_BANNER, init).watchIntervalMs
  }

  get book(): BanBook {
    return this.c.bans
  }

  /** Watches the gossip scores of connected peers (idempotent). */
  start(): void {
    if (this.timer !== null) return
    this.timer = setInterval(() => {
      this.banGraylisted()
    }, this.watchIntervalMs)
    this.timer.unref?.()
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
  }

  /** Whether work from this peer is to be dropped unread (banned now, and not trusted). */
  banned(peer: string): boolean {
    return this.c.bans.banned(peer, this.c.now()) && !this.c.trusted(peer)
  }

  /**
   * Bans the peer and aborts its connections (and those of other untrusted peers on an address
   * the ban tips over). Null when the peer is trusted or banned already; its connections are
   * aborted either way (one may have been opened before the ban).
   */
  ban(peer: string, reason: BanReason): BanOutcome | null {
    if (this.c.trusted(peer)) {
      this.spared++
      return null
    }
    const all = this.c.connections()
    const own = all.filter(c => c.remotePeer.toString() === peer)
    const ips = own.flatMap(c => bannableIp(c.remoteAddr) ?? [])
    const now = this.c.now()
    const outcome = this.c.bans.ban(peer, reason, ips, now)
    const error = new PeerBannedError(peer, reason)
    for (const c of own) c.abort(error)
    if (outcome === null) return null
    const { record, ipsBanned } = outcome
    this.c.logger.warn(
      {
        peer,
        reason,
        strikes: record.strikes,
        seconds: Math.round((record.until - record.since) / 1000),
        ips: record.ips,
        ...(ipsBanned.length > 0 ? { ipsBanned } : {})
      },
      'peer banned: its connections are closed and it is refused until the ban ends'
    )
    if (ipsBanned.length > 0) {
      const tipped = new Set(ipsBanned)
      for (const c of all) {
        const ip = bannableIp(c.remoteAddr)
        if (ip !== null && tipped.has(ip) && !this.c.trusted(c.remotePeer.toString())) c.abort(error)
      }
    }
    return outcome
  }

  private banGraylisted(): void {
    const checked = new Set<string>()
    for (const c of this.c.connections()) {
      const peer = c.remotePeer.toString()
      if (checked.has(peer)) continue
      checked.add(peer)
      if (this.c.trusted(peer)) continue
      if (this.c.score(peer) < GRAYLIST_THRESHOLD) this.ban(peer, 'gossip-graylist')
    }
  }
}
