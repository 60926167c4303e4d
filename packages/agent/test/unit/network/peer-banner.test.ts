import type { Connection } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { silentLogger } from '../../../src/logging/logger.js'
import { BanBook } from '../../../src/network/ban-book.js'
import { PeerBannedError, PeerBanner } from '../../../src/network/peer-banner.js'

/** A connection as the banner sees it: its peer, its remote address, and abort. */
function fakeConnection(peer: string, remote: string): Connection & { aborted: Error | null } {
  const c = {
    remotePeer: { toString: () => peer },
    remoteAddr: multiaddr(remote),
    aborted: null as Error | null,
    abort(err: Error) {
      c.aborted = err
    }
  }
  return c as unknown as Connection & { aborted: Error | null }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('PeerBanner', () => {
  const setup = (conns: Connection[], scores: Record<string, number> = {}) => {
    const book = new BanBook({ ipAfterPeers: 2 })
    let now = 1000
    const banner = new PeerBanner({
      connections: () => conns,
      score: p => scores[p] ?? 0,
      bans: book,
      trusted: p => p === 'BOOT',
      logger: silentLogger,
      now: () => now
    })
    return { book, banner, advance: (ms: number) => (now += ms) }
  }

  it('aborts every connection of a banned peer, and of untrusted peers on an address its ban tips over', () => {
    const a1 = fakeConnection('A', '/ip4/203.0.113.7/tcp/1')
    const a2 = fakeConnection('A', '/ip4/127.0.0.1/tcp/2')
    const b = fakeConnection('B', '/ip4/203.0.113.7/tcp/3')
    const c = fakeConnection('C', '/ip4/203.0.113.7/tcp/4')
    const boot = fakeConnection('BOOT', '/ip4/203.0.113.7/tcp/5')
    const relayed = fakeConnection('R', '/ip4/198.51.100.1/tcp/1/p2p-circuit')
    const { book, banner } = setup([a1, a2, b, c, boot, relayed])
    const first = banner.ban('A', 'announcement-flood')
    // Loopback is never an address to ban.
    expect(first?.record.ips).toEqual(['203.0.113.7'])
    expect(first?.ipsBanned).toEqual([])
    expect(a1.aborted).toBeInstanceOf(PeerBannedError)
    expect(a2.aborted).toBeInstanceOf(PeerBannedError)
    expect(b.aborted).toBeNull()
    expect(banner.banned('A')).toBe(true)
    // A second peer on the address: the address is banned, and its other untrusted peers cut.
    expect(banner.ban('B', 'gossip-graylist')?.ipsBanned).toEqual(['203.0.113.7'])
    expect(c.aborted).toBeInstanceOf(PeerBannedError)
    expect(boot.aborted).toBeNull()
    expect(relayed.aborted).toBeNull()
    expect(book.bansTotal).toBe(2)
    // Once: a ban in force is not made (nor logged) again.
    expect(banner.ban('A', 'gossip-graylist')).toBeNull()
    expect(book.bansTotal).toBe(2)
  })

  it('never bans a trusted peer', () => {
    const boot = fakeConnection('BOOT', '/ip4/203.0.113.7/tcp/5')
    const { book, banner } = setup([boot])
    expect(banner.ban('BOOT', 'announcement-flood')).toBeNull()
    expect(boot.aborted).toBeNull()
    expect(book.activeCount(0)).toBe(0)
    expect(banner.spared).toBe(1)
  })

  it('bans connected peers that gossipsub graylists, once a watch interval has passed', () => {
    vi.useFakeTimers()
    const bad = fakeConnection('BAD', '/ip4/203.0.113.7/tcp/1')
    const meh = fakeConnection('MEH', '/ip4/203.0.113.8/tcp/1')
    const boot = fakeConnection('BOOT', '/ip4/203.0.113.9/tcp/1')
    const { banner } = setup([bad, meh, boot], { BAD: -81, MEH: -79, BOOT: -500 })
    banner.start()
    expect(bad.aborted).toBeNull()
    vi.advanceTimersByTime(1000)
    expect(banner.book.active(1000).map(r => [r.peer, r.reason])).toEqual([['BAD', 'gossip-graylist']])
    expect(bad.aborted).toBeInstanceOf(PeerBannedError)
    expect(meh.aborted).toBeNull()
    expect(boot.aborted).toBeNull()
    banner.stop()
  })
})
