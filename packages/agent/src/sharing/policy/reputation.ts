/**
 * What this node remembers about the peers it took masks from, across rounds and restarts
 * (the agent persists `toJSON()` in the data dir): the offers that failed verification, the
 * rewards claimed far above what it measured, the fetches that failed, and the content ids it
 * rejected, which it never fetches or evaluates again. Each incident adds its weight to the
 * peer's score, which halves every `halfLifeMs`; a peer whose score is high enough is
 * deprioritised (its offers are fetched after the others), and one whose score reaches
 * `ignoreAt` is ignored (not asked, its offers dropped) until the score has decayed to
 * `releaseAt`. A verified mask whose claim was honest takes `goodDeliveryCredit` off the score
 * and makes the peer trusted. Bounded: at most `maxPeers` records and `maxRejected` content
 * ids. Pure: the clock is passed in.
 */

/** Something a peer did that costs it reputation. */
export type Incident = 'verification-failed' | 'over-claim' | 'fetch-failed'

/** Where a peer stands: trusted peers are fetched first, ignored ones not at all. */
export type Standing = 'trusted' | 'neutral' | 'deprioritised' | 'ignored'

export interface ReputationRules {
  /**
   * A claimed reward more than this above the locally measured one is an over-claim. Returns
   * of l2d2c tasks lie in [0, 1]; both sides measure with 25 sampled episodes by default, so
   * for 0/1 returns two honest measurements differ with a standard deviation of at most
   * √(2 · 0.25 / 25) ≈ 0.14: 0.3 is more than two of them, and one over-claim alone only
   * deprioritises (ignoring takes two within a half-life).
   */
  readonly overClaimMargin: number
  /**
   * Score each incident adds. A mask that fails verification is a lie (ignored at once); two
   * over-claims within a half-life add up to the ignore threshold (0.7 / 2 + 0.7 ≥ 1); a failed
   * fetch may be the network (four in a row).
   */
  readonly weights: Readonly<Record<Incident, number>>
  /** Score taken off by a verified mask whose claim was honest (never below 0). */
  readonly goodDeliveryCredit: number
  /** The score halves in this time: incidents are forgiven gradually. */
  readonly halfLifeMs: number
  /** From this score on, a peer's offers are fetched after everyone else's. */
  readonly deprioritiseAt: number
  /** From this score on, a peer is ignored... */
  readonly ignoreAt: number
  /** ...until its score has decayed to this. */
  readonly releaseAt: number
  /** Peer records kept at most (those neither ignored nor recently updated go first). */
  readonly maxPeers: number
  /** Rejected content ids kept at most (the oldest go first). */
  readonly maxRejected: number
}

export const DEFAULT_REPUTATION: ReputationRules = {
  overClaimMargin: 0.3,
  weights: { 'verification-failed': 1, 'over-claim': 0.7, 'fetch-failed': 0.25 },
  goodDeliveryCredit: 0.25,
  halfLifeMs: 15 * 60_000,
  deprioritiseAt: 0.25,
  ignoreAt: 1,
  releaseAt: 0.5,
  maxPeers: 1024,
  maxRejected: 4096
}

export interface PeerReputation {
  readonly peerId: string
  /** The score as of `updatedAt` (decays from there). */
  readonly score: number
  readonly updatedAt: number
  /** Ignored until this time (ms since the epoch), 0 if never. */
  readonly ignoredUntil: number
  /** Verified masks with honest claims received from this peer. */
  readonly good: number
  readonly incidents: Readonly<Record<Incident, number>>
}

export interface RejectedContent {
  readonly cid: string
  readonly reason: string
  readonly at: number
}

/** The persisted form (reputation.json). */
export interface ReputationDocument {
  readonly version: 1
  readonly peers: PeerReputation[]
  readonly rejected: RejectedContent[]
}

const INCIDENTS: readonly Incident[] = ['verification-failed', 'over-claim', 'fetch-failed']

function noIncidents(): Record<Incident, number> {
  return { 'verification-failed': 0, 'over-claim': 0, 'fetch-failed': 0 }
}

export class ReputationBook {
  private readonly peers = new Map<string, PeerReputation>()
  /** Insertion order is age order: the oldest rejection is evicted first. */
  private readonly rejected = new Map<string, RejectedContent>()
  /** Bumped on every change, so the owner knows when to save. */
  version = 0

  constructor(readonly rules: ReputationRules = DEFAULT_REPUTATION) {
    if (!(rules.halfLifeMs > 0)) throw new RangeError('halfLifeMs must be positive')
    if (!(rules.releaseAt < rules.ignoreAt)) throw new RangeError('releaseAt must be below ignoreAt')
  }

  /** The peer's score now (its recorded score, decayed since it was recorded). */
  score(peerId: string, now: number): number {
    const r = this.peers.get(peerId)
    return r === undefined ? 0 : this.decayed(r, now)
  }

  private decayed(r: PeerReputation, now: number): number {
    return r.score * 2 ** (-Math.max(0, now - r.updatedAt) / this.rules.halfLifeMs)
  }

  standing(peerId: string, now: number): Standing {
    const r = this.peers.get(peerId)
    if (r === undefined) return 'neutral'
    if (now < r.ignoredUntil) return 'ignored'
    const score = this.decayed(r, now)
    if (score >= this.rules.deprioritiseAt) return 'deprioritised'
    return r.good > 0 ? 'trusted' : 'neutral'
  }

  /** Whether claiming `claimed` for a mask this node measured at `measured` is an over-claim. */
  overClaims(claimed: number, measured: number): boolean {
    return claimed - measured > this.rules.overClaimMargin
  }

  /** Records an incident; the peer may become deprioritised or ignored. */
  record(peerId: string, incident: Incident, now: number): Standing {
    const r = this.peers.get(peerId) ?? this.fresh(peerId, now)
    const score = this.decayed(r, now) + this.rules.weights[incident]
    let ignoredUntil = r.ignoredUntil
    if (score >= this.rules.ignoreAt) {
      // Ignored until the score has halved its way down to releaseAt.
      const until = now + this.rules.halfLifeMs * Math.log2(score / this.rules.releaseAt)
      ignoredUntil = Math.max(ignoredUntil, Math.ceil(until))
    }
    this.put({
      ...r,
      score,
      updatedAt: now,
      ignoredUntil,
      incidents: { ...r.incidents, [incident]: r.incidents[incident] + 1 }
    })
    return this.standing(peerId, now)
  }

  /** A verified mask whose claim was honest: the peer earns trust and some forgiveness. */
  delivered(peerId: string, now: number): void {
    const r = this.peers.get(peerId) ?? this.fresh(peerId, now)
    this.put({
      ...r,
      score: Math.max(0, this.decayed(r, now) - this.rules.goodDeliveryCredit),
      updatedAt: now,
      good: r.good + 1
    })
  }

  /** Never fetch or evaluate this content id again. */
  reject(cid: string, reason: string, now: number): void {
    this.rejected.delete(cid)
    this.rejected.set(cid, { cid, reason, at: now })
    while (this.rejected.size > this.rules.maxRejected)
      this.rejected.delete(this.rejected.keys().next().value as string)
    this.version++
  }

  isRejected(cid: string): boolean {
    return this.rejected.has(cid)
  }

  /** Forgets a rejection (an operator who changed their mind). */
  unreject(cid: string): boolean {
    const had = this.rejected.delete(cid)
    if (had) this.version++
    return had
  }

  get rejectedCount(): number {
    return this.rejected.size
  }

  get peerCount(): number {
    return this.peers.size
  }

  /** The record of a peer, if any (scores as recorded, not decayed). */
  get(peerId: string): PeerReputation | null {
    return this.peers.get(peerId) ?? null
  }

  private fresh(peerId: string, now: number): PeerReputation {
    return { peerId, score: 0, updatedAt: now, ignoredUntil: 0, good: 0, incidents: noIncidents() }
  }

  private put(r: PeerReputation): void {
    this.peers.delete(r.peerId)
    this.peers.set(r.peerId, r)
    if (this.peers.size > this.rules.maxPeers) this.evictOne(r.updatedAt)
    this.version++
  }

  /** Drops the least recently updated record that is not ignored (or the oldest, if all are). */
  private evictOne(now: number): void {
    let victim: string | null = null
    for (const r of this.peers.values()) {
      // Map order is update order: the first not ignored is the least recently updated.
      if (now >= r.ignoredUntil) {
        victim = r.peerId
        break
      }
    }
    this.peers.delete(victim ?? (this.peers.keys().next().value as string))
  }

  toJSON(): ReputationDocument {
    return { version: 1, peers: [...this.peers.values()], rejected: [...this.rejected.values()] }
  }

  /**
   * Restores a saved document; entries that are not well formed are skipped (a damaged file
   * costs memory of peers, never a start). Returns how many peers and content ids were loaded.
   */
  load(doc: unknown): { peers: number; rejected: number } {
    const out = { peers: 0, rejected: 0 }
    if (typeof doc !== 'object' || doc === null || (doc as { version?: unknown }).version !== 1) return out
    const { peers, rejected } = doc as { peers?: unknown; rejected?: unknown }
    const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0
    for (const e of Array.isArray(peers) ? peers.slice(-this.rules.maxPeers) : []) {
      if (typeof e !== 'object' || e === null) continue
      const o = e as Record<string, unknown>
      if (typeof o.peerId !== 'string' || o.peerId === '' || o.peerId.length > 128) continue
      if (!num(o.score) || !num(o.updatedAt) || !num(o.ignoredUntil) || !num(o.good)) continue
      const incidents = noIncidents()
      const given = (typeof o.incidents === 'object' && o.incidents !== null ? o.incidents : {}) as Record<
        string,
        unknown
      >
      for (const k of INCIDENTS) {
        const v = given[k]
        if (num(v)) incidents[k] = v
      }
      this.peers.set(o.peerId, {
        peerId: o.peerId,
        score: o.score,
        updatedAt: o.updatedAt,
        ignoredUntil: o.ignoredUntil,
        good: o.good,
        incidents
      })
      out.peers++
    }
    for (const e of Array.isArray(rejected) ? rejected.slice(-this.rules.maxRejected) : []) {
      if (typeof e !== 'object' || e === null) continue
      const o = e as Record<string, unknown>
      if (typeof o.cid !== 'string' || o.cid === '' || o.cid.length > 128) continue
      this.rejected.set(o.cid, {
        cid: o.cid,
        reason: typeof o.reason === 'string' ? o.reason.slice(0, 200) : '',
        at: num(o.at) ? o.at : 0
      })
      out.rejected++
    }
    return out
  }
}
