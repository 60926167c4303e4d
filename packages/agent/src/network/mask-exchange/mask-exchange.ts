import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { PeerId, PeerUpdate } from '@libp2p/interface'
import type { Logger } from '../../logging/logger.js'
import { l2d2cStrategy } from '../../sharing/policy/l2d2c-strategy.js'
import type { SharingStrategy } from '../../sharing/policy/strategy.js'
import type { Libp2pNode } from '../libp2p-node.js'
import { parsePeerAddress } from '../peer-address.js'
import { PeerDirectory } from '../peer-directory.js'
import { Announcer } from './announcer.js'
import { MaskExchangeClient } from './client.js'
import type { ServedMasks } from '../../masks/store/served-masks.js'
import { LossInjector, type LossOptions } from './loss.js'
import { MaskExchangeServer } from './server.js'
import { Traffic } from './traffic.js'
import type { NodeRole } from '@l2d2c/protocol'

export interface MaskExchangeComponents {
  node: Libp2pNode
  masks: ServedMasks
  logger: Logger
  /** Env steps this node trained in total (announced for observers). */
  totalSteps: () => number
  now?: () => number
  /** Seeded uniform [0, 1) source for loss injection. */
  random?: () => number
}

export interface MaskExchangeOptions {
  readonly role: NodeRole
  readonly strategy?: SharingStrategy
  readonly loss?: LossOptions
  readonly announceIntervalMs?: number
  /** Multiaddrs (with /p2p/) to keep connected to: redialled with back-off when lost. */
  readonly bootstrap?: readonly string[]
  /** How often lost bootstrap peers and known peers are redialled. */
  readonly redialIntervalMs?: number
  /** Known peers redialled per tick at most (bootstrap peers always are): stays well under maxConnections. */
  readonly maxRedialsPerTick?: number
  /** Peers from a previous run (PeerDirectory.toJSON()). */
  readonly knownPeers?: unknown
}

/**
 * The mask-sharing service of one node: responder (server), requester (client + query
 * rounds), inventory announcements (gossipsub + DHT), and the peer directory kept current
 * from connection events, announcements and failures. start()/stop() are idempotent.
 */
export class MaskExchange {
  readonly traffic = new Traffic()
  readonly directory: PeerDirectory
  readonly loss: LossInjector
  readonly client: MaskExchangeClient
  readonly server: MaskExchangeServer
  readonly announcer: Announcer
  readonly strategy: SharingStrategy
  private readonly now: () => number
  private redialTimer: ReturnType<typeof setInterval> | null = null
  private stopWatchingMasks: (() => void) | null = null
  private started = false
  private readonly bootstrap: ReadonlyArray<{ id: string; addr: Multiaddr }>
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
    private readonly opts: MaskExchangeOptions
  ) {
    this.now = c.now ?? Date.now
    this.directory = new PeerDirectory()
    if (opts.knownPeers !== undefined) this.directory.load(opts.knownPeers)
    this.bootstrap = (opts.bootstrap ?? []).flatMap(text => {
      try {
        const { multiaddr: addr, peerId: id } = parsePeerAddress(text)
        return [{ id, addr }]
      } catch {
        return [] /* validated by the config layer */
      }
    })
    this.loss =
      opts.loss !== undefined && opts.loss.probability > 0
        ? new LossInjector(
            opts.loss,
            c.random ??
              (() => {
                throw new Error('loss injection needs a seeded random source')
              }),
            peer => this.directory.get(peer)?.role === 'evaluator'
          )
        : LossInjector.none()
    this.strategy = opts.strategy ?? l2d2cStrategy()
    const logger = c.logger
    this.client = new MaskExchangeClient({ node: c.node, loss: this.loss, traffic: this.traffic })
    this.announcer = new Announcer(
      {
        node: c.node,
        masks: c.masks,
        directory: this.directory,
        loss: this.loss,
        traffic: this.traffic,
        logger: logger.child({ component: 'announcer' }),
        totalSteps: c.totalSteps,
        now: this.now
      },
      { role: opts.role, ...(opts.announceIntervalMs !== undefined ? { intervalMs: opts.announceIntervalMs } : {}) }
    )
    this.server = new MaskExchangeServer({
      node: c.node,
      masks: c.masks,
      strategy: this.strategy,
      loss: this.loss,
      traffic: this.traffic,
      logger: logger.child({ component: 'mask-server' }),
      announcement: () => this.announcer.announcement()
    })
  }

  /** Registers the protocol handlers: call before the libp2p node starts (identify then advertises them). */
  async register(): Promise<void> {
    await this.server.start()
  }

  /** Starts announcing and redialling; the libp2p node must be started. */
  async start(): Promise<void> {
    if (this.started) return
    this.started = true
    await this.server.start()
    this.c.node.addEventListener('peer:connect', this.onConnect)
    this.c.node.addEventListener('peer:update', this.onPeerUpdate)
    for (const p of this.c.node.getPeers()) this.connectedTo(p)
    // Peers remembered from the last run: libp2p's peer store is where dials find addresses.
    for (const r of this.directory.list()) {
      try {
        await this.c.node.peerStore.merge(peerIdFromString(r.peerId), { multiaddrs: r.addrs.map(a => multiaddr(a)) })
      } catch {
        this.directory.remove(r.peerId)
      }
    }
    await this.announcer.start()
    // The held masks changed (a checkpoint, an adoption): re-announce and provide.
    this.stopWatchingMasks = this.c.masks.onChange(() => {
      this.announcer.changed()
    })
    this.redialTimer = setInterval(() => {
      void this.redial()
    }, this.opts.redialIntervalMs ?? 15_000)
    this.redialTimer.unref?.()
    void this.redial()
  }

  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    if (this.redialTimer !== null) clearInterval(this.redialTimer)
    this.redialTimer = null
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
      () => {}
    )
  }

  /**
   * Redials bootstrap peers and l2d2c peers we lost (a bounded number per tick, least recently
   * seen last), pruning those that keep failing.
   */
  private async redial(): Promise<void> {
    if (!this.started) return
    const node = this.c.node
    const connected = new Set(node.getPeers().map(p => p.toString()))
    const targets: Array<{ id: string; target: PeerId | Multiaddr }> = this.bootstrap
      .filter(b => !connected.has(b.id))
      .map(b => ({ id: b.id, target: b.addr }))
    const known = this.directory
      .list()
      .filter(
        r => !connected.has(r.peerId) && this.directory.worthRedialling(r) && !targets.some(t => t.id === r.peerId)
      )
      .slice(0, this.opts.maxRedialsPerTick ?? 16)
    for (const r of known) {
      try {
        targets.push({ id: r.peerId, target: peerIdFromString(r.peerId) })
      } catch {
        this.directory.remove(r.peerId)
      }
    }
    await Promise.all(
      targets.map(async t => {
        try {
          // Bounded by the node's dialTimeout; a PeerId is dialled on the peer store's addresses.
          await node.dial(t.target)
          this.directory.seen(t.id, this.now())
        } catch (err) {
          this.directory.failed(t.id)
          this.c.logger.debug({ peer: t.id, err: (err as Error).message }, 'redial failed')
        }
      })
    )
    const live = new Set(node.getPeers().map(p => p.toString()))
    for (const gone of this.directory.prune(this.now(), id => live.has(id))) {
      this.c.logger.info({ peer: gone }, 'pruned unreachable peer')
    }
  }
}

export { MaskExchangeClient, LOST, RemoteRefusal, newRequestId } from './client.js'
export { MaskExchangeServer, SERVER_LIMITS } from './server.js'
export { ServedMasks, type ServedMask } from '../../masks/store/served-masks.js'
export { LossInjector, type LossOptions, type LossMode, type OutboundKind } from './loss.js'
export { Traffic, percentile, type TrafficSnapshot } from './traffic.js'
