import { formatCidr, formatIpv4 } from './addresses.js'
import { Routing, type Route } from './routing.js'
import type { Topology } from './topology.js'

/**
 * The concrete network of a run: namespace names, the `ip` and `nft` commands that build it,
 * and the partition rules switched on and off during the run. Every name starts with the
 * run's prefix (`l2l-<run id>-`), every link is created directly inside lab namespaces (none
 * ever exists in the host's namespace), and every namespace's nftables table drops (and
 * counts) any packet addressed outside the lab's own subnets. Pure: it only builds argv lists.
 */

export interface Command {
  readonly argv: readonly string[]
  /** Fed on stdin (nft rulesets). */
  readonly stdin?: string
}

export type NamespaceKind = 'segment' | 'router' | 'node'

export interface NamespacePlan {
  readonly name: string
  readonly kind: NamespaceKind
  /** The segment, router or node it holds. */
  readonly of: string
}

export interface PartitionPlan {
  readonly name: string
  readonly fromSeconds: number
  readonly untilSeconds: number
  readonly split: readonly Command[]
  readonly heal: readonly Command[]
}

export interface NetworkPlan {
  readonly runId: string
  readonly prefix: string
  readonly namespaces: readonly NamespacePlan[]
  readonly setup: readonly Command[]
  readonly partitions: readonly PartitionPlan[]
  /** Namespaces with the guard table (the name of its drop counter is GUARD_COUNTER). */
  readonly guarded: readonly string[]
  readonly routing: Routing
}

/** The table every guarded namespace gets, and the counter of packets it refused to let out. */
export const LAB_TABLE = 'l2l'
export const GUARD_COUNTER = 'guard_drops'

/**
 * Link names of a run: `l2l<id>` and one letter (e: a node's link, u/s: a router's upstream
 * and site links, b: a segment's bridge, p<k>: the bridge's ports), at most 15 characters.
 * They live only inside the run's namespaces; the prefix lets the cleanup check prove that
 * none ever appeared in the host's namespace.
 */
export function linkNames(runId: string): {
  node: string
  upstream: string
  site: string
  bridge: string
  port: (k: number) => string
  prefix: string
} {
  const p = `l2l${runId}`
  return { prefix: p, node: `${p}e`, upstream: `${p}u`, site: `${p}s`, bridge: `${p}b`, port: k => `${p}p${k}` }
}

/** The prefix of every namespace of a run. */
export function labPrefix(runId: string): string {
  return `l2l-${runId}-`
}

/** Namespace names of one run: l2l-<id>-s-<segment>, -r-<router>, -n-<node>. */
export function namespaceName(runId: string, kind: NamespaceKind, name: string): string {
  return `${labPrefix(runId)}${kind[0]}-${name}`
}

const ip = (...argv: string[]): Command => ({ argv: ['ip', ...argv] })
const inNs = (ns: string, ...argv: string[]): Command => ({ argv: ['ip', 'netns', 'exec', ns, ...argv] })

/**
 * nftables rules dropping each link's percentage of packets, in each direction, at this end
 * of the link (there is no netem here: `numgen random` draws per packet in the kernel).
 */
function lossRules(links: ReadonlyArray<readonly [string, number]>): string {
  const lossy = links.filter(([, p]) => p > 0)
  if (lossy.length === 0) return ''
  const rules = (dir: 'iifname' | 'oifname'): string =>
    lossy.map(([dev, p]) => `    ${dir} "${dev}" numgen random mod 100 < ${p} drop\n`).join('')
  return `  chain loss_in {
    type filter hook prerouting priority -300; policy accept;
${rules('iifname')}  }
  chain loss_out {
    type filter hook postrouting priority 300; policy accept;
${rules('oifname')}  }
`
}

/** The guard: nothing leaves for an address the lab did not create, and no IPv6 at all. */
function guardRules(labNets: string, forward: boolean): string {
  const body = `    meta nfproto ipv6 counter name "${GUARD_COUNTER}" drop
    ip daddr != @lab_nets counter name "${GUARD_COUNTER}" drop
`
  return `  counter ${GUARD_COUNTER} {
  }
  set lab_nets {
    type ipv4_addr; flags interval;
    elements = { ${labNets} }
  }
  chain guard_out {
    type filter hook output priority -310; policy accept;
    oifname "lo" accept
${body}  }
${
  forward
    ? `  chain guard_forward {
    type filter hook forward priority -310; policy accept;
${body}  }
`
    : ''
}`
}

/** Partition sets: filled when a split starts, flushed when it heals. */
function cutRules(partitions: readonly number[]): string {
  if (partitions.length === 0) return ''
  const sets = partitions.map(i => `  set cut_${i} {\n    type ipv4_addr;\n  }\n`).join('')
  const inRules = partitions.map(i => `    ip saddr @cut_${i} drop\n`).join('')
  const outRules = partitions.map(i => `    ip daddr @cut_${i} drop\n`).join('')
  return `${sets}  chain cut_in {
    type filter hook prerouting priority -290; policy accept;
${inRules}  }
  chain cut_out {
    type filter hook output priority -290; policy accept;
${outRules}  }
`
}

function natRules(upstreamDev: string, siteNet: string): string {
  return `  chain nat_out {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "${upstreamDev}" ip saddr ${siteNet} masquerade
  }
  chain nat_in {
    type filter hook forward priority filter; policy accept;
    iifname "${upstreamDev}" ct state established,related accept
    iifname "${upstreamDev}" drop
  }
`
}

const table = (body: string): string => `table inet ${LAB_TABLE} {\n${body}}\n`

function routeCommands(ns: string, routes: readonly Route[]): Command[] {
  return routes.map(r => ip('-n', ns, 'route', 'add', formatCidr(r.dst), 'via', formatIpv4(r.via)))
}

/** Builds the plan of a validated topology for one run. */
export function planNetwork(topology: Topology, runId: string): NetworkPlan {
  if (!/^[0-9a-f]{6}$/.test(runId)) throw new Error(`run id must be 6 hex digits, got "${runId}"`)
  const routing = new Routing(topology)
  // Validate every partition's addresses before anything is built.
  const blocks = topology.partitions.map((_, i) => routing.partitionBlocks(i))
  const namespaces: NamespacePlan[] = [
    ...topology.segments.map(s => ({
      name: namespaceName(runId, 'segment', s.name),
      kind: 'segment' as const,
      of: s.name
    })),
    ...topology.routers.map(r => ({
      name: namespaceName(runId, 'router', r.name),
      kind: 'router' as const,
      of: r.name
    })),
    ...topology.nodes.map(n => ({ name: namespaceName(runId, 'node', n.name), kind: 'node' as const, of: n.name }))
  ]
  const segNs = (s: string): string => namespaceName(runId, 'segment', s)
  const labNets = topology.segments.map(s => formatCidr(s.subnet)).join(', ')
  const dev = linkNames(runId)
  const setup: Command[] = []
  for (const n of namespaces) {
    setup.push(ip('netns', 'add', n.name))
    // No IPv6 at all (no link-local chatter, nothing to route): the lab is IPv4 only.
    const sysctls = ['net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']
    if (n.kind === 'router') sysctls.push('net.ipv4.ip_forward=1')
    setup.push(inNs(n.name, 'sysctl', '-q', '-w', ...sysctls))
    setup.push(ip('-n', n.name, 'link', 'set', 'lo', 'up'))
  }
  for (const s of topology.segments) {
    setup.push(ip('-n', segNs(s.name), 'link', 'add', dev.bridge, 'type', 'bridge'))
    setup.push(ip('-n', segNs(s.name), 'link', 'set', dev.bridge, 'up'))
  }
  // One veth per attachment, created inside both namespaces at once; the segment side joins the bridge.
  const ports = new Map<string, number>()
  const attach = (ns: string, link: string, segment: string, address: number): void => {
    const seg = routing.segment(segment)
    const k = ports.get(segment) ?? 0
    ports.set(segment, k + 1)
    const port = dev.port(k)
    setup.push(ip('link', 'add', link, 'netns', ns, 'type', 'veth', 'peer', 'name', port, 'netns', segNs(segment)))
    setup.push(ip('-n', segNs(segment), 'link', 'set', port, 'master', dev.bridge))
    setup.push(ip('-n', segNs(segment), 'link', 'set', port, 'up'))
    setup.push(ip('-n', ns, 'addr', 'add', `${formatIpv4(address)}/${seg.subnet.prefix}`, 'dev', link))
    setup.push(ip('-n', ns, 'link', 'set', link, 'up'))
  }
  const guarded: string[] = []
  for (const r of topology.routers) {
    const ns = namespaceName(runId, 'router', r.name)
    attach(ns, dev.upstream, r.upstream, routing.routerUpstreamAddress(r.name))
    attach(ns, dev.site, r.site, routing.routerSiteAddress(r))
    setup.push(...routeCommands(ns, routing.routerRoutes(r)))
    const body =
      guardRules(labNets, true) +
      lossRules([
        [dev.upstream, routing.segment(r.upstream).lossPercent],
        [dev.site, routing.segment(r.site).lossPercent]
      ]) +
      (r.nat ? natRules(dev.upstream, formatCidr(routing.segment(r.site).subnet)) : '')
    setup.push({ ...inNs(ns, 'nft', '-f', '-'), stdin: table(body) })
    guarded.push(ns)
  }
  for (const n of topology.nodes) {
    const ns = namespaceName(runId, 'node', n.name)
    attach(ns, dev.node, n.segment, n.address as number)
    setup.push(...routeCommands(ns, routing.nodeRoutes(n.name)))
    const member = topology.partitions.flatMap((p, i) => (p.groups.some(g => g.includes(n.name)) ? [i] : []))
    const body =
      guardRules(labNets, false) +
      lossRules([[dev.node, n.lossPercent ?? routing.segment(n.segment).lossPercent]]) +
      cutRules(member)
    setup.push({ ...inNs(ns, 'nft', '-f', '-'), stdin: table(body) })
    guarded.push(ns)
  }
  const partitions = topology.partitions.map((p, i) => {
    const split: Command[] = []
    const heal: Command[] = []
    for (const [member, addrs] of blocks[i] as Map<string, number[]>) {
      const ns = namespaceName(runId, 'node', member)
      split.push(
        inNs(ns, 'nft', 'add', 'element', 'inet', LAB_TABLE, `cut_${i}`, `{ ${addrs.map(formatIpv4).join(', ')} }`)
      )
      heal.push(inNs(ns, 'nft', 'flush', 'set', 'inet', LAB_TABLE, `cut_${i}`))
    }
    return { name: p.name, fromSeconds: p.fromSeconds, untilSeconds: p.untilSeconds, split, heal }
  })
  return { runId, prefix: labPrefix(runId), namespaces, setup, partitions, guarded, routing }
}
