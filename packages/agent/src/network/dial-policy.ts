/**
 * Which addresses learned from peers this node may dial. Peers tell us addresses in
 * announcements, DHT records and identify; without a filter, any peer could make every node
 * of the swarm dial hosts on their internal networks (a router's admin page, a database on
 * 127.0.0.1). So an address in a loopback, private or link-local range is dialled only when
 * this node itself lives in such a range (one of its listen, announce or bootstrap addresses
 * is in it: a demo on 127.0.0.1, a LAN), when mDNS is on (LAN discovery), or when the
 * operator allows it (`allowPrivateDial`). Unspecified, multicast and reserved addresses are
 * never dialled (0.0.0.0 reaches this host on Linux). Host names pass: they are resolved at
 * dial time and the resolved address is judged again (the connection gater sees it).
 *
 * Pure: multiaddr parsing and arithmetic only.
 */
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'

/** What kind of network an address is in. */
export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  /** 0.0.0.0/8, :: — "this host" when dialled. */
  | 'unspecified'
  /** Multicast, broadcast and 240.0.0.0/4: nothing to dial there. */
  | 'reserved'
  /** A DNS name (dns, dns4, dns6, dnsaddr): judged once resolved. */
  | 'name'
  /** No network host at all (a bare /p2p/ id, a transport this node does not have). */
  | 'none'

/** The classes that are never public: dialled only when allowed. */
export const LOCAL_CLASSES: readonly AddressClass[] = ['loopback', 'private', 'link-local']

export interface DialPolicyInit {
  /** The node's own configured addresses (listen, announce, bootstrap) as multiaddr strings. */
  readonly ownAddresses: readonly string[]
  /** mDNS on: the node is on a LAN by configuration. */
  readonly mdns?: boolean
  /** Dial private, loopback and link-local addresses learned from peers regardless. */
  readonly allowPrivateDial?: boolean
}

export interface DialPolicy {
  /** The local classes this node may dial (public and names always). */
  readonly allowedLocal: ReadonlySet<AddressClass>
  /** Whether an address learned from a peer may be dialled. */
  mayDial(address: Multiaddr | string): boolean
}

export function dialPolicy(init: DialPolicyInit): DialPolicy {
  const allowed = new Set<AddressClass>()
  if (init.allowPrivateDial === true) for (const c of LOCAL_CLASSES) allowed.add(c)
  if (init.mdns === true) {
    allowed.add('private')
    allowed.add('link-local')
  }
  for (const a of init.ownAddresses) {
    const c = classifyAddressText(a)
    if (LOCAL_CLASSES.includes(c)) allowed.add(c)
    // a node configured to listen on 0.0.0.0 names no range: it says nothing about where it lives
  }
  return {
    allowedLocal: allowed,
    mayDial: address => {
      const c = typeof address === 'string' ? classifyAddressText(address) : classifyAddress(address)
      return c === 'public' || c === 'name' || c === 'none' || allowed.has(c)
    }
  }
}

function classifyAddressText(text: string): AddressClass {
  try {
    return classifyAddress(multiaddr(text))
  } catch {
    return 'none'
  }
}

/** The class of a multiaddr's first network component (ip4, ip6, a DNS name, unix). */
export function classifyAddress(address: Multiaddr): AddressClass {
  for (const c of address.getComponents()) {
    switch (c.name) {
      case 'ip4':
        return classifyIpv4(c.value ?? '')
      case 'ip6':
        return classifyIpv6(c.value ?? '')
      case 'ip6zone':
        continue
      case 'dns':
      case 'dns4':
      case 'dns6':
      case 'dnsaddr':
        return /^localhost\.?$/i.test(c.value ?? '') ? 'loopback' : 'name'
      case 'unix':
        return 'loopback'
      default:
        return 'none'
    }
  }
  return 'none'
}

/** IPv4 ranges by class (first octets and prefix length). */
const IPV4_RANGES: ReadonlyArray<[AddressClass, number, number]> = [
  ['unspecified', ipv4('0.0.0.0'), 8],
  ['loopback', ipv4('127.0.0.0'), 8],
  ['private', ipv4('10.0.0.0'), 8],
  ['private', ipv4('172.16.0.0'), 12],
  ['private', ipv4('192.168.0.0'), 16],
  // carrier-grade NAT: an ISP's internal network, not the internet
  ['private', ipv4('100.64.0.0'), 10],
  ['link-local', ipv4('169.254.0.0'), 16],
  ['reserved', ipv4('224.0.0.0'), 4],
  ['reserved', ipv4('240.0.0.0'), 4]
]

function ipv4(text: string): number {
  const parts = text.split('.').map(Number)
  if (parts.length !== 4 || parts.some(p => !Number.isInteger(p) || p < 0 || p > 255)) return Number.NaN
  return (
    (((parts[0] as number) << 24) |
      ((parts[1] as number) << 16) |
      ((parts[2] as number) << 8) |
      (parts[3] as number)) >>>
    0
  )
}

export function classifyIpv4(text: string): AddressClass {
  const n = ipv4(text)
  if (Number.isNaN(n)) return 'none'
  for (const [c, base, bits] of IPV4_RANGES) {
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0
    if ((n & mask) >>> 0 === base) return c
  }
  return 'public'
}

/** The 8 groups of an IPv6 address (with an embedded IPv4 tail expanded), or null. */
function ipv6Groups(text: string): number[] | null {
  let t = text.toLowerCase()
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(t)
  if (v4 !== null) {
    const n = ipv4(v4[1] as string)
    if (Number.isNaN(n)) return null
    t = `${t.slice(0, v4.index)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`
  }
  const halves = t.split('::')
  if (halves.length > 2) return null
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map(g => Number.parseInt(g, 16)))
  const head = parse(halves[0] as string)
  const tail = halves.length === 2 ? parse(halves[1] as string) : []
  const fill = 8 - head.length - tail.length
  if (halves.length === 1 ? fill !== 0 : fill < 1) return null
  const groups = [...head, ...Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail]
  return groups.every(g => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null
}

export function classifyIpv6(text: string): AddressClass {
  const g = ipv6Groups(text)
  if (g === null) return 'none'
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g6 = 0, h = 0] = g
  const zeroHead = a === 0 && b === 0 && c === 0 && d === 0 && e === 0
  if (zeroHead && f === 0 && g6 === 0 && h === 0) return 'unspecified'
  if (zeroHead && f === 0 && g6 === 0 && h === 1) return 'loopback'
  // ::ffff:a.b.c.d, an IPv4 address in IPv6 clothes: judged as the IPv4 address
  if (zeroHead && f === 0xffff) return classifyIpv4(`${g6 >> 8}.${g6 & 0xff}.${h >> 8}.${h & 0xff}`)
  if ((a & 0xfe00) === 0xfc00) return 'private' // fc00::/7, unique local
  if ((a & 0xffc0) === 0xfe80) return 'link-local' // fe80::/10
  if ((a & 0xff00) === 0xff00) return 'reserved' // multicast
  return 'public'
}
