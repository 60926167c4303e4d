import { describe, expect, it } from 'vitest'
import { formatIpv4, parseCidr, parseIpv4 } from '../../src/lab/addresses.js'
import { linkNames, planNetwork } from '../../src/lab/plan.js'
import { Routing } from '../../src/lab/routing.js'
import { parseTopology, TopologyError, type Topology } from '../../src/lab/topology.js'

const X = 'ctgraph/d2b2/img1/leaf10'

/**
 * internet (public) with a relay; site-a and site-b behind NAT routers; site-c behind a plain
 * router; an isolated public island with its own bootstrap node.
 */
function topology(partitions: unknown[] = []): Topology {
  return parseTopology(
    {
      durationSeconds: 60,
      segments: [
        { name: 'internet', subnet: '203.0.113.0/24', public: true, lossPercent: 5 },
        { name: 'site-a', subnet: '10.1.0.0/24' },
        { name: 'site-b', subnet: '10.2.0.0/24' },
        { name: 'site-c', subnet: '10.3.0.0/24', lossPercent: 20 },
        { name: 'island', subnet: '192.0.2.0/24', public: true }
      ],
      routers: [
        { name: 'nat-a', upstream: 'internet', site: 'site-a', nat: true },
        { name: 'nat-b', upstream: 'internet', site: 'site-b', nat: true },
        { name: 'gw-c', upstream: 'internet', site: 'site-c' }
      ],
      nodes: [
        { name: 'relay', segment: 'internet', bootstrap: true, tasks: [X] },
        { name: 'a1', segment: 'site-a', tasks: [X] },
        { name: 'a2', segment: 'site-a', tasks: [X] },
        { name: 'b1', segment: 'site-b', tasks: [X] },
        { name: 'c1', segment: 'site-c', tasks: [X], lossPercent: 0 },
        { name: 'lonely', segment: 'island', bootstrap: true, tasks: [X] }
      ],
      partitions,
      checks: [{ name: 'connected', kind: 'connected' }]
    },
    { defaultName: 't' }
  )
}

const ip = (s: string): number => parseIpv4(s) as number

describe('addresses', () => {
  it('parses and formats IPv4 and CIDR, refusing host bits and bad quads', () => {
    expect(formatIpv4(ip('203.0.113.7'))).toBe('203.0.113.7')
    expect(parseIpv4('256.1.1.1')).toBeNull()
    expect(parseIpv4('1.2.3')).toBeNull()
    expect(parseCidr('10.1.0.0/24')).toEqual({ base: ip('10.1.0.0'), prefix: 24 })
    expect(parseCidr('10.1.0.1/24')).toBeNull()
    expect(parseCidr('10.1.0.0/33')).toBeNull()
  })
})

describe('routing', () => {
  const r = new Routing(topology())

  it('NAT lets a site out but nobody in; a plain router lets both; islands stay apart', () => {
    expect(r.reachable('site-a', 'internet')).toBe(true)
    expect(r.reachable('internet', 'site-a')).toBe(false)
    expect(r.reachable('site-a', 'site-b')).toBe(false)
    expect(r.reachable('site-a', 'site-c')).toBe(true)
    expect(r.reachable('internet', 'site-c')).toBe(true)
    expect(r.reachable('internet', 'island')).toBe(false)
  })

  it('routes: one per reachable segment, via the gateway or the router below; never a default route', () => {
    const fmt = (routes: ReturnType<Routing['nodeRoutes']>): string[] =>
      routes.map(x => `${formatIpv4(x.dst.base)}/${x.dst.prefix} via ${formatIpv4(x.via)}`)
    // a1 reaches the internet and the plain site, not the other NAT'd site.
    expect(fmt(r.nodeRoutes('a1'))).toEqual(['203.0.113.0/24 via 10.1.0.1', '10.3.0.0/24 via 10.1.0.1'])
    // The relay reaches site-c through gw-c's upstream address (routers take .2, .3, .4).
    expect(fmt(r.nodeRoutes('relay'))).toEqual(['10.3.0.0/24 via 203.0.113.4'])
    expect(r.nodeRoutes('lonely')).toEqual([])
    const natA = topology().routers[0]
    expect(r.routerRoutes(natA as never).map(x => formatIpv4(x.via))).toEqual(['203.0.113.4'])
  })

  it("a NAT'd node appears as its router's address to outsiders, as itself inside its site", () => {
    expect(formatIpv4(r.visibleAddress('a1', 'relay'))).toBe('203.0.113.2')
    expect(formatIpv4(r.visibleAddress('a1', 'a2'))).toBe('10.1.0.10')
    expect(formatIpv4(r.visibleAddress('c1', 'relay'))).toBe('10.3.0.10')
  })

  it('bootstrap peers: only the reachable ones', () => {
    expect(r.bootstrapPeers('a1').map(n => n.name)).toEqual(['relay'])
    expect(r.bootstrapPeers('relay')).toEqual([])
    expect(r.bootstrapPeers('lonely')).toEqual([])
  })

  it('partition blocks carry NAT addresses; cutting one node of a shared NAT is refused', () => {
    const ok = new Routing(
      topology([{ name: 'p', groups: [['relay'], ['a1', 'a2']], fromSeconds: 1, untilSeconds: 2 }])
    )
    const blocks = ok.partitionBlocks(0)
    expect((blocks.get('relay') as number[]).map(formatIpv4)).toEqual(['10.1.0.10', '10.1.0.11', '203.0.113.2'])
    expect((blocks.get('a1') as number[]).map(formatIpv4)).toEqual(['203.0.113.10'])
    const bad = new Routing(topology([{ name: 'p', groups: [['relay'], ['a1']], fromSeconds: 1, untilSeconds: 2 }]))
    expect(() => bad.partitionBlocks(0)).toThrow(TopologyError)
    expect(() => bad.partitionBlocks(0)).toThrow(/a1" and "a2" both appear to "relay" as 203.0.113.2/)
  })
})

describe('the network plan', () => {
  const plan = planNetwork(
    topology([{ name: 'p', groups: [['relay'], ['c1']], fromSeconds: 1, untilSeconds: 2 }]),
    'ab12cd'
  )
  const all = plan.setup.map(c => c.argv.join(' '))

  it('names every namespace with the run prefix', () => {
    expect(plan.prefix).toBe('l2l-ab12cd-')
    expect(plan.namespaces.map(n => n.name)).toContain('l2l-ab12cd-n-relay')
    expect(plan.namespaces.map(n => n.name)).toContain('l2l-ab12cd-r-nat-a')
    expect(plan.namespaces.map(n => n.name)).toContain('l2l-ab12cd-s-internet')
    expect(plan.namespaces.every(n => n.name.startsWith('l2l-ab12cd-'))).toBe(true)
  })

  it('creates every link inside lab namespaces, with prefixed names of at most 15 characters', () => {
    const adds = plan.setup.filter(c => c.argv[1] === 'link' && c.argv[2] === 'add')
    expect(adds.length).toBe(6 + 3 * 2) // one per node, two per router
    for (const c of adds) {
      const a = c.argv
      expect(a[3]?.startsWith(linkNames('ab12cd').prefix)).toBe(true)
      expect((a[3] as string).length).toBeLessThanOrEqual(15)
      expect(a[4]).toBe('netns')
      expect(a[5]?.startsWith('l2l-ab12cd-')).toBe(true)
      expect(a.slice(-2)[0]).toBe('netns')
      expect(a.at(-1)?.startsWith('l2l-ab12cd-s-')).toBe(true)
    }
    // Every other ip command works inside a lab namespace.
    for (const c of plan.setup.filter(c => !(c.argv[1] === 'link' && c.argv[2] === 'add')))
      expect(c.argv.join(' ')).toMatch(/ (-n|netns add|netns exec) l2l-ab12cd-/)
  })

  it('turns on forwarding only in routers, disables IPv6 everywhere, never adds a default route', () => {
    expect(all.filter(c => c.includes('ip_forward=1')).every(c => c.includes('-r-'))).toBe(true)
    expect(all.filter(c => c.includes('ip_forward=1'))).toHaveLength(3)
    expect(all.filter(c => c.includes('disable_ipv6=1'))).toHaveLength(plan.namespaces.length)
    expect(all.some(c => / route add (default|0\.0\.0\.0)/.test(c))).toBe(false)
  })

  it('guards every node and router namespace; NAT, loss and partition rules where they belong', () => {
    const nft = (ns: string): string => plan.setup.find(c => c.argv.includes(ns) && c.argv.includes('nft'))?.stdin ?? ''
    expect(plan.guarded).toHaveLength(6 + 3)
    for (const ns of plan.guarded) {
      expect(nft(ns)).toContain('elements = { 203.0.113.0/24, 10.1.0.0/24, 10.2.0.0/24, 10.3.0.0/24, 192.0.2.0/24 }')
      expect(nft(ns)).toContain('ip daddr != @lab_nets counter name "guard_drops" drop')
    }
    expect(nft('l2l-ab12cd-r-nat-a')).toContain('masquerade')
    expect(nft('l2l-ab12cd-r-gw-c')).not.toContain('masquerade')
    // The relay's link: the internet's 5 %; c1 overrides site-c's 20 % with 0; gw-c has both.
    expect(nft('l2l-ab12cd-n-relay')).toContain('numgen random mod 100 < 5 drop')
    expect(nft('l2l-ab12cd-n-c1')).not.toContain('numgen')
    expect(nft('l2l-ab12cd-r-gw-c')).toContain('"l2lab12cdu" numgen random mod 100 < 5 drop')
    expect(nft('l2l-ab12cd-r-gw-c')).toContain('"l2lab12cds" numgen random mod 100 < 20 drop')
    expect(nft('l2l-ab12cd-n-relay')).toContain('ip daddr @cut_0 drop')
    expect(nft('l2l-ab12cd-n-a1')).not.toContain('cut_0')
    const [p] = plan.partitions
    expect(p?.split.map(c => c.argv.join(' '))).toEqual([
      'ip netns exec l2l-ab12cd-n-relay nft add element inet l2l cut_0 { 10.3.0.10 }',
      'ip netns exec l2l-ab12cd-n-c1 nft add element inet l2l cut_0 { 203.0.113.10 }'
    ])
    expect(p?.heal.map(c => c.argv.at(-1))).toEqual(['cut_0', 'cut_0'])
  })
})
