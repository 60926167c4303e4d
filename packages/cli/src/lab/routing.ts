import { formatIpv4, type Ipv4Net } from './addresses.js'
import { TopologyError, type NodeSpec, type RouterSpec, type SegmentSpec, type Topology } from './topology.js'

/**
 * Who can reach whom in a topology, and the static routes that make it so. Segments form a
 * tree: a site hangs below its gateway router's upstream segment; public segments and sites
 * without a router are roots (a root is an island: nothing routes between roots). A host can
 * open a connection to a segment when every router on the way DOWN into it is a plain router:
 * a NAT router lets its site out (masquerade) but nobody in. Pure: no I/O.
 */

export interface Route {
  readonly dst: Ipv4Net
  readonly via: number
}

/** Routers take .2-.9 of their upstream segment and .1 of their site. */
const FIRST_ROUTER_HOST = 2
const LAST_ROUTER_HOST = 9

export class Routing {
  private readonly segments = new Map<string, SegmentSpec>()
  private readonly gatewayOf = new Map<string, RouterSpec>()
  private readonly upstreamAddress = new Map<string, number>()
  private readonly nodes = new Map<string, NodeSpec>()

  constructor(readonly topology: Topology) {
    for (const s of topology.segments) this.segments.set(s.name, s)
    for (const n of topology.nodes) this.nodes.set(n.name, n)
    const used = new Map<string, number>()
    topology.routers.forEach((r, i) => {
      this.gatewayOf.set(r.site, r)
      const k = used.get(r.upstream) ?? FIRST_ROUTER_HOST
      if (k > LAST_ROUTER_HOST)
        throw new TopologyError(`routers[${i}].upstream`, `at most ${LAST_ROUTER_HOST - 1} routers per segment`)
      used.set(r.upstream, k + 1)
      this.upstreamAddress.set(r.name, this.segment(r.upstream).subnet.base + k)
    })
  }

  segment(name: string): SegmentSpec {
    const s = this.segments.get(name)
    if (s === undefined) throw new Error(`unknown segment ${name}`)
    return s
  }

  node(name: string): NodeSpec {
    const n = this.nodes.get(name)
    if (n === undefined) throw new Error(`unknown node ${name}`)
    return n
  }

  /** The router's address on its upstream segment (what a NAT'd site looks like from outside). */
  routerUpstreamAddress(router: string): number {
    return this.upstreamAddress.get(router) as number
  }

  /** The router's address on its site: the site's gateway, always .1. */
  routerSiteAddress(router: RouterSpec): number {
    return this.segment(router.site).subnet.base + 1
  }

  nodeAddress(name: string): number {
    return this.node(name).address as number
  }

  /** Segments from `seg` up to its root, `seg` first. */
  private chain(seg: string): string[] {
    const out = [seg]
    for (let r = this.gatewayOf.get(seg); r !== undefined; r = this.gatewayOf.get(r.upstream)) out.push(r.upstream)
    return out
  }

  /** The way from one segment to another: up to their common ancestor, then down. Null: different islands. */
  private path(from: string, to: string): { up: string[]; down: string[] } | null {
    const a = this.chain(from)
    const b = this.chain(to)
    const common = a.find(s => b.includes(s))
    if (common === undefined) return null
    return { up: a.slice(0, a.indexOf(common)), down: b.slice(0, b.indexOf(common)).reverse() }
  }

  /** Whether a host on `from` can open a connection to a host on `to`. */
  reachable(from: string, to: string): boolean {
    const p = this.path(from, to)
    return p?.down.every(s => this.gatewayOf.get(s)?.nat !== true) ?? false
  }

  /** Next hop from a host on `seg` towards `dst`, or null when it is the same segment or unreachable. */
  private nextHop(seg: string, dst: string): number | null {
    if (seg === dst || !this.reachable(seg, dst)) return null
    const p = this.path(seg, dst) as { up: string[]; down: string[] }
    if (p.up.length > 0) return this.routerSiteAddress(this.gatewayOf.get(seg) as RouterSpec)
    const child = p.down[0] as string
    return this.routerUpstreamAddress((this.gatewayOf.get(child) as RouterSpec).name)
  }

  private routesFrom(seg: string, exclude: readonly string[]): Route[] {
    const out: Route[] = []
    for (const s of this.topology.segments) {
      if (exclude.includes(s.name)) continue
      const via = this.nextHop(seg, s.name)
      if (via !== null) out.push({ dst: s.subnet, via })
    }
    return out
  }

  /** A node's routes: one per segment it can reach besides its own. No default route: nothing else exists. */
  nodeRoutes(name: string): Route[] {
    const seg = this.node(name).segment
    return this.routesFrom(seg, [seg])
  }

  /** A router's routes: towards its site's subtree through the site side, everything else upstream. */
  routerRoutes(router: RouterSpec): Route[] {
    const out: Route[] = []
    for (const s of this.topology.segments) {
      if (s.name === router.site || s.name === router.upstream) continue
      const below = this.chain(s.name).includes(router.site)
      const via = this.nextHop(below ? router.site : router.upstream, s.name)
      if (via !== null) out.push({ dst: s.subnet, via })
    }
    return out
  }

  /**
   * The address `x`'s packets carry when they reach `observer`: its own, or the upstream
   * address of the last NAT router they leave through on the way up.
   */
  visibleAddress(x: string, observer: string): number {
    const p = this.path(this.node(x).segment, this.node(observer).segment)
    let addr = this.nodeAddress(x)
    if (p === null) return addr
    for (const seg of p.up) {
      const r = this.gatewayOf.get(seg) as RouterSpec
      if (r.nat) addr = this.routerUpstreamAddress(r.name)
    }
    return addr
  }

  /** Bootstrap nodes `name` can dial (itself excluded). */
  bootstrapPeers(name: string): NodeSpec[] {
    const seg = this.node(name).segment
    return this.topology.nodes.filter(b => b.bootstrap && b.name !== name && this.reachable(seg, b.segment))
  }

  /**
   * For each member of a partition, the addresses it must not exchange packets with: every
   * member of the other group as it appears to this member (own address and NAT address).
   * A NAT address shared with a node outside that group would cut the wrong node too: refused.
   */
  partitionBlocks(index: number): Map<string, number[]> {
    const part = this.topology.partitions[index]
    if (part === undefined) throw new Error(`no partition ${index}`)
    const out = new Map<string, number[]>()
    part.groups.forEach((group, g) => {
      const others = part.groups[1 - g] as readonly string[]
      for (const member of group) {
        const blocked = new Set<number>()
        for (const x of others) {
          blocked.add(this.nodeAddress(x))
          const seen = this.visibleAddress(x, member)
          if (seen === this.nodeAddress(x)) continue
          const sharing = this.topology.nodes.find(
            n => !others.includes(n.name) && n.name !== member && this.visibleAddress(n.name, member) === seen
          )
          if (sharing !== undefined)
            throw new TopologyError(
              `partitions[${index}].groups`,
              `"${x}" and "${sharing.name}" both appear to "${member}" as ${formatIpv4(seen)} (one NAT), but only "${x}" is in the other group`
            )
          blocked.add(seen)
        }
        out.set(
          member,
          [...blocked].sort((a, b) => a - b)
        )
      }
    })
    return out
  }
}
