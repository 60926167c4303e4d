/**
 * Who may connect, and what may be dialled: the libp2p connection gater of an l2d2c node.
 *
 * - **Peers.** With an allowlist, only listed peers (and the bootstrap peers, which the
 *   operator named) get a connection either way; a denied peer never does, allowlisted or not.
 *   The check runs right after the encryption handshake, the first moment the remote peer id is
 *   authenticated, and before any l2d2c protocol, identify or gossip runs; dials to a peer not
 *   admitted are refused before a socket is opened.
 * - **Caps.** At most `maxConnectionsPerIp` inbound connections (pending and established) from
 *   one IP address, so one host cannot take every slot of `maxConnections`; connections from
 *   this host itself (loopback) are not capped per IP, since a local swarm runs up to 17
 *   daemons on 127.0.0.1; nor are relayed connections (Circuit Relay v2), whose address is
 *   the relay's, shared by every peer it relays. At most `maxConnectionsPerPeer` connections
 *   with one peer id, relayed ones included.
 * - **Dialling.** Addresses learned from peers are stored and dialled only when the dial
 *   policy allows them (dial-policy.ts); bootstrap peers are exempt (their addresses are the
 *   operator's configuration).
 * - **Bans.** A peer in the ban book (ban-book.ts; peer-banner.ts bans flooders) gets no
 *   connection either way, direct or relayed, nor a relay reservation, until its ban ends; a
 *   banned address gets no inbound connection. Allowlisted and bootstrap peers are never
 *   banned (`trusted`), and the address check runs after the handshake, when the peer id is
 *   known, so a trusted peer on a banned address still gets in.
 *
 * libp2p calls the gater; `attach` gives it the node's connection list once the node exists.
 */
import type { Connection, ConnectionGater, MultiaddrConnection, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { BanBook } from './ban-book.js'
import { classifyAddress, type DialPolicy } from './dial-policy.js'
import { peerIdOf } from './peer-address.js'

/** Admission limits; the defaults suit a swarm of tens of agents (NODE_LIMITS.maxConnections is 64). */
export const DEFAULT_ADMISSION = {
  /** Inbound connections from one non-loopback IP: an eighth of maxConnections, room for a few agents behind one NAT. */
  maxConnectionsPerIp: 8,
  /** Connections with one peer: two covers a simultaneous dial from both ends, and one spare. */
  maxConnectionsPerPeer: 3
} as const

export interface AdmissionInit {
  /** Peer ids that may connect; empty: everyone (who holds the swarm key, if there is one). */
  readonly allowPeers?: readonly string[]
  /** Peer ids that never connect, whatever else says. */
  readonly denyPeers?: readonly string[]
  /** Bootstrap peer ids: always admitted (unless denied) and dialled on any address. */
  readonly bootstrapPeers?: readonly string[]
  readonly maxConnectionsPerIp?: number
  readonly maxConnectionsPerPeer?: number
  readonly dialPolicy: DialPolicy
  /** The peers and addresses refused for a while (default: an empty book with the default limits). */
  readonly bans?: BanBook
  readonly now?: () => number
}

/** Why a connection or address was refused (counted per reason). */
export type RefusalReason = 'not-allowed' | 'denied' | 'per-ip-cap' | 'per-peer-cap' | 'private-address' | 'banned'

export type RefusalCounts = Record<RefusalReason, number>

export interface L2d2cGater extends ConnectionGater {
  /**
   * Gives the gater the node's own peer id (its own addresses are stored unfiltered) and live
   * connections: the node is created after its gater.
   */
  attach(self: PeerId, connections: (peer?: PeerId) => Connection[]): void
  /** Refusals since the node started, by reason. */
  readonly refused: Readonly<RefusalCounts>
  /** Whether the allowlist is on. */
  readonly allowlist: boolean
  /** The bans the gater enforces. */
  readonly bans: BanBook
  /** Peers never banned: the allowlisted and bootstrap peers (the operator named them), and this node. */
  trusted(peer: string): boolean
}

export function createConnectionGater(init: AdmissionInit): L2d2cGater {
  const allow = new Set(init.allowPeers ?? [])
  const deny = new Set(init.denyPeers ?? [])
  const bootstrap = new Set(init.bootstrapPeers ?? [])
  const perIp = init.maxConnectionsPerIp ?? DEFAULT_ADMISSION.maxConnectionsPerIp
  const perPeer = init.maxConnectionsPerPeer ?? DEFAULT_ADMISSION.maxConnectionsPerPeer
  const policy = init.dialPolicy
  const refused: RefusalCounts = {
    'not-allowed': 0,
    denied: 0,
    'per-ip-cap': 0,
    'per-peer-cap': 0,
    'private-address': 0,
    banned: 0
  }
  const bans = init.bans ?? new BanBook()
  const now = init.now ?? Date.now
  /** Live inbound raw connections per remote IP (pending upgrades included). */
  const inbound = new Map<string, Set<MultiaddrConnection>>()
  let connections: (peer?: PeerId) => Connection[] = () => []
  let selfId = ''

  const refuse = (reason: RefusalReason): true => {
    refused[reason]++
    return true
  }
  /** True when the peer must not connect (denied, or not on a non-empty allowlist). */
  const trusted = (id: string): boolean => allow.has(id) || bootstrap.has(id) || id === selfId
  const peerRefused = (peer: PeerId | string): boolean => {
    const id = peer.toString()
    if (deny.has(id)) return refuse('denied')
    if (allow.size > 0 && !allow.has(id) && !bootstrap.has(id)) return refuse('not-allowed')
    if (!trusted(id) && bans.banned(id, now())) return refuse('banned')
    return false
  }
  /** A banned address (never a relay's: its address is shared by every peer it relays). */
  const addressBanned = (peer: PeerId, maConn: MultiaddrConnection): boolean => {
    if (isRelayed(maConn.remoteAddr) || trusted(peer.toString())) return false
    const ip = hostOf(maConn.remoteAddr)
    return ip !== null && bans.ipBanned(ip, now()) ? refuse('banned') : false
  }
  const addressRefused = (peer: string | undefined, address: Multiaddr): boolean => {
    if (peer !== undefined && bootstrap.has(peer)) return false
    return policy.mayDial(address) ? false : refuse('private-address')
  }

  return {
    refused,
    allowlist: allow.size > 0,
    bans,
    trusted,
    attach(self, fn) {
      selfId = self.toString()
      connections = fn
    },
    denyDialPeer: peer => peerRefused(peer),
    denyDialMultiaddr: address => addressRefused(peerIdOf(address), address),
    // Addresses that will never be dialled are not stored either (announcements, DHT records,
    // identify and our own peer store merges all go through here).
    filterMultiaddrForPeer: (peer, address) => {
      const id = peer.toString()
      if (bootstrap.has(id) || id === selfId) return true
      return policy.mayDial(address)
    },
    denyInboundConnection: maConn => {
      const ip = hostOf(maConn.remoteAddr)
      if (ip === null || classifyAddress(maConn.remoteAddr) === 'loopback' || isRelayed(maConn.remoteAddr)) return false
      const live = inbound.get(ip) ?? new Set<MultiaddrConnection>()
      for (const c of live) if (c.status !== 'open') live.delete(c)
      if (live.size >= perIp) return refuse('per-ip-cap')
      live.add(maConn)
      inbound.set(ip, live)
      maConn.addEventListener(
        'close',
        () => {
          live.delete(maConn)
          if (live.size === 0 && inbound.get(ip) === live) inbound.delete(ip)
        },
        { once: true }
      )
      return false
    },
    denyInboundEncryptedConnection: (peer, maConn) =>
      peerRefused(peer) || addressBanned(peer, maConn) || perPeerFull(peer),
    denyOutboundEncryptedConnection: peer => peerRefused(peer),
    // Through a relay: the remote peer is checked like a direct one; a banned peer reserves no slot.
    denyInboundRelayedConnection: (_relay, remote) => peerRefused(remote),
    denyInboundRelayReservation: source => peerRefused(source)
  }

  function perPeerFull(peer: PeerId): boolean {
    const open = connections(peer).filter(c => c.status === 'open').length
    return open >= perPeer ? refuse('per-peer-cap') : false
  }
}

/**
 * The address a ban of this connection's peer may extend to: its IP, unless it is loopback (a
 * local swarm runs every daemon on 127.0.0.1) or the connection is relayed (the address is the
 * relay's, shared by every peer it relays); null then.
 */
export function bannableIp(address: Multiaddr): string | null {
  if (isRelayed(address) || classifyAddress(address) === 'loopback') return null
  return hostOf(address)
}

/** A relayed connection's address: the relay's, then /p2p-circuit and the remote peer. */
function isRelayed(address: Multiaddr): boolean {
  return address.getComponents().some(c => c.name === 'p2p-circuit')
}

/** The IP address of a /ip4/…/tcp/… or /ip6/…/tcp/… multiaddr, or null. */
function hostOf(address: Multiaddr): string | null {
  const c = address.getComponents()[0]
  return c !== undefined && (c.name === 'ip4' || c.name === 'ip6') && c.value !== undefined ? c.value : null
}
