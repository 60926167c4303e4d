import type { InventoryAnnouncement, MaskSummary, NodeRole } from '@l2d2c/protocol'

/**
 * What a node knows about other nodes: addresses, last contact, and their latest announced
 * inventory. Peers that fail repeatedly and have not been seen for a while are pruned (the
 * reference never pruned its peer table, B7). Persisted so a restarted node can redial.
 */
export interface PeerRecord {
  readonly peerId: string
  /** Multiaddrs (text) the peer can be dialled on. */
  readonly addrs: readonly string[]
  readonly lastSeen: number
  readonly role: NodeRole | null
  readonly backboneId: string | null
  /** Masks the peer announced most recently. */
  readonly masks: readonly MaskSummary[]
  readonly announcementSequence: number
  readonly totalSteps: number
  /** Consecutive failed interactions since the last success. */
  readonly failures: number
  readonly connected: boolean
}

export interface PeerDirectoryOptions {
  /** Drop a peer not seen for this long (ms) once it has failed at least `pruneAfterFailures` times. */
  readonly staleAfterMs?: number
  readonly pruneAfterFailures?: number
  /** Hard cap on remembered peers (oldest dropped first). */
  readonly maxPeers?: number
}

export class PeerDirectory {
  private readonly peers = new Map<string, PeerRecord>()
  private readonly staleAfterMs: number
  private readonly pruneAfterFailures: number
  private readonly maxPeers: number

  constructor (opts: PeerDirectoryOptions = {}) {
    this.staleAfterMs = opts.staleAfterMs ?? 10 * 60_000
    this.pruneAfterFailures = opts.pruneAfterFailures ?? 3
    this.maxPeers = opts.maxPeers ?? 1024
  }

  private base (peerId: string, now: number): PeerRecord {
    return this.peers.get(peerId) ?? { peerId, addrs: [], lastSeen: now, role: null, backboneId: null, masks: [], announcementSequence: -1, totalSteps: 0, failures: 0, connected: false }
  }

  private set (r: PeerRecord): PeerRecord {
    this.peers.set(r.peerId, r)
    if (this.peers.size > this.maxPeers) {
      const oldest = [...this.peers.values()].sort((a, b) => a.lastSeen - b.lastSeen)[0]
      if (oldest !== undefined) this.peers.delete(oldest.peerId)
    }
    return r
  }

  seen (peerId: string, now: number, update: { addrs?: readonly string[], connected?: boolean } = {}): PeerRecord {
    const r = this.base(peerId, now)
    return this.set({ ...r, lastSeen: now, addrs: update.addrs !== undefined && update.addrs.length > 0 ? [...new Set(update.addrs)] : r.addrs, connected: update.connected ?? r.connected, failures: 0 })
  }

  disconnected (peerId: string, now: number): void {
    const r = this.peers.get(peerId)
    if (r !== undefined) this.set({ ...r, connected: false, lastSeen: Math.max(r.lastSeen, now) })
  }

  /** Applies an announcement unless it is older than the last one seen from that peer. */
  announced (peerId: string, a: InventoryAnnouncement, addrs: readonly string[], now: number): boolean {
    const r = this.base(peerId, now)
    if (a.sequence <= r.announcementSequence && r.announcementSequence >= 0) return false
    this.set({ ...r, lastSeen: now, addrs: addrs.length > 0 ? [...new Set(addrs)] : r.addrs, role: a.role, backboneId: a.backboneId, masks: a.masks, announcementSequence: a.sequence, totalSteps: a.totalSteps, failures: 0 })
    return true
  }

  failed (peerId: string, now: number): void {
    const r = this.peers.get(peerId)
    if (r !== undefined) this.set({ ...r, failures: r.failures + 1, lastSeen: r.lastSeen })
    void now
  }

  get (peerId: string): PeerRecord | null {
    return this.peers.get(peerId) ?? null
  }

  list (): PeerRecord[] {
    return [...this.peers.values()].sort((a, b) => b.lastSeen - a.lastSeen)
  }

  /** Peers whose latest announcement lists a mask for the task, best claimed reward first. */
  holdersOf (taskKey: string, backboneId: string): Array<{ peerId: string, summary: MaskSummary }> {
    const out: Array<{ peerId: string, summary: MaskSummary }> = []
    for (const r of this.peers.values()) {
      if (r.backboneId !== backboneId) continue
      const s = r.masks.find(m => m.taskKey === taskKey)
      if (s !== undefined) out.push({ peerId: r.peerId, summary: s })
    }
    return out.sort((a, b) => b.summary.reward - a.summary.reward)
  }

  /** Removes peers that keep failing and have not been seen recently; returns their ids. */
  prune (now: number): string[] {
    const gone: string[] = []
    for (const r of this.peers.values()) {
      if (!r.connected && r.failures >= this.pruneAfterFailures && now - r.lastSeen > this.staleAfterMs) {
        this.peers.delete(r.peerId)
        gone.push(r.peerId)
      }
    }
    return gone
  }

  remove (peerId: string): boolean {
    return this.peers.delete(peerId)
  }

  /** The persistable part: identities and addresses (inventories are re-learnt). */
  toJSON (): Array<{ peerId: string, addrs: readonly string[], lastSeen: number }> {
    return this.list().map(r => ({ peerId: r.peerId, addrs: r.addrs, lastSeen: r.lastSeen }))
  }

  load (entries: unknown): number {
    if (!Array.isArray(entries)) return 0
    let n = 0
    for (const e of entries) {
      if (typeof e !== 'object' || e === null) continue
      const o = e as Record<string, unknown>
      if (typeof o.peerId !== 'string' || !Array.isArray(o.addrs) || typeof o.lastSeen !== 'number') continue
      const addrs = o.addrs.filter((a): a is string => typeof a === 'string')
      this.set({ ...this.base(o.peerId, o.lastSeen), addrs, lastSeen: o.lastSeen })
      n++
    }
    return n
  }
}
