/**
 * Whether other hosts can dial this node, decided from what the node knows of its own
 * addresses, and what to tell an operator whose node nobody can dial. Pure: the NAT service
 * (nat-service.ts) gathers the snapshot from libp2p; this module only judges it.
 *
 * - `public`: an address outside loopback/private/link-local ranges that libp2p counts as
 *   verified (confirmed by AutoNAT, mapped by UPnP, given with `--announce`, or a listen
 *   address libp2p takes as it is), or a peer from such an address has dialled us directly.
 * - `private`: no such evidence, and the node sits on a private network (a 10.x, 172.16/12,
 *   192.168.x or 100.64/10 address: behind a NAT or a firewall), or holds relay addresses
 *   (it reserved a relay slot because of that), or it listens on loopback only.
 * - `unknown`: everything else, e.g. a public listen address AutoNAT has not confirmed yet.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { classifyAddress, type AddressClass } from './dial-policy.js'

export type Reachability = 'public' | 'private' | 'unknown'

/** One of the node's own (non-relay) addresses as libp2p's address manager lists it. */
export interface OwnAddress {
  readonly address: string
  /** libp2p counts it as dialable (confirmed, announced, mapped, or trusted as listened on). */
  readonly verified: boolean
  /** How libp2p learned it: transport, observed, ip-mapping, dns-mapping, announce. */
  readonly type: string
}

export interface ReachabilitySnapshot {
  readonly addresses: readonly OwnAddress[]
  /** Circuit addresses from relay reservations (each ends in /p2p-circuit/p2p/<own id>). */
  readonly relayAddrs: readonly string[]
  /** A peer dialled this node directly (not relayed) from an address in a public range. */
  readonly publicInbound: string | null
}

export interface ReachabilityVerdict {
  readonly reachability: Reachability
  /** One sentence: the evidence. */
  readonly reason: string
  /** The node is on a private network (not only loopback): a relay reservation can help it. */
  readonly behindNat: boolean
}

const HOW: Record<string, string> = {
  announce: 'announced with --announce',
  'ip-mapping': 'mapped on the router by UPnP',
  observed: 'confirmed by AutoNAT',
  transport: 'a listen address in a public range',
  'dns-mapping': 'a DNS name mapped to a confirmed address'
}

function classOf(address: string): AddressClass {
  try {
    return classifyAddress(multiaddr(address))
  } catch {
    return 'none'
  }
}

export function judgeReachability(s: ReachabilitySnapshot): ReachabilityVerdict {
  const classes = s.addresses.map(a => ({ ...a, cls: classOf(a.address) }))
  const behindNat = classes.some(a => a.cls === 'private')
  const confirmed = classes.find(a => a.verified && (a.cls === 'public' || a.cls === 'name'))
  if (confirmed !== undefined)
    return {
      reachability: 'public',
      reason: `${confirmed.address} is ${HOW[confirmed.type] ?? confirmed.type}`,
      behindNat
    }
  if (s.publicInbound !== null)
    return { reachability: 'public', reason: `a peer at ${s.publicInbound} dialled this node directly`, behindNat }
  if (s.relayAddrs.length > 0)
    return {
      reachability: 'private',
      reason: `no public address; reachable only through relay ${s.relayAddrs[0] as string}`,
      behindNat
    }
  if (behindNat)
    return {
      reachability: 'private',
      reason: `only private addresses (${classes
        .filter(a => a.cls === 'private')
        .map(a => a.address)
        .join(', ')}): a NAT or a firewall likely stands between this node and its peers`,
      behindNat
    }
  if (classes.length > 0 && classes.every(a => a.cls === 'loopback'))
    return { reachability: 'private', reason: 'listens on loopback only: only this host can dial it', behindNat }
  return {
    reachability: 'unknown',
    reason: 'no address is confirmed public yet (AutoNAT is still asking peers)',
    behindNat
  }
}

/**
 * The plain explanation a daemon logs when nobody outside its own network can dial it, with
 * the fixes in the order an operator would try them; null when there is nothing to fix.
 */
export function unreachableAdvice(v: ReachabilityVerdict, relayAddrs: readonly string[]): string | null {
  if (v.reachability !== 'private' || !v.behindNat) return null
  const fixes =
    'forward a TCP port on the NAT router to this host and start with --announce /ip4/<public ip>/tcp/<port>; ' +
    'or start with --upnp if the router speaks UPnP; ' +
    'or give a --bootstrap peer that runs with --relay-server on a public address'
  if (relayAddrs.length > 0)
    return (
      `this node is behind a NAT (${v.reason}). Peers reach it through the relay, and masks cross only ` +
      'over direct connections (after hole punching) or from other providers, never over the relay. ' +
      `For direct connections: ${fixes.split('; or give')[0] as string}`
    )
  return `unless its network is routed to its peers, nobody outside it can dial this node: ${v.reason}, and it holds no relay reservation. It can still dial out, but peers that are behind NATs themselves cannot reach it. Fix: ${fixes}`
}
