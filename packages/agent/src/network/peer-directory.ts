import type { InventoryAnnouncement, MaskSummary, NodeRole } from '@l2d2c/protocol'

/**
 * What a node knows about other nodes: last contact, their latest announced inventory, and the
 * addresses they listen on. Peers that fail repeatedly and have not been seen for a while are
 * pruned (the reference never pruned its peer table, B7). Persisted so a restarted node can redial.
 * Whether a peer is connected is not stored: libp2p's connections say so (see `prune`).
 *
 * Bounded against peers that announce from many identities: at most `maxPeers` records, of each
 * announcement only the first mask of each task this node wants (its curriculum, as its policy
 * accepts them), at most `maxMasksPerPeer` of them, and `maxMasks` in all. When full, a newcomer takes
 * the place of the least valuable peer (connected, then trusted for verified deliveries, then
 * remembered from the last run, then the rest; the least recently seen first), never of a more
 * valuable one: a flood of fresh identities displaces its own kind, not the honest active peers.
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
  /** The masks of wanted tasks the peer announced most recently (one per task, at most maxMasksPerPeer). */
  readonly masks: readonly MaskSummary[]
  /** How many masks its latest announcement listed in all (wanted or not). */
  readonly announcedMasks: number
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
  /** Hard cap on remembered peers (the least valuable dropped first). */
  readonly maxPeers?: number
  /** Announced masks kept per peer at most. */
  readonly maxMasksPerPeer?: number
  /** Announced masks kept over all peers at most. */
  readonly maxMasks?: number
  /** The tasks whose announced masks are kept (default: every task). */
  readonly wanted?: (taskKey: string) => boolean
  /** Whether a peer is connected now (connected peers are the last to go). */
  readonly isConnected?: (peerId: string) => boolean
  /** Whether a peer has delivered verified masks with honest claims (kept before strangers). */
  readonly isTrusted?: (peerId: string) => boolean
  /** Told of every peer the directory drops to make room (the exchange forgets its addresses too). */
  readonly evicted?: (peerId: string) => void
}

/** A peer's announcement listed a task it did not list before (it became a holder of that task). */
export interface HolderAdded {
  readonly peerId: string
  readonly backboneId: string | null
  readonly summary: MaskSummary
}

export const DEFAULT_PEER_DIRECTORY = {
  staleAfterMs: 10 * 60_000,
  pruneAfterFailures: 3,
  maxPeers: 1024,
  /** A curriculum has tens of tasks; 256 leaves room for large ones. */
  maxMasksPerPeer: 256,
  /** ~250 bytes each in memory: about 4 MiB of summaries at most. */
  maxMasks: 16_384
} as const

export class PeerDirectory {
  private readonly peers = new Map<string, PeerRecord>()
  private readonly staleAfterMs: number
  private readonly pruneAfterFailures: number
  private readonly maxPeers: number
  private readonly maxMasksPerPeer: number
  private readonly maxMasks: number
  private readonly wanted: (taskKey: string) => boolean
  private readonly isConnected: (peerId: string) => boolean
  private readonly isTrusted: (peerId: string) => boolean
  private readonly evicted: (peerId: string) => void
  /** Masks held over all records. */
  private totalMasks = 0
  /** Records and masks not kept because the directory was full of more valuable peers. */
  turnedAway = { peers: 0, masks: 0 }
  private readonly holderListeners = new Set<(h: HolderAdded) => void>()

  constructor(opts: PeerDirectoryOptions = {}) {
    this.staleAfterMs = opts.staleAfterMs ?? DEFAULT_PEER_DIRECTORY.staleAfterMs
    this.pruneAfterFailures = opts.pruneAfterFailures ?? DEFAULT_PEER_DIRECTORY.pruneAfterFailures
    this.maxPeers = opts.maxPeers ?? DEFAULT_PEER_DIRECTORY.maxPeers
    this.maxMasksPerPeer = opts.maxMasksPerPeer ?? DEFAULT_PEER_DIRECTORY.maxMasksPerPeer
    this.maxMasks = opts.maxMasks ?? DEFAULT_PEER_DIRECTORY.maxMasks
    this.wanted = opts.wanted ?? (() => true)
    this.isConnected = opts.isConnected ?? (() => false)
    this.isTrusted = opts.isTrusted ?? (() => false)
    this.evicted = opts.evicted ?? (() => {})
  }

  /** Masks kept over all peers. */
  get masksKept(): number {
    return this.totalMasks
  }

  get size(): number {
    return this.peers.size
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
        announcedMasks: 0,
        announcementSequence: -1,
        totalSteps: 0,
        ownIcr: null,
        failures: 0,
        remembered: false
      }
    )
  }

  /** How valuable a peer is to keep: connected 3, trusted 2, remembered 1, others 0. */
  private rank(r: PeerRecord): number {
    if (this.isConnected(r.peerId)) return 3
    if (this.isTrusted(r.peerId)) return 2
    return r.remembered ? 1 : 0
  }

  /** The least valuable peer other than `except` with a rank of at most `maxRank` (and masks, if asked), or null. */
  private victim(except: string, maxRank: number, withMasks = false): PeerRecord | null {
    let worst: PeerRecord | null = null
    let worstRank = Number.POSITIVE_INFINITY
    for (const r of this.peers.values()) {
      if (r.peerId === except || (withMasks && r.masks.length === 0)) continue
      const rank = this.rank(r)
      if (rank > maxRank) continue
      if (rank < worstRank || (rank === worstRank && r.lastSeen < (worst as PeerRecord).lastSeen)) {
        worst = r
        worstRank = rank
      }
    }
    return worst
  }

  private drop(peerId: string): boolean {
    const r = this.peers.get(peerId)
    if (r === undefined) return false
    this.totalMasks -= r.masks.length
    this.peers.delete(peerId)
    return true
  }

  /**
   * Stores a record, within the bounds: a new peer in a full directory replaces the least
   * valuable one unless that one is more valuable than the newcomer (then the newcomer is not
   * kept: returns false); masks over the total displace less valuable peers, or are cut.
   */
  private set(r: PeerRecord): boolean {
    const old = this.peers.get(r.peerId)
    const rank = this.rank(r)
    if (old === undefined && this.peers.size >= this.maxPeers) {
      const v = this.victim(r.peerId, rank)
      if (v === null) {
        this.turnedAway.peers++
        return false
      }
      this.drop(v.peerId)
      this.evicted(v.peerId)
    }
    let masks = r.masks
    // Masks held by the other peers (this one's old list is replaced).
    const others = (): number => this.totalMasks - (old?.masks.length ?? 0)
    while (others() + masks.length > this.maxMasks) {
      const v = this.victim(r.peerId, rank, true)
      if (v === null) {
        // Nothing less valuable holds masks: this peer gets what is left.
        const room = Math.max(0, this.maxMasks - others())
        this.turnedAway.masks += masks.length - room
        masks = masks.slice(0, room)
        break
      }
      this.drop(v.peerId)
      this.evicted(v.peerId)
    }
    this.totalMasks += masks.length - (this.peers.get(r.peerId)?.masks.length ?? 0)
    this.peers.set(r.peerId, masks === r.masks ? r : { ...r, masks })
    return true
  }

  /** A successful contact (connection, answer): resets the failure count. */
  seen(peerId: string, now: number): PeerRecord {
    const r = { ...this.base(peerId, now), lastSeen: now, failures: 0 }
    this.set(r)
    return r
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
    // One summary per task (a node holds one mask per task; rounds ask a holder by task), of
    // wanted tasks only: a long list for one task costs no more than one entry.
    const masks: MaskSummary[] = []
    const tasks = new Set<string>()
    for (const m of a.masks) {
      if (masks.length >= this.maxMasksPerPeer) break
      if (tasks.has(m.taskKey) || !this.wanted(m.taskKey)) continue
      tasks.add(m.taskKey)
      masks.push(m)
    }
    const before = new Set(r.masks.map(m => m.taskKey))
    const kept = this.set({
      ...r,
      lastSeen: now,
      role: a.role,
      backboneId: a.backboneId,
      masks,
      announcedMasks: a.masks.length,
      announcementSequence: a.sequence,
      totalSteps: a.totalSteps,
      ownIcr: a.ownIcr ?? null,
      failures: 0
    })
    if (!kept) return false
    // News for the rounds: a holder new for a task (what it kept, after the bounds cut the list).
    const stored = this.peers.get(peerId)
    if (stored !== undefined && this.holderListeners.size > 0)
      for (const summary of stored.masks) {
        if (before.has(summary.taskKey)) continue
        for (const l of this.holderListeners) l({ peerId, backboneId: stored.backboneId, summary })
      }
    return true
  }

  /**
   * Listens for holders new for a task: a peer's announcement that lists a task its previous one
   * did not (the first announcement of a peer lists only new ones). Returns the unsubscribe.
   */
  onHolderAdded(listener: (h: HolderAdded) => void): () => void {
    this.holderListeners.add(listener)
    return () => {
      this.holderListeners.delete(listener)
    }
  }

  /** The latest sequence applied from a peer (-1: none), so stale announcements can be dropped undecoded. */
  lastSequence(peerId: string): number {
    return this.peers.get(peerId)?.announcementSequence ?? -1
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
        this.drop(r.peerId)
        gone.push(r.peerId)
      }
    }
    return gone
  }

  remove(peerId: string): boolean {
    return this.drop(peerId)
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
