import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { classifyAddress, classifyIpv4, classifyIpv6, dialPolicy } from '../../../src/network/dial-policy.js'

describe('classifyIpv4', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['192.0.2.2', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['172.15.255.255', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['100.128.0.1', 'public'],
    ['169.254.1.1', 'link-local'],
    ['224.0.0.251', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['1.2.3', 'none'],
    ['1.2.3.256', 'none']
  ])('%s is %s', (ip, cls) => {
    expect(classifyIpv4(ip)).toBe(cls)
  })
})

describe('classifyIpv6', () => {
  it.each([
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fd00::5', 'private'],
    ['fc12:3456::1', 'private'],
    ['ff02::fb', 'reserved'],
    ['2001:4860:4860::8888', 'public'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:8.8.8.8', 'public'],
    ['1::2::3', 'none'],
    ['1:2:3:4:5:6:7:8:9', 'none'],
    ['gggg::1', 'none']
  ])('%s is %s', (ip, cls) => {
    expect(classifyIpv6(ip)).toBe(cls)
  })
})

describe('classifyAddress', () => {
  it.each([
    ['/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWBD1UpbFSGfb3jwDbcNszyiopZ44cfhcsSAxkpRCz4fgF', 'loopback'],
    ['/ip6/fe80::1/tcp/1', 'link-local'],
    ['/dns4/agent-1/tcp/4001', 'name'],
    ['/dns/localhost/tcp/4001', 'loopback'],
    [`/unix/${encodeURIComponent('/tmp/x.sock')}`, 'loopback'],
    ['/p2p/12D3KooWBD1UpbFSGfb3jwDbcNszyiopZ44cfhcsSAxkpRCz4fgF', 'none']
  ])('%s is %s', (a, cls) => {
    expect(classifyAddress(multiaddr(a))).toBe(cls)
  })
})

describe('dialPolicy', () => {
  const loopback = '/ip4/127.0.0.1/tcp/5/p2p/12D3KooWBD1UpbFSGfb3jwDbcNszyiopZ44cfhcsSAxkpRCz4fgF'
  const lan = '/ip4/192.168.1.20/tcp/4001'
  const linkLocal = '/ip4/169.254.3.3/tcp/4001'
  const publicAddr = '/ip4/8.8.4.4/tcp/4001'

  it('a node on a public address dials public addresses and names only', () => {
    const p = dialPolicy({ ownAddresses: ['/ip4/0.0.0.0/tcp/4001', '/ip4/8.8.8.8/tcp/4001'] })
    expect([...p.allowedLocal]).toEqual([])
    expect(p.mayDial(publicAddr)).toBe(true)
    expect(p.mayDial('/dns4/example.org/tcp/1')).toBe(true)
    for (const a of [loopback, lan, linkLocal, '/ip4/0.0.0.0/tcp/1', '/ip4/224.0.0.1/tcp/1', '/ip6/::1/tcp/1'])
      expect(p.mayDial(a), a).toBe(false)
  })

  it('a node configured on a range may dial that range, and only that one', () => {
    const local = dialPolicy({ ownAddresses: ['/ip4/127.0.0.1/tcp/0'] })
    expect(local.mayDial(loopback)).toBe(true)
    expect(local.mayDial(lan)).toBe(false)
    // 0.0.0.0 names no range: listening on every interface says nothing about where the node lives
    expect(dialPolicy({ ownAddresses: ['/ip4/0.0.0.0/tcp/4001'] }).mayDial(lan)).toBe(false)
    const viaBootstrap = dialPolicy({
      ownAddresses: [`${lan}/p2p/12D3KooWBD1UpbFSGfb3jwDbcNszyiopZ44cfhcsSAxkpRCz4fgF`]
    })
    expect(viaBootstrap.mayDial('/ip4/10.9.9.9/tcp/1')).toBe(true)
    expect(viaBootstrap.mayDial(loopback)).toBe(false)
  })

  it('mDNS allows the LAN ranges; allowPrivateDial allows every local range, never unspecified or multicast', () => {
    const m = dialPolicy({ ownAddresses: [], mdns: true })
    expect(m.mayDial(lan)).toBe(true)
    expect(m.mayDial(linkLocal)).toBe(true)
    expect(m.mayDial(loopback)).toBe(false)
    const all = dialPolicy({ ownAddresses: [], allowPrivateDial: true })
    for (const a of [loopback, lan, linkLocal]) expect(all.mayDial(a), a).toBe(true)
    expect(all.mayDial('/ip4/0.0.0.0/tcp/1')).toBe(false)
    expect(all.mayDial('/ip6/ff02::1/tcp/1')).toBe(false)
  })

  it('judges multiaddr objects as well as text, and an unparsable text as nothing to dial', () => {
    const p = dialPolicy({ ownAddresses: [] })
    expect(p.mayDial(multiaddr(lan))).toBe(false)
    expect(p.mayDial(multiaddr(publicAddr))).toBe(true)
    expect(p.mayDial('not a multiaddr')).toBe(true)
  })
})
