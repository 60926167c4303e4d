/**
 * IPv4 arithmetic for the lab, and the only address ranges it may use: the documentation
 * ranges (RFC 5737) for "public" segments and 10.0.0.0/8 for sites. Nothing the lab builds
 * can then collide with, or route to, a real network. Pure: no I/O.
 */

export interface Ipv4Net {
  /** Network address as an unsigned 32-bit integer (host bits zero). */
  readonly base: number
  /** Prefix length, 0..32. */
  readonly prefix: number
}

/** The three documentation ranges: the lab's "internet". */
export const PUBLIC_RANGES: readonly Ipv4Net[] = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'].map(
  s => parseCidr(s) as Ipv4Net
)

/** Private range of the lab's sites. */
export const SITE_RANGE: Ipv4Net = parseCidr('10.0.0.0/8') as Ipv4Net

/** "a.b.c.d" → unsigned integer, or null if it is not a dotted quad. */
export function parseIpv4(text: string): number | null {
  const m = /^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$/.exec(text)
  if (m === null) return null
  const parts = m.slice(1).map(Number)
  if (parts.some(p => p > 255)) return null
  return (
    (((parts[0] as number) << 24) |
      ((parts[1] as number) << 16) |
      ((parts[2] as number) << 8) |
      (parts[3] as number)) >>>
    0
  )
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}

function netmask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0
}

/** "a.b.c.d/n" with zero host bits → Ipv4Net, or null. */
export function parseCidr(text: string): Ipv4Net | null {
  const m = /^([0-9.]+)\/([0-9]{1,2})$/.exec(text)
  if (m === null) return null
  const base = parseIpv4(m[1] as string)
  const prefix = Number(m[2])
  if (base === null || prefix > 32) return null
  if ((base & netmask(prefix)) >>> 0 !== base) return null
  return { base, prefix }
}

export function formatCidr(net: Ipv4Net): string {
  return `${formatIpv4(net.base)}/${net.prefix}`
}

export function netContains(net: Ipv4Net, addr: number): boolean {
  return (addr & netmask(net.prefix)) >>> 0 === net.base
}

/** Whether `inner` lies entirely inside `outer`. */
export function netWithin(inner: Ipv4Net, outer: Ipv4Net): boolean {
  return inner.prefix >= outer.prefix && netContains(outer, inner.base)
}

export function netsOverlap(a: Ipv4Net, b: Ipv4Net): boolean {
  return netWithin(a, b) || netWithin(b, a)
}

/** Number of usable host addresses (network and broadcast excluded). */
export function hostCount(net: Ipv4Net): number {
  return net.prefix >= 31 ? 0 : 2 ** (32 - net.prefix) - 2
}

/** The k-th host address of a network (k = 1 is the first usable one). */
export function hostAddress(net: Ipv4Net, k: number): number {
  return (net.base + k) >>> 0
}

/** Whether addr is a usable host of net (inside it, not its network or broadcast address). */
export function isHostOf(net: Ipv4Net, addr: number): boolean {
  const k = addr - net.base
  return netContains(net, addr) && k >= 1 && k <= hostCount(net)
}
