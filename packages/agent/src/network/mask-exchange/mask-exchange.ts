import type { NodeRole } from '@l2d2c/protocol'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { PeerId, PeerUpdate } from '@libp2p/interface'
import type { Logger } from '../../logging/logger.js'
import type { ServedMasks } from '../../masks/store/served-masks.js'
import { l2d2cStrategy } from '../../sharing/policy/l2d2c-strategy.js'
import type { ReputationBook } from '../../sharing/policy/reputation.js'
import { SitePolicy } from '../../sharing/policy/site-policy.js'
import type { SharingStrategy } from '../../sharing/policy/strategy.js'
import { BanBook } from '../ban-book.js'
import { gaterOf, type Libp2pNode } from '../libp2p-node.js'
import { PeerBanner } from '../peer-banner.js'
import { PeerDirectory } from '../peer-directory.js'
import { Redialer } from '../redialer.js'
import { Announcer } from './announcer.js'
import { MaskExchangeClient } from './client.js'
import { LossInjector, type LossOptions } from './loss.js'
import { DEFAULT_PEER_LIMITS, type PeerLimits } from './peer-limits.js'
import { MaskExchangeServer } from './server.js'
import { Traffic } from './traffic.js'

export interface MaskExchangeComponents {
  /** The libp2p node: each part gets the slice of it that it uses (components.ts). */
  node: Libp2pNode
  masks: ServedMasks
  logger: Logger
  /** Env steps this agent trained in total (announced for observers). */
  totalSteps: () => number
  /** This agent's own ICR as last measured (announced for observers; null: none yet). */
  ownIcr?: () => number | null
  now?: () => number
  /** Seeded uniform [0, 1) source for loss injection. */
  random?: () => number
}

export interface MaskExchangeInit {
  readonly role: NodeRole
  readonly strategy?: SharingStrategy
  readonly loss?: LossOptions
  readonly announceIntervalMs?: number
  /** Multiaddrs (with /p2p/) to keep connected to: redialled whenever lost. */
  readonly bootstrap?: readonly string[]
  /** How often lost bootstrap peers and known peers are redialled. */
  readonly redialIntervalMs?: number
  /** Known peers redialled per tick at most (bootstrap peers always are). */
  readonly maxRedialsPerTick?: number
  /** Peers from a previous run (PeerDirectory.toJSON()). */
  readonly knownPeers?: unknown
  /** What the site serves (default: everything). */
  readonly policy?: SitePolicy
  /** The tasks whose announced masks the directory keeps (default: every task). */
  readonly wanted?: (taskKey: string) => boolean
  /** Peers that delivered verified masks are kept in the directory before strangers. */
  readonly reputation?: Pick<ReputationBook, 'standing'>
  /** Per-peer rate limits of the responder and of received announcements. */
  readonly limits?: PeerLimits
}

/**
 * The wire side of mask sharing for one agent: responder (server), requester (client),
 * inventory announcements (gossipsub + DHT), redialling, and the peer directory kept current
 * from connection events, announcements and failures. It wires those parts, giving each the
 * capabilities it uses. start()/stop() are idempotent.
 */
export class MaskExchange {
  readonly traffic = new Traffic()
  readonly directory: PeerDirectory
  readonly loss: LossInjector
  readonly client: MaskExchangeClient
  readonly server: MaskExchangeServer
  readonly announcer: Announcer
  readonly strategy: SharingStrategy
  /** Bans flooders and graylisted peers: their connections closed, the gater refusing them for a while. */
  readonly banner: PeerBanner
  private readonly redialer: Redialer
  private readonly now: () => number
  private stopWatchingMasks: (() => void) | null = null
  private started = false
  /** Peers connected now (the directory keeps them before anyone else). */
  private readonly connected = new Set<string>()
  private readonly onConnect = (evt: CustomEvent<PeerId>): void => {
    this.connectedTo(evt.detail)
  }

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    this.connected.delete(evt.detail.toString())
  }

  private readonly onPeerUpdate = (evt: CustomEvent<PeerUpdate>): void => {
    const { peer } = evt.detail
    this.directory.addresses(
      peer.id.toString(),
      peer.addresses.map(a => a.multiaddr.toString())
    )
  }

  constructor(
    private readonly c: MaskExchangeComponents,
    init: MaskExchangeInit
  ) {
    const { node, masks, logger } = c
    this.now = c.now ?? Date.now
    const policy = init.policy ?? new SitePolicy()
    const limits = init.limits ?? DEFAULT_PEER_LIMITS
    this.directory = new PeerDirectory({
      ...(init.wanted !== undefined ? { wanted: init.wanted } : {}),
      isConnected: id => this.connected.has(id),
      isTrusted: id => init.reputation?.standing(id, this.now()) === 'trusted',
      // A peer dropped to make room leaves the peer store too (unless connected), or a flood of
      // identities would grow it without bound.
      evicted: id => {
        if (this.connected.has(id)) return
        try {
          node.peerStore.delete(peerIdFromString(id)).catch(() => {})
        } catch {
          /* not a peer id: never in the peer store */
        }
      }
    })
    if (init.knownPeers !== undefined) this.directory.load(init.knownPeers)
    this.loss =
      init.loss !== undefined && init.loss.probability > 0
        ? new LossInjector(
            init.loss,
            c.random ??
              (() => {
                throw new Error('loss injection needs a seeded random source')
              }),
            peer => this.directory.get(peer)?.role === 'evaluator'
          )
        : LossInjector.none()
    this.strategy = init.strategy ?? l2d2cStrategy()
    // The gater's book (a node built without l2d2c's gater gets one nobody enforces at connect).
    const gater = gaterOf(node)
    const self = node.peerId.toString()
    const pubsub = node.services.pubsub as unknown as { getScore?: (peer: string) => number }
    this.banner = new PeerBanner({
      connections: () => node.getConnections(),
      score: peer => pubsub.getScore?.(peer) ?? 0,
      bans: gater?.bans ?? new BanBook(),
      trusted: gater !== null ? peer => gater.trusted(peer) : peer => peer === self,
      logger: logger.child({ component: 'bans' }),
      now: this.now
    })
    const banned = (peer: string): boolean => this.banner.banned(peer)
    this.client = new MaskExchangeClient({ dialer: node, loss: this.loss, traffic: this.traffic })
    this.announcer = new Announcer(
      {
        node: {
          peerId: node.peerId,
          getMultiaddrs: () => node.getMultiaddrs(),
          peerStore: node.peerStore,
          contentRouting: node.contentRouting,
          pubsub: node.services.pubsub
        },
        masks,
        directory: this.directory,
        loss: this.loss,
        traffic: this.traffic,
        logger: logger.child({ component: 'announcer' }),
        totalSteps: c.totalSteps,
        ...(c.ownIcr !== undefined ? { ownIcr: c.ownIcr } : {}),
        now: this.now,
        policy,
        bans: this.banner
      },
      { role: init.role, intervalMs: init.announceIntervalMs, limits }
    )
    this.server = new MaskExchangeServer(
      {
        registrar: node,
        peerId: node.peerId,
        masks,
        strategy: this.strategy,
        loss: this.loss,
        traffic: this.traffic,
        logger: logger.child({ component: 'mask-server' }),
        announcement: () => this.announcer.announcement(),
        policy,
        now: this.now,
        banned
      },
      limits
    )
    this.redialer = new Redialer(
      { node, directory: this.directory, logger, now: this.now },
      { bootstrap: init.bootstrap, intervalMs: init.redialIntervalMs, maxPerTick: init.maxRedialsPerTick }
    )
  }

  /** Registers the protocol handlers: call before the libp2p node starts (identify then advertises them). */
  async register(): Promise<void> {
    await this.server.start()
  }

  /** Starts announcing and redialling; the libp2p node must be started. */
  async start(): Promise<void> {
    if (this.started) return
    this.started = true
    const { node } = this.c
    await this.server.start()
    node.addEventListener('peer:connect', this.onConnect)
    node.addEventListener('peer:disconnect', this.onDisconnect)
    node.addEventListener('peer:update', this.onPeerUpdate)
    for (const p of node.getPeers()) this.connectedTo(p)
    // Peers remembered from the last run: libp2p's peer store is where dials find addresses.
    for (const r of this.directory.list()) {
      try {
        await node.peerStore.merge(peerIdFromString(r.peerId), { multiaddrs: r.addrs.map(a => multiaddr(a)) })
      } catch {
        this.directory.remove(r.peerId)
      }
    }
    await this.announcer.start()
    this.banner.start()
    // The held masks changed (a checkpoint, an adoption): re-announce and provide.
    this.stopWatchingMasks = this.c.masks.onChange(() => {
      this.announcer.changed()
    })
    this.redialer.start()
  }

  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    this.redialer.stop()
    this.banner.stop()
    this.c.node.removeEventListener('peer:connect', this.onConnect)
    this.c.node.removeEventListener('peer:disconnect', this.onDisconnect)
    this.c.node.removeEventListener('peer:update', this.onPeerUpdate)
    this.connected.clear()
    this.stopWatchingMasks?.()
    this.stopWatchingMasks = null
    await this.announcer.stop()
    await this.server.stop()
  }

  // Not the connection's remote address: for an inbound connection that is the peer's
  // ephemeral source port. Its listen addresses come from the peer store (identify).
  private connectedTo(peer: PeerId): void {
    const id = peer.toString()
    this.connected.add(id)
    this.directory.seen(id, this.now())
    this.c.node.peerStore.get(peer).then(
      p => {
        this.directory.addresses(
          id,
          p.addresses.map(a => a.multiaddr.toString())
        )
      },
      () => {} // not in the peer store (yet): peer:update brings its addresses later
    )
  }
}
