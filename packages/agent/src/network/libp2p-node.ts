/**
 * The libp2p node every l2d2c agent runs: TCP + noise + yamux, identify (+ push), ping, a
 * private Kademlia DHT and gossipsub, configured for small swarms on LANs, containers and
 * 127.0.0.1. Options are narrow and explicit; everything else is fixed here with a reason.
 *
 * NAT traversal (README, "Daemon: Sites behind NAT"): every node can dial through Circuit
 * Relay v2 relays, answers and asks AutoNAT, and runs DCUtR to upgrade relayed connections to
 * direct ones; the NAT service (nat-service.ts) reserves a relay slot when the node turns out
 * to be behind a NAT. `relayServer` makes the node a relay for others, `upnp` asks the router
 * for a port mapping. A relayed connection is "limited": libp2p refuses to open a protocol
 * stream on it unless the protocol opts in; the mask exchange's queries and fetches opt in
 * only for what fits the relay's remaining limits (relay-budget.ts), so a transfer never runs
 * into a relay's data limit.
 *
 * Lifecycle: the node is returned NOT started (unless `start: true`), so the caller can
 * register its protocol handlers and topologies before the first peer connects (identify
 * then advertises them from the first exchange). Start it with `startLibp2pNode(node)` (maps a
 * listen failure to NodeConfigError) or `node.start()`; start and stop are idempotent.
 * After stop() nothing periodic remains, but libp2p 3.3.11 leaves ~1 s debounce timers
 * (address manager, identify-push) and one gossipsub heartbeat: a process whose last
 * activity was the node exits about 1 s after stop() resolves.
 *
 * Visible addresses: after start, `node.getMultiaddrs()` lists what peers can dial, each
 * ending in `/p2p/<peer id>` (with `listen: ['/ip4/127.0.0.1/tcp/0']` the real port is
 * filled in). `listeningAddresses(node)` returns them as strings for the start-up log.
 */
// libp2p calls Promise.withResolvers (Node 22) when starting and stopping
import '../polyfill.js'
import { autoNAT } from '@libp2p/autonat'
import { bootstrap } from '@libp2p/bootstrap'
import { circuitRelayServer, circuitRelayTransport, type CircuitRelayService } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { gossipsub, StrictSign, type GossipSub } from '@libp2p/gossipsub'
import { identify, identifyPush, type Identify, type IdentifyPush } from '@libp2p/identify'
import { kadDHT, type KadDHT } from '@libp2p/kad-dht'
import { mdns } from '@libp2p/mdns'
import { noise } from '@libp2p/noise'
import { ping, type Ping } from '@libp2p/ping'
import { preSharedKey } from '@libp2p/pnet'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { DHT_PROTOCOL, MAX_ANNOUNCEMENT_BYTES } from '@l2d2c/protocol'
import { createLibp2p, type Libp2pOptions } from 'libp2p'
import { InvalidParametersError, type ComponentLogger, type Libp2p, type PrivateKey } from '@libp2p/interface'
import type { Registry } from 'prom-client'
import { errorMessage, errorName } from '../errors.js'
import { BanBook, type BanLimits } from './ban-book.js'
import { createConnectionGater, type L2d2cGater, type RefusalCounts } from './connection-gater.js'
import { classifyAddress, dialPolicy } from './dial-policy.js'
import { gossipScoring } from './gossip-scoring.js'
import { natService, type NatService, type RelayReservationMode } from './nat-service.js'
import { peerIdOf } from './peer-address.js'
import { DEFAULT_PROVIDER_STORE_LIMITS, ProviderBoundedDatastore, type ProviderStoreLimits } from './provider-store.js'

/** mDNS service tag: l2d2c nodes answer only each other, not every libp2p node on the LAN. */
export const L2D2C_MDNS_SERVICE_TAG = '_l2d2c._udp.local'

export const DEFAULT_LISTEN = ['/ip4/127.0.0.1/tcp/0'] as const

/** Connection limits for a swarm of tens of agents (libp2p's defaults target 300 peers). */
export const NODE_LIMITS = {
  /** Above this many connections libp2p prunes the least valuable ones. */
  maxConnections: 64,
  /** A whole dial (all addresses of a peer) fails after this long: a dead peer never stalls a caller longer. */
  dialTimeoutMs: 5_000,
  /** One address gets this long before the dialer moves on to the peer's next address. */
  addressDialTimeoutMs: 3_000,
  /**
   * Inbound connections accepted per second from one IP. libp2p's default of 5 refuses
   * the 6th daemon of a local swarm (all on 127.0.0.1) that starts within the same second.
   */
  inboundConnectionsPerHostPerSecond: 32,
  /**
   * Inbound connections still in their handshake, from all hosts together (libp2p's default
   * is 10). Each is held at most `inboundUpgradeTimeoutMs`; past this many, new ones are
   * refused until one finishes.
   */
  maxIncomingPendingConnections: 16,
  /**
   * An inbound connection must finish its handshake (swarm key nonces, noise, yamux) within
   * this: a host that opens sockets and stays silent holds a pending slot this long at most
   * (libp2p's default is 10 s). Real handshakes on a LAN take milliseconds.
   */
  inboundUpgradeTimeoutMs: 5_000,
  /**
   * The peer-store tag value of bootstrap peers: the connection pruner closes the connections
   * of the lowest-valued peers first, so a host that fills the slots loses its connections
   * before the node loses its bootstrap (@libp2p/bootstrap's default is 50).
   */
  bootstrapTagValue: 100,
  /** Each connection is pinged this often; a failed ping aborts it, so dead peers are pruned. */
  connectionPingIntervalMs: 10_000,
  /**
   * Largest gossipsub RPC accepted. One RPC can carry several messages (gossipsub answers an
   * IWANT with every requested message at once) and an RPC over the limit ends that peer's
   * inbound gossip stream, so the bound is two of the largest announcements (1 MiB), not one
   * plus an envelope; real announcements are a few KB. Masks travel by stream, never by gossip.
   */
  gossipMaxMessageBytes: 2 * MAX_ANNOUNCEMENT_BYTES,
  /** Bootstrap dials this long after start (libp2p's default waits 1 s for nothing). */
  bootstrapDelayMs: 50,
  /**
   * Every DHT query waits for the node's first self-query, which kad-dht starts 1 s after
   * start by default; that second is pure latency here. The self-query itself still waits
   * for a first DHT peer, so starting it at once costs nothing.
   */
  dhtFirstSelfQueryDelayMs: 0,
  /**
   * Relay slots a `--relay-server` node grants at once (libp2p's default is 15): every NAT'd
   * node of a site holds one, and each costs the relay a connection.
   */
  relayMaxReservations: 64,
  /**
   * What a relayed connection may carry before the relay resets it (libp2p's default 128 KiB):
   * identify, pings, DCUtR's address exchange, and queries and DELTA/BITS transfers that fit
   * what is left (relay-budget.ts: a 14 kB BITS mask with a 16 KiB reserve).
   */
  relayDataLimitBytes: 1n << 17n,
  /** ... and how long it may stay open (libp2p's default 2 min): hole punching needs seconds. */
  relayDurationLimitMs: 2 * 60_000
} as const

/** gossipsub's heartbeat: mesh grafting and gossip run at this period. */
export const DEFAULT_GOSSIP_HEARTBEAT_MS = 1_000

export interface MdnsOptions {
  /** Query period in ms (the default 10 s of @libp2p/mdns is slow for a demo). */
  intervalMs?: number
}

export interface MetricsOptions {
  /**
   * The prom-client registry libp2p's metrics go to. Pass one per node: @libp2p/prometheus-metrics
   * keeps a module-level cache of metric objects and, when a node is created, clears it and
   * prom-client's GLOBAL default registry. A dedicated registry is untouched by that.
   */
  registry: Registry
  /** Also collect prom-client's process metrics (CPU, memory, event loop) into the registry. */
  collectDefaultMetrics?: boolean
}

export interface Libp2pNodeOptions {
  /** The node's identity (see peer-key.ts); the peer id is derived from it. */
  privateKey: PrivateKey
  /** Multiaddrs to listen on. Default `/ip4/127.0.0.1/tcp/0` (loopback, any free port). */
  listen?: readonly string[]
  /** Addresses to advertise instead of the listen addresses (e.g. a container's service name). */
  announce?: readonly string[]
  /**
   * Peers dialled once at start; each must end in `/p2p/<peer id>`. Empty or absent: no
   * bootstrap module. The bootstrap module never redials: reconnecting is the caller's job.
   */
  bootstrap?: readonly string[]
  /**
   * mDNS discovery. Off by default: it multicasts on every interface, so enable it only
   * inside a private network (netns, container network). It only discovers: peers land in
   * the peer store and in 'peer:discovery' events, and the caller decides whether to dial.
   */
  mdns?: boolean | MdnsOptions
  /** Prometheus metrics; absent: no metrics component at all. */
  metrics?: MetricsOptions
  /** gossipsub heartbeat in ms (default 1000). Tests use ~100 to form meshes quickly. */
  gossipHeartbeatMs?: number
  /** Pings on every connection at this period; a failed ping aborts the connection. */
  connectionPingIntervalMs?: number
  /**
   * How long such a ping may take before the connection counts as dead. Absent: libp2p's
   * adaptive timeout (at least 5 s, at most 60 s), so a frozen peer is cut after
   * interval + 5 s at the earliest.
   */
  connectionPingTimeoutMs?: number
  /** A whole dial gives up after this many ms. */
  dialTimeoutMs?: number
  /** Connections above which libp2p prunes the least valuable (default NODE_LIMITS.maxConnections; tests lower it). */
  maxConnections?: number
  /**
   * Where libp2p's component logs go (`forComponent(name)` returns a debug-style logger with
   * `%p` peer id, `%a` multiaddr, `%e` error, `%s`, `%d`, `%o` format placeholders). Absent:
   * libp2p's own logger, silent unless DEBUG=libp2p:* is set.
   */
  logger?: ComponentLogger
  /** Sent to peers by identify, e.g. `l2d2c/0.1.0`. */
  userAgent?: string
  /** Start before returning. Default false: register handlers first, then `startLibp2pNode(node)`. */
  start?: boolean
  /**
   * A private swarm: the swarm key file's bytes (swarm-key.ts). Every connection is encrypted
   * with it first; a peer without the same key cannot complete a handshake.
   */
  swarmKey?: Uint8Array
  /** Who may connect and the connection caps (connection-gater.ts); absent: anyone, default caps. */
  admission?: {
    allowPeers?: readonly string[]
    denyPeers?: readonly string[]
    maxConnectionsPerIp?: number
    maxConnectionsPerPeer?: number
  }
  /**
   * Dial loopback, private and link-local addresses learned from peers even when this node's
   * own addresses are in no such range (dial-policy.ts). The remote client sets it: its one
   * target is the address the user typed.
   */
  allowPrivateDial?: boolean
  /** How long misbehaving peers are refused, and how many are remembered (ban-book.ts); tests shorten them. */
  bans?: Partial<BanLimits>
  /** Bounds on the DHT provider records other peers store here (provider-store.ts); tests lower them. */
  providerStore?: ProviderStoreLimits
  /** Act as a Circuit Relay v2 relay for NAT'd peers (only useful on a public address). */
  relayServer?: boolean
  /** When to reserve a slot on a relay (nat-service.ts): behind a NAT (auto, the default), always, never. */
  relayReservation?: RelayReservationMode
  /** Ask the router for a port mapping by UPnP / NAT-PMP. Off by default: it changes the router. */
  upnp?: boolean
}

// A type alias, not an interface: libp2p's ServiceMap is an index signature, which only
// object type aliases satisfy implicitly.
export type Libp2pServices = {
  identify: Identify
  identifyPush: IdentifyPush
  /** Must be named `ping`: kad-dht reads its ping dependency from `components.ping`. */
  ping: Ping
  dht: KadDHT
  pubsub: GossipSub
  autonat: unknown
  dcutr: unknown
  nat: NatService
  /** Present only with `relayServer`. */
  relay?: CircuitRelayService
}

export type Libp2pNode = Libp2p<Libp2pServices>

/** What admission control refused so far, per node (read by status and metrics). */
const GATERS = new WeakMap<Libp2p, L2d2cGater>()
const STORES = new WeakMap<Libp2p, ProviderBoundedDatastore>()

/** Connections and addresses the node's gater refused, by reason (zeros for a node built elsewhere). */
export function admissionRefusals(node: Libp2p): Readonly<RefusalCounts> {
  return (
    GATERS.get(node)?.refused ?? {
      'not-allowed': 0,
      denied: 0,
      'per-ip-cap': 0,
      'per-peer-cap': 0,
      'private-address': 0,
      banned: 0
    }
  )
}

/** The node's connection gater (null for a node built elsewhere): its bans and trusted peers. */
export function gaterOf(node: Libp2p): L2d2cGater | null {
  return GATERS.get(node) ?? null
}

/** What the node's DHT provider-record store holds and turned away (null for a node built elsewhere). */
export function providerStoreOf(node: Libp2p): ProviderBoundedDatastore | null {
  return STORES.get(node) ?? null
}

/** kad-dht's validator for values l2d2c does not store (every one). */
async function refuseDhtValue(): Promise<void> {
  throw new InvalidParametersError('this node stores no DHT values')
}

/** True when an address is reachable from other hosts (not loopback): what the exposure warning looks at. */
export function isPublicListenAddress(address: string): boolean {
  try {
    const c = classifyAddress(multiaddr(address))
    return c !== 'loopback' && c !== 'none'
  } catch {
    return false
  }
}

/** A libp2p-node option that cannot be used; `option` names it. */
export class NodeConfigError extends Error {
  constructor(
    readonly option: keyof Libp2pNodeOptions,
    message: string,
    options?: { cause?: unknown }
  ) {
    super(`${option}: ${message}`, options)
    this.name = 'NodeConfigError'
  }
}

export async function createLibp2pNode(options: Libp2pNodeOptions): Promise<Libp2pNode> {
  const listen = (options.listen ?? DEFAULT_LISTEN).map(a => checkMultiaddr('listen', a, false))
  const announce = (options.announce ?? []).map(a => checkMultiaddr('announce', a, false))
  const bootstrapList = (options.bootstrap ?? []).map(a => checkMultiaddr('bootstrap', a, true))
  const heartbeat = checkPositive('gossipHeartbeatMs', options.gossipHeartbeatMs ?? DEFAULT_GOSSIP_HEARTBEAT_MS)
  const pingInterval = checkPositive(
    'connectionPingIntervalMs',
    options.connectionPingIntervalMs ?? NODE_LIMITS.connectionPingIntervalMs
  )
  const dialTimeout = checkPositive('dialTimeoutMs', options.dialTimeoutMs ?? NODE_LIMITS.dialTimeoutMs)
  const pingTimeout =
    options.connectionPingTimeoutMs === undefined
      ? undefined
      : checkPositive('connectionPingTimeoutMs', options.connectionPingTimeoutMs)

  const maxConnections = options.maxConnections ?? NODE_LIMITS.maxConnections
  if (!Number.isInteger(maxConnections) || maxConnections < 1)
    throw new NodeConfigError('maxConnections', `must be a positive integer, got ${maxConnections}`)
  const bootstrapPeers = bootstrapList.flatMap(a => peerIdOf(multiaddr(a)) ?? [])
  const admission = options.admission ?? {}
  for (const [option, value] of [
    ['maxConnectionsPerIp', admission.maxConnectionsPerIp],
    ['maxConnectionsPerPeer', admission.maxConnectionsPerPeer]
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1))
      throw new NodeConfigError('admission', `${option} must be a positive integer, got ${value}`)
  }
  const denied = new Set(admission.denyPeers ?? [])
  const deniedBootstrap = bootstrapPeers.find(id => denied.has(id))
  if (deniedBootstrap !== undefined)
    throw new NodeConfigError('admission', `bootstrap peer ${deniedBootstrap} is also denied`)
  const policy = dialPolicy({
    ownAddresses: [...listen, ...announce, ...bootstrapList],
    mdns: options.mdns !== undefined && options.mdns !== false,
    allowPrivateDial: options.allowPrivateDial ?? false
  })
  let bans: BanBook
  try {
    bans = new BanBook(options.bans)
  } catch (err) {
    throw new NodeConfigError('bans', errorMessage(err), { cause: err })
  }
  const gater = createConnectionGater({ ...admission, bootstrapPeers, dialPolicy: policy, bans })

  const peerDiscovery: NonNullable<Libp2pOptions['peerDiscovery']> = []
  if (bootstrapList.length > 0) {
    peerDiscovery.push(
      bootstrap({
        list: bootstrapList,
        timeout: NODE_LIMITS.bootstrapDelayMs,
        tagValue: NODE_LIMITS.bootstrapTagValue
      })
    )
  }
  if (options.mdns !== undefined && options.mdns !== false) {
    const intervalMs = options.mdns === true ? undefined : options.mdns.intervalMs
    peerDiscovery.push(
      mdns({
        serviceTag: L2D2C_MDNS_SERVICE_TAG,
        ...(intervalMs === undefined ? {} : { interval: checkPositive('mdns', intervalMs) })
      })
    )
  }

  const datastore = new ProviderBoundedDatastore(options.providerStore ?? DEFAULT_PROVIDER_STORE_LIMITS)
  const config: Libp2pOptions<Libp2pServices> = {
    privateKey: options.privateKey,
    // in memory, like libp2p's default, with the provider records peers store here bounded
    datastore,
    addresses: { listen, ...(announce.length > 0 ? { announce } : {}) },
    transports: [tcp(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery,
    connectionGater: gater,
    connectionManager: {
      maxConnections,
      dialTimeout,
      addressDialTimeout: Math.min(NODE_LIMITS.addressDialTimeoutMs, dialTimeout),
      inboundConnectionThreshold: NODE_LIMITS.inboundConnectionsPerHostPerSecond,
      maxIncomingPendingConnections: NODE_LIMITS.maxIncomingPendingConnections,
      inboundUpgradeTimeout: NODE_LIMITS.inboundUpgradeTimeoutMs,
      // Bootstrap hosts given by IP are accepted even when every slot is taken, and never
      // pruned (a loopback bootstrap is left out: it would exempt every local peer).
      allow: bootstrapList.filter(a => {
        const c = classifyAddress(multiaddr(a))
        return c !== 'loopback' && c !== 'name' && c !== 'none'
      })
    },
    connectionMonitor: {
      pingInterval,
      // a fixed timeout: min = max disables the adaptive estimate
      ...(pingTimeout === undefined ? {} : { pingTimeout: { minTimeout: pingTimeout, maxTimeout: pingTimeout } })
    },
    services: {
      identify: identify(),
      identifyPush: identifyPush(),
      ping: ping(),
      autonat: autoNAT(),
      dcutr: dcutr(),
      nat: natService({ reserve: options.relayReservation, relayServer: options.relayServer }),
      dht: kadDHT({
        protocol: DHT_PROTOCOL,
        // server from the start: a LAN-only DHT never sees the public address that would
        // switch the default client mode to server, so nobody would answer queries
        clientMode: false,
        // kad-dht's default mapper drops every private and loopback address, which on a LAN
        // or on 127.0.0.1 leaves every peer without addresses; this one keeps what the dial
        // policy would dial (this node's own ranges), and drops the rest
        peerInfoMapper: info => ({ ...info, multiaddrs: info.multiaddrs.filter(a => policy.mayDial(a)) }),
        initialQuerySelfInterval: NODE_LIMITS.dhtFirstSelfQueryDelayMs,
        // l2d2c uses the DHT for provider records only. kad-dht's one value type, public-key
        // records, would let anyone store one record per key pair it makes (Ed25519 peer ids
        // carry their keys, so nothing needs them): refused, so a PUT_VALUE stores nothing.
        validators: { pk: refuseDhtValue }
      }),
      pubsub: gossipsub({
        // sign every message and reject unsigned ones: `message.from` is then the
        // authenticated publisher, not whoever relayed it
        globalSignaturePolicy: StrictSign,
        // publishing before anyone subscribed (first node of a swarm) is normal, not an error
        allowPublishToZeroTopicPeers: true,
        // our own publications go to every subscribed peer, not only mesh peers: delivery
        // to direct neighbours does not wait for a heartbeat to graft a mesh
        floodPublish: true,
        // no floodsub fallback: only l2d2c nodes speak to us, and floodsub adds a protocol
        fallbackToFloodsub: false,
        emitSelf: false,
        heartbeatInterval: heartbeat,
        maxInboundDataLength: NODE_LIMITS.gossipMaxMessageBytes,
        // one RPC of a peer at a time, each message validated before the next is read: what a
        // peer sends waits in its stream (and TCP pushes back) instead of in a queue of
        // promises, so when the peer is banned and its connections closed, the rest of its
        // flood is never decoded or signature-checked (peer-banner.ts)
        awaitRpcHandler: true,
        awaitRpcMessageHandler: true,
        // invalid announcements cost their sender, and a banned peer is graylisted (gossip-scoring.ts)
        ...gossipScoring(peer => bans.banned(peer, Date.now()) && !gater.trusted(peer))
      })
    }
  }
  // optional services: their factories go next to the fixed ones
  const optional: Record<string, unknown> = {}
  if (options.relayServer === true) {
    optional.relay = circuitRelayServer({
      reservations: {
        maxReservations: NODE_LIMITS.relayMaxReservations,
        defaultDataLimit: NODE_LIMITS.relayDataLimitBytes,
        defaultDurationLimit: NODE_LIMITS.relayDurationLimitMs
      }
    })
  }
  if (options.upnp === true) {
    // loaded only when asked: it pulls in an SSDP client most nodes never need
    const { uPnPNAT } = await import('@libp2p/upnp-nat')
    optional.upnp = uPnPNAT()
  }
  config.services = { ...config.services, ...optional } as typeof config.services
  if (options.metrics !== undefined) {
    config.metrics = prometheusMetrics({
      registry: options.metrics.registry,
      collectDefaultMetrics: options.metrics.collectDefaultMetrics ?? false
    })
  }
  if (options.logger !== undefined) config.logger = options.logger
  if (options.userAgent !== undefined) config.nodeInfo = { userAgent: options.userAgent }
  if (options.swarmKey !== undefined) {
    // the nonce exchange gets the inbound upgrade's deadline, like the rest of the handshake
    const protector = preSharedKey({ psk: options.swarmKey, timeout: NODE_LIMITS.inboundUpgradeTimeoutMs })
    try {
      protector() // decodes the key now: a bad one is a configuration error, not a failure at start
    } catch (err) {
      throw new NodeConfigError('swarmKey', `not a valid swarm key: ${errorMessage(err)}`, { cause: err })
    }
    config.connectionProtector = protector
  }

  const node = await createLibp2p({ ...config, start: false })
  gater.attach(node.peerId, peer => node.getConnections(peer))
  GATERS.set(node, gater)
  STORES.set(node, datastore)
  if (options.start === true) await startLibp2pNode(node)
  return node
}

/**
 * `node.start()`, with a listen failure (EADDRINUSE, EADDRNOTAVAIL, an address no transport
 * handles) reported as a NodeConfigError on `listen`. libp2p stops the half-started node
 * itself before rethrowing, so nothing is left running.
 */
export async function startLibp2pNode(node: Libp2p): Promise<void> {
  try {
    await node.start()
  } catch (err) {
    if (errorName(err) === 'UnsupportedListenAddressesError' || errorName(err) === 'NoValidAddressesError') {
      throw new NodeConfigError('listen', `cannot listen: ${errorMessage(err)}`, { cause: err })
    }
    throw err
  }
}

/** The addresses peers can dial (each with /p2p/<id>), as strings for logs and configs. */
export function listeningAddresses(node: Libp2p): string[] {
  return node.getMultiaddrs().map(a => a.toString())
}

function checkMultiaddr(option: 'listen' | 'announce' | 'bootstrap', value: string, needsPeerId: boolean): string {
  let parsed: Multiaddr
  try {
    parsed = multiaddr(value)
  } catch (err) {
    throw new NodeConfigError(option, `not a multiaddr: ${JSON.stringify(value)}`, { cause: err })
  }
  // @libp2p/bootstrap silently skips entries without a peer id; refuse them loudly instead
  if (needsPeerId && peerIdOf(parsed) === undefined) {
    throw new NodeConfigError(option, `${value} has no /p2p/<peer id> part`)
  }
  return parsed.toString()
}

function checkPositive(option: keyof Libp2pNodeOptions, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new NodeConfigError(option, `must be a positive number of ms, got ${value}`)
  return value
}
