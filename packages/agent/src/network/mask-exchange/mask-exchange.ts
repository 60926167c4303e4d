import type { NodeRole } from '@l2d2c/protocol'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { PeerId, PeerUpdate } from '@libp2p/interface'
import type { Logger } from '../../logging/logger.js'
import type { ServedMasks } from '../../masks/store/served-masks.js'
import { l2d2cStrategy } from '../../sharing/policy/l2d2c-strategy.js'
import type { SharingStrategy } from '../../sharing/policy/strategy.js'
import type { Libp2pNode } from '../libp2p-node.js'
import { PeerDirectory } from '../peer-directory.js'
import { Redialer } from '../redialer.js'
import { Announcer } from './announcer.js'
import { MaskExchangeClient } from './client.js'
import { LossInjector, type LossOptions } from './loss.js'
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
  private readonly redialer: Redialer
  private readonly now: () => number
  private stopWatchingMasks: (() => void) | null = null
  private started = false
  private readonly onConnect = (evt: CustomEvent<PeerId>): void => {
    this.connectedTo(evt.detail)
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
    this.directory = new PeerDirectory()
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
        now: this.now
      },
      { role: init.role, intervalMs: init.announceIntervalMs }
    )
    this.server = new MaskExchangeServer({
      registrar: node,
      peerId: node.peerId,
      masks,
      strategy: this.strategy,
      loss: this.loss,
      traffic: this.traffic,
      logger: logger.child({ component: 'mask-server' }),
      announcement: () => this.announcer.announcement()
    })
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
    this.c.node.removeEventListener('peer:connect', this.onConnect)
    this.c.node.removeEventListener('peer:update', this.onPeerUpdate)
    this.stopWatchingMasks?.()
    this.stopWatchingMasks = null
    await this.announcer.stop()
    await this.server.stop()
  }

  // Not the connection's remote address: for an inbound connection that is the peer's
  // ephemeral source port. Its listen addresses come from the peer store (identify).
  private connectedTo(peer: PeerId): void {
    const id = peer.toString()
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
