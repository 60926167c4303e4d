import type { InventoryAnnouncement, MaskSummary, NodeRole } from '@l2d2c/protocol'

/**
 * What a node knows about other nodes: last contact, their latest announced inventory, and the
 * addresses they listen on. Peers that fail repeatedly and have not been seen for a while are
 * pruned (the reference never pruned its peer table, B7). Persisted so a restarted node can redial.
 * Whether a peer is connected is not stored: libp2p's connections say so (see `prune`).
 */
export interface PeerRecord {
  readonly peerId: string
  /**
   * The peer's own listen addresses (text), as libp2p's peer store holds them (identify) or as
   * the peer announced them: never the source port of a connection it opened to us, which
   * cannot be dialled. A synchronous mirror for persistence and display.
   */
  readonly addrs: readonly string[]
  readonly lastSeen: number
  readonly role: NodeRole | null
  readonly backboneId: string | null
  /** Masks the peer announced most recently. */
  readonly masks: readonly MaskSummary[]
  readonly announcementSequence: number
  readonly totalSteps: number
  /** The own ICR the peer announced most recently (null: it announced none: evaluators, learners before their first sweep). */
  readonly ownIcr: number | null
  /** Consecutive failed interactions since the last success. */
  readonly failures: number
  /** Known from a previous run's peers.json (worth redialling although it has not announced yet). */
  readonly remembered: boolean
}

export interface PeerDirectoryOptions {
  /** Drop a peer not seen for this long (ms) once it has failed at least `pruneAfterFailures` times. */
  readonly staleAfterMs?: number
  readonly pruneAfterFailures?: number
  /** Hard cap on remembered peers (oldest dropped first). */
  readonly maxPeers?: number
}

export const DEFAULT_PEER_DIRECTORY: Required<PeerDirectoryOptions> = {
  staleAfterMs: 10 * 60_000,
  pruneAfterFailures: 3,
  maxPeers: 1024
}

export class PeerDirectory {
  private readonly peers = new Map<string, PeerRecord>()
  private readonly staleAfterMs: number
  private readonly pruneAfterFailures: number
  private readonly maxPeers: number

  constructor(opts: PeerDirectoryOptions = {}) {
    this.staleAfterMs = opts.staleAfterMs ?? DEFAULT_PEER_DIRECTORY.staleAfterMs
    this.pruneAfterFailures = opts.pruneAfterFailures ?? DEFAULT_PEER_DIRECTORY.pruneAfterFailures
    this.maxPeers = opts.maxPeers ?? DEFAULT_PEER_DIRECTORY.maxPeers
  }

  private base(peerId: string, now: number): PeerRecord {
    return (
      this.peers.get(peerId) ?? {
        peerId,
        addrs: [],
        lastSeen: now,
        role: null,
        backboneId: null,
        masks: [],
        announcementSequence: -1,
        totalSteps: 0,
        ownIcr: null,
        failures: 0,
        remembered: false
      }
    )
  }

  private set(r: PeerRecord): PeerRecord {
    this.peers.set(r.peerId, r)
    if (this.peers.size > this.maxPeers) {
      const oldest = [...this.peers.values()].sort((a, b) => a.lastSeen - b.lastSeen)[0]
      if (oldest !== undefined) this.peers.delete(oldest.peerId)
    }
    return r
  }

  /** A successful contact (connection, answer): resets the failure count. */
  seen(peerId: string, now: number): PeerRecord {
    const r = this.base(peerId, now)
    return this.set({ ...r, lastSeen: now, failures: 0 })
  }

  /** The peer's listen addresses changed (libp2p's peer store); ignored for peers not in the directory. */
  addresses(peerId: string, addrs: readonly string[]): void {
    const r = this.peers.get(peerId)
    if (r !== undefined && addrs.length > 0) this.peers.set(peerId, { ...r, addrs: [...new Set(addrs)] })
  }

  /**
   * Applies an announcement unless it is older than the last one seen from that peer. The
   * addresses it lists go to libp2p's peer store, which `addresses` mirrors: not set here.
   */
  announced(peerId: string, a: InventoryAnnouncement, now: number): boolean {
    const r = this.base(peerId, now)
    if (a.sequence <= r.announcementSequence && r.announcementSequence >= 0) return false
    this.set({
      ...r,
      lastSeen: now,
      role: a.role,
      backboneId: a.backboneId,
      masks: a.masks,
      announcementSequence: a.sequence,
      totalSteps: a.totalSteps,
      ownIcr: a.ownIcr ?? null,
      failures: 0
    })
    return true
  }

  failed(peerId: string): void {
    const r = this.peers.get(peerId)
    if (r !== undefined) this.peers.set(peerId, { ...r, failures: r.failures + 1 })
  }

  /**
   * Whether to keep redialling the peer when it is not connected: an l2d2c node (it announced)
   * or one remembered from the previous run. A CLI client or a DHT-only peer is not.
   */
  worthRedialling(r: PeerRecord): boolean {
    return r.addrs.length > 0 && (r.announcementSequence >= 0 || r.remembered)
  }

  get(peerId: string): PeerRecord | null {
    return this.peers.get(peerId) ?? null
  }

  list(): PeerRecord[] {
    return [...this.peers.values()].sort((a, b) => b.lastSeen - a.lastSeen)
  }

  /** Peers whose latest announcement lists a mask for the task, best claimed reward first. */
  holdersOf(taskKey: string, backboneId: string): Array<{ peerId: string; summary: MaskSummary }> {
    const out: Array<{ peerId: string; summary: MaskSummary }> = []
    for (const r of this.peers.values()) {
      if (r.backboneId !== backboneId) continue
      const s = r.masks.find(m => m.taskKey === taskKey)
      if (s !== undefined) out.push({ peerId: r.peerId, summary: s })
    }
    return out.sort((a, b) => b.summary.reward - a.summary.reward)
  }

  /**
   * Removes peers not connected and not seen recently that either keep failing or are not worth
   * redialling (a CLI client that asked once); returns their ids.
   */
  prune(now: number, isConnected: (peerId: string) => boolean): string[] {
    const gone: string[] = []
    for (const r of this.peers.values()) {
      if (now - r.lastSeen <= this.staleAfterMs || isConnected(r.peerId)) continue
      if (r.failures >= this.pruneAfterFailures || !this.worthRedialling(r)) {
        this.peers.delete(r.peerId)
        gone.push(r.peerId)
      }
    }
    return gone
  }

  remove(peerId: string): boolean {
    return this.peers.delete(peerId)
  }

  /** The persistable part: identities and addresses of peers worth redialling (inventories are re-learnt). */
  toJSON(): Array<{ peerId: string; addrs: readonly string[]; lastSeen: number }> {
    return this.list()
      .filter(r => this.worthRedialling(r))
      .map(r => ({ peerId: r.peerId, addrs: r.addrs, lastSeen: r.lastSeen }))
  }

  load(entries: unknown): number {
    if (!Array.isArray(entries)) return 0
    let n = 0
    for (const e of entries) {
      if (typeof e !== 'object' || e === null) continue
      const o = e as Record<string, unknown>
      if (typeof o.peerId !== 'string' || !Array.isArray(o.addrs) || typeof o.lastSeen !== 'number') continue
      const addrs = o.addrs.filter((a): a is string => typeof a === 'string')
      this.set({ ...this.base(o.peerId, o.lastSeen), addrs, lastSeen: o.lastSeen, remembered: true })
      n++
    }
    return n
  }
}
