import { describe, expect, it } from 'vitest'
import { judgeReachability, unreachableAdvice, type OwnAddress } from '../../../src/network/reachability.js'

const addr = (address: string, verified = true, type = 'transport'): OwnAddress => ({ address, verified, type })

describe('judgeReachability', () => {
  it('public: a verified address in a public range, with how it was confirmed', () => {
    const v = judgeReachability({
      addresses: [addr('/ip4/10.1.0.10/tcp/4001'), addr('/ip4/198.18.7.1/tcp/4001', true, 'observed')],
      relayAddrs: [],
      publicInbound: null
    })
    expect(v.reachability).toBe('public')
    expect(v.reason).toBe('/ip4/198.18.7.1/tcp/4001 is confirmed by AutoNAT')
    expect(v.behindNat).toBe(true)
  })

  it('an unconfirmed public address is not enough; a direct inbound connection from a public address is', () => {
    const unconfirmed = { addresses: [addr('/ip4/8.8.4.4/tcp/4001', false)], relayAddrs: [], publicInbound: null }
    expect(judgeReachability(unconfirmed).reachability).toBe('unknown')
    const dialled = { ...unconfirmed, publicInbound: '/ip4/203.0.113.2/tcp/5555' }
    expect(judgeReachability(dialled)).toMatchObject({
      reachability: 'public',
      reason: 'a peer at /ip4/203.0.113.2/tcp/5555 dialled this node directly'
    })
  })

  it('private: only private addresses (behind a NAT), with or without a relay; loopback only', () => {
    const natted = judgeReachability({
      addresses: [addr('/ip4/10.1.0.10/tcp/4001')],
      relayAddrs: [],
      publicInbound: null
    })
    expect(natted).toMatchObject({ reachability: 'private', behindNat: true })
    expect(natted.reason).toMatch(/only private addresses \(\/ip4\/10\.1\.0\.10\/tcp\/4001\)/)
    const relayed = judgeReachability({
      addresses: [addr('/ip4/192.168.1.5/tcp/4001')],
      relayAddrs: ['/ip4/203.0.113.10/tcp/4001/p2p/R/p2p-circuit/p2p/B'],
      publicInbound: null
    })
    expect(relayed.reachability).toBe('private')
    expect(relayed.reason).toMatch(/reachable only through relay \/ip4\/203\.0\.113\.10/)
    const loopback = judgeReachability({
      addresses: [addr('/ip4/127.0.0.1/tcp/4001')],
      relayAddrs: [],
      publicInbound: null
    })
    expect(loopback).toMatchObject({ reachability: 'private', behindNat: false })
  })
})

describe('unreachableAdvice', () => {
  it('a NATed node without a relay gets a warning with the fixes; with a relay, the consequence for masks', () => {
    const natted = judgeReachability({
      addresses: [addr('/ip4/10.1.0.10/tcp/4001')],
      relayAddrs: [],
      publicInbound: null
    })
    const advice = unreachableAdvice(natted, []) ?? ''
    expect(advice).toMatch(/nobody outside it can dial this node/)
    expect(advice).toMatch(/--announce \/ip4\/<public ip>\/tcp\/<port>/)
    expect(advice).toMatch(/--upnp/)
    expect(advice).toMatch(/--relay-server/)
    const withRelay = unreachableAdvice(natted, ['/ip4/203.0.113.10/tcp/1/p2p/R/p2p-circuit/p2p/B']) ?? ''
    expect(withRelay).toMatch(/masks cross only over direct connections/)
  })

  it('nothing to say for a public node or one on loopback', () => {
    const pub = judgeReachability({ addresses: [addr('/ip4/8.8.4.4/tcp/1')], relayAddrs: [], publicInbound: null })
    expect(unreachableAdvice(pub, [])).toBeNull()
    const lo = judgeReachability({ addresses: [addr('/ip4/127.0.0.1/tcp/1')], relayAddrs: [], publicInbound: null })
    expect(unreachableAdvice(lo, [])).toBeNull()
  })
})
