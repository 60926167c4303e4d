/**
 * Which peers (and hosts) a node refuses for a while because they misbehaved: the ban book.
 * A ban lasts `firstMs` the first time, and doubles on each repeat up to `maxMs`; a peer whose
 * last ban ended more than `forgetAfterMs` ago starts again from `firstMs`. When `ipAfterPeers`
 * distinct peers seen on one IP address are banned, the address is banned too (a host that
 * makes fresh identities gets nowhere with them), for as long as the ban that tipped it.
 *
 * Everything is bounded: at most `maxPeers` peer records and `maxIps` address records, the one
 * banned longest ago dropped first. Pure: the clock is passed in; which addresses may be banned
 * (not loopback, not a relay's) and which peers never are (allowlisted, bootstrap) is the
 * caller's business (peer-banner.ts, connection-gater.ts).
 */

/** Why a peer was banned. */
export type BanReason = 'announcement-flood' | 'gossip-graylist'

export interface BanLimits {
  /** The first ban of a peer: long enough that a flooder's reconnects are refused, short enough to forgive a mistake. */
  readonly firstMs: number
  /** Repeats double the ban up to this. */
  readonly maxMs: number
  /** A peer whose last ban ended this long ago starts again from firstMs. */
  readonly forgetAfterMs: number
  /** Peer records kept (banned or remembered for their repeats). */
  readonly maxPeers: number
  /** Distinct banned peers seen on one address before the address is banned. */
  readonly ipAfterPeers: number
  /** Address records kept. */
  readonly maxIps: number
}

export const DEFAULT_BAN_LIMITS: BanLimits = {
  firstMs: 60_000,
  maxMs: 3_600_000,
  forgetAfterMs: 24 * 3_600_000,
  maxPeers: 1024,
  ipAfterPeers: 3,
  maxIps: 256
}

export interface BanRecord {
  readonly peer: string
  readonly reason: BanReason
  /** When this ban started and ends (ms since the epoch). */
  readonly since: number
  readonly until: number
  /** Bans of this peer so far, this one included (the ban lasts firstMs × 2^(strikes−1), at most maxMs). */
  readonly strikes: number
  /** The addresses the peer was seen on when banned (already filtered by the caller). */
  readonly ips: readonly string[]
}

export interface IpBan {
  readonly ip: string
  readonly until: number
  /** The banned peers seen on it (at most ipAfterPeers are kept). */
  readonly peers: readonly string[]
}

/** What `ban` did: the new ban, and the addresses it banned with it. */
export interface BanOutcome {
  readonly record: BanRecord
  readonly ipsBanned: readonly string[]
}

export class BanBook {
  private readonly limits: BanLimits
  /** Peer records, oldest ban first (a new ban moves its record to the end). */
  private readonly peers = new Map<string, BanRecord>()
  /** Per address: the distinct peers banned on it recently, and the address's own ban. */
  private readonly ips = new Map<string, { peers: Map<string, number>; until: number }>()
  /** Bans since start (repeats included), and addresses banned since start. */
  bansTotal = 0
  ipBansTotal = 0

  constructor(limits: Partial<BanLimits> = {}) {
    this.limits = { ...DEFAULT_BAN_LIMITS, ...limits }
    const l = this.limits
    for (const [k, v] of Object.entries(l))
      if (!(Number.isFinite(v) && v >= 1)) throw new RangeError(`ban limits: ${k} must be a number >= 1, got ${v}`)
    if (l.maxMs < l.firstMs) throw new RangeError(`ban limits: maxMs (${l.maxMs}) is below firstMs (${l.firstMs})`)
  }

  /**
   * Bans `peer` from now: null if it is banned already (a ban is decided and logged once),
   * otherwise the new ban and the addresses it tipped over into a ban of their own.
   */
  ban(peer: string, reason: BanReason, ips: readonly string[], now: number): BanOutcome | null {
    const previous = this.peers.get(peer)
    if (previous !== undefined && previous.until > now) return null
    const forgiven = previous === undefined || now - previous.until > this.limits.forgetAfterMs
    const strikes = forgiven ? 1 : previous.strikes + 1
    const duration = Math.min(this.limits.maxMs, this.limits.firstMs * 2 ** Math.min(strikes - 1, 52))
    const record: BanRecord = { peer, reason, since: now, until: now + duration, strikes, ips: [...new Set(ips)] }
    this.peers.delete(peer)
    this.peers.set(peer, record)
    evictOldest(this.peers, this.limits.maxPeers)
    this.bansTotal++
    const ipsBanned: string[] = []
    for (const ip of record.ips) if (this.countOnIp(ip, peer, record.until, now)) ipsBanned.push(ip)
    return { record, ipsBanned }
  }

  /** Whether the peer is banned now. */
  banned(peer: string, now: number): boolean {
    const r = this.peers.get(peer)
    return r !== undefined && r.until > now
  }

  /** Whether the address is banned now. */
  ipBanned(ip: string, now: number): boolean {
    const r = this.ips.get(ip)
    return r !== undefined && r.until > now
  }

  /** The bans in force, the most recent first, at most `limit`. */
  active(now: number, limit = Number.POSITIVE_INFINITY): BanRecord[] {
    const out: BanRecord[] = []
    for (const r of [...this.peers.values()].reverse()) {
      if (out.length >= limit) break
      if (r.until > now) out.push(r)
    }
    return out
  }

  /** How many peers are banned now. */
  activeCount(now: number): number {
    let n = 0
    for (const r of this.peers.values()) if (r.until > now) n++
    return n
  }

  /** The addresses banned now, the most recent first, at most `limit`. */
  activeIps(now: number, limit = Number.POSITIVE_INFINITY): IpBan[] {
    const out: IpBan[] = []
    for (const [ip, r] of [...this.ips.entries()].reverse()) {
      if (out.length >= limit) break
      if (r.until > now) out.push({ ip, until: r.until, peers: [...r.peers.keys()] })
    }
    return out
  }

  /** Records one more banned peer on `ip`; true when that bans the address (it was not banned). */
  private countOnIp(ip: string, peer: string, until: number, now: number): boolean {
    let r = this.ips.get(ip)
    if (r === undefined) r = { peers: new Map(), until: 0 }
    this.ips.delete(ip)
    this.ips.set(ip, r)
    evictOldest(this.ips, this.limits.maxIps)
    // Only peers whose ban is still in force count: a host is judged on what it does now.
    for (const [p, end] of r.peers) if (end <= now) r.peers.delete(p)
    r.peers.delete(peer)
    r.peers.set(peer, until)
    evictOldest(r.peers, this.limits.ipAfterPeers)
    if (r.peers.size < this.limits.ipAfterPeers) return false
    const wasBanned = r.until > now
    r.until = Math.max(r.until, until)
    if (!wasBanned) this.ipBansTotal++
    return !wasBanned
  }
}

function evictOldest<K, V>(map: Map<K, V>, max: number): void {
  while (map.size > max) {
    const oldest = map.keys().next().value as K
    map.delete(oldest)
  }
}
