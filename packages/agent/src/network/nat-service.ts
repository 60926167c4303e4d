/**
 * The node's view of its own reachability, as a libp2p service (it needs the address and
 * transport managers, which only services see): it judges reachability from libp2p's address
 * metadata (AutoNAT confirmations, UPnP mappings, announce addresses) and from direct inbound
 * connections (reachability.ts), and, in `auto` mode, reserves a slot on a Circuit Relay v2
 * relay once the node turns out to be behind a NAT, by listening on `/p2p-circuit` (the relay
 * transport then finds relays among connected peers that speak the hop protocol).
 *
 * Why not always reserve: a reservation keeps a connection to a relay open, and listening on
 * `/p2p-circuit` makes the relay transport walk the DHT for relays until it finds one, for
 * ever in a swarm that has none. So `auto` waits until the node is behind a NAT and a peer it
 * met (identify) offers the relay hop protocol; a public node, a node on 127.0.0.1, or a swarm
 * without relays pays nothing.
 */
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { ComponentLogger, Connection, IdentifyResult, Logger, PeerId, Startable } from '@libp2p/interface'
import { classifyAddress } from './dial-policy.js'
import { judgeReachability, type OwnAddress, type ReachabilityVerdict } from './reachability.js'

/** When to reserve a relay slot: behind a NAT (auto), at start whatever the reachability, or never. */
export const RELAY_RESERVATION_MODES = ['auto', 'always', 'never'] as const
export type RelayReservationMode = (typeof RELAY_RESERVATION_MODES)[number]

export const DEFAULT_NAT_SERVICE = {
  reserve: 'auto' as RelayReservationMode,
  /** How often `auto` re-judges reachability until it has reserved (cheap: reads two tables). */
  checkIntervalMs: 2_000
}

export interface NatServiceInit {
  readonly reserve?: RelayReservationMode
  /** This node relays for others: it is public by configuration and never reserves. */
  readonly relayServer?: boolean
  readonly checkIntervalMs?: number
}

/** The slices of libp2p's components the service uses. */
export interface NatServiceComponents {
  peerId: PeerId
  logger: ComponentLogger
  events: {
    addEventListener(type: 'connection:open', listener: (evt: CustomEvent<Connection>) => void): void
    addEventListener(type: 'peer:identify', listener: (evt: CustomEvent<IdentifyResult>) => void): void
    removeEventListener(type: 'connection:open', listener: (evt: CustomEvent<Connection>) => void): void
    removeEventListener(type: 'peer:identify', listener: (evt: CustomEvent<IdentifyResult>) => void): void
  }
  addressManager: {
    getAddressesWithMetadata(): Array<{ multiaddr: Multiaddr; verified: boolean; type: string }>
  }
  transportManager: { listen(addrs: Multiaddr[]): Promise<void> }
}

export interface NatStatus extends ReachabilityVerdict {
  /** Circuit addresses of this node's relay reservations (with /p2p/<own id>). */
  readonly relayAddrs: string[]
  /** The node listens on /p2p-circuit: it holds, or is looking for, a relay reservation. */
  readonly reserving: boolean
  readonly relayServer: boolean
}

const CIRCUIT = '/p2p-circuit'
/** The protocol a Circuit Relay v2 relay offers (@libp2p/circuit-relay-v2's RELAY_V2_HOP_CODEC). */
const RELAY_HOP_PROTOCOL = '/libp2p/circuit/relay/0.2.0/hop'

export class NatService implements Startable {
  private readonly log: Logger
  private readonly reserve: RelayReservationMode
  private readonly relayServer: boolean
  private readonly checkIntervalMs: number
  private timer: ReturnType<typeof setInterval> | null = null
  private reserving = false
  private publicInbound: string | null = null
  private relayMet = false

  constructor(
    private readonly c: NatServiceComponents,
    init: NatServiceInit = {}
  ) {
    this.log = c.logger.forComponent('l2d2c:nat')
    this.reserve = init.reserve ?? DEFAULT_NAT_SERVICE.reserve
    this.relayServer = init.relayServer ?? false
    this.checkIntervalMs = init.checkIntervalMs ?? DEFAULT_NAT_SERVICE.checkIntervalMs
  }

  readonly [Symbol.toStringTag] = 'l2d2c-nat'

  start(): void {
    this.c.events.addEventListener('connection:open', this.onConnection)
    this.c.events.addEventListener('peer:identify', this.onIdentify)
  }

  afterStart(): void {
    if (this.reserve === 'never' || this.relayServer) return
    this.maybeReserve()
    if (this.reserving || this.timer !== null) return
    this.timer = setInterval(() => this.maybeReserve(), this.checkIntervalMs)
    this.timer.unref?.()
  }

  stop(): void {
    this.c.events.removeEventListener('connection:open', this.onConnection)
    this.c.events.removeEventListener('peer:identify', this.onIdentify)
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
  }

  status(): NatStatus {
    const own: OwnAddress[] = []
    const relayAddrs: string[] = []
    const self = this.c.peerId.toString()
    for (const a of this.c.addressManager.getAddressesWithMetadata()) {
      const text = a.multiaddr.toString()
      if (text.includes(CIRCUIT)) {
        if (a.verified) relayAddrs.push(text.endsWith(`/p2p/${self}`) ? text : `${text}/p2p/${self}`)
      } else own.push({ address: text, verified: a.verified, type: a.type })
    }
    const verdict = judgeReachability({ addresses: own, relayAddrs, publicInbound: this.publicInbound })
    return {
      ...(this.relayServer && verdict.reachability !== 'public'
        ? { ...verdict, reason: `${verdict.reason} (runs --relay-server: it must be public to be of use)` }
        : verdict),
      relayAddrs,
      reserving: this.reserving,
      relayServer: this.relayServer
    }
  }

  /**
   * A direct inbound connection from a public address is proof that someone outside can dial
   * us (AutoNAT asks for it explicitly; this notices it for free). A hole-punched connection
   * would look the same, but DCUtR over TCP does not succeed from Node (lab/README.md).
   */
  private readonly onConnection = (evt: CustomEvent<Connection>): void => {
    const conn = evt.detail
    if (this.publicInbound !== null || conn.direction !== 'inbound' || conn.limits !== undefined) return
    const remote = conn.remoteAddr
    if (remote.toString().includes(CIRCUIT) || classifyAddress(remote) !== 'public') return
    this.publicInbound = remote.toString()
  }

  private readonly onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    if (evt.detail.protocols.includes(RELAY_HOP_PROTOCOL)) this.relayMet = true
  }

  private maybeReserve(): void {
    if (this.reserving) return
    const v = this.status()
    const wanted = this.reserve === 'always' || (v.reachability === 'private' && v.behindNat && this.relayMet)
    if (!wanted) return
    this.reserving = true
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
    this.log('reserving a relay slot: %s', v.reason)
    this.c.transportManager.listen([multiaddr(CIRCUIT)]).catch((err: unknown) => {
      this.log.error('cannot listen on %s - %e', CIRCUIT, err)
    })
  }
}

/** A connection's kind: relayed when it runs through a relay (limited, or a circuit address), else direct. */
export function connectionKind(conn: Pick<Connection, 'limits' | 'remoteAddr'>): 'direct' | 'relayed' {
  return conn.limits !== undefined || conn.remoteAddr.toString().includes(CIRCUIT) ? 'relayed' : 'direct'
}

/** How each peer with an open connection is connected: direct when any of its connections is. */
export function connectionKinds(
  connections: ReadonlyArray<Pick<Connection, 'limits' | 'remoteAddr' | 'remotePeer' | 'status'>>
): Map<string, 'direct' | 'relayed'> {
  const kinds = new Map<string, 'direct' | 'relayed'>()
  for (const conn of connections) {
    if (conn.status !== 'open') continue
    const id = conn.remotePeer.toString()
    if (kinds.get(id) !== 'direct') kinds.set(id, connectionKind(conn))
  }
  return kinds
}

export function natService(init: NatServiceInit = {}): (components: NatServiceComponents) => NatService {
  return components => new NatService(components, init)
}
