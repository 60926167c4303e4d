import { describe, expect, it } from 'vitest'
import { BanBook, DEFAULT_BAN_LIMITS } from '../../../src/network/ban-book.js'

const MIN = 60_000
const HOUR = 60 * MIN

describe('BanBook', () => {
  it('bans for a minute, and only once while the ban holds', () => {
    const book = new BanBook()
    const t = 1_000_000
    const first = book.ban('A', 'announcement-flood', [], t)
    expect(first?.record).toMatchObject({
      peer: 'A',
      reason: 'announcement-flood',
      since: t,
      until: t + MIN,
      strikes: 1
    })
    expect(book.banned('A', t + MIN - 1)).toBe(true)
    // Decided once: a second verdict during the ban changes nothing (and is not logged again).
    expect(book.ban('A', 'gossip-graylist', [], t + 10)).toBeNull()
    expect(book.bansTotal).toBe(1)
    expect(book.banned('A', t + MIN)).toBe(false)
    expect(book.banned('B', t)).toBe(false)
  })

  it('doubles the ban on each repeat up to an hour, and forgives after a day', () => {
    const book = new BanBook()
    let t = 0
    const durations: number[] = []
    for (let i = 0; i < 9; i++) {
      const r = book.ban('A', 'announcement-flood', [], t)!.record
      durations.push(r.until - r.since)
      t = r.until // banned again as soon as the ban ends
    }
    expect(durations).toEqual([1, 2, 4, 8, 16, 32, HOUR / MIN, HOUR / MIN, HOUR / MIN].map(m => m * MIN))
    expect(book.bansTotal).toBe(9)
    // Quiet for more than forgetAfterMs after its last ban: starts again from a minute.
    const later = t + DEFAULT_BAN_LIMITS.forgetAfterMs + 1
    expect(book.ban('A', 'announcement-flood', [], later)?.record).toMatchObject({ strikes: 1, until: later + MIN })
  })

  it('bans an address once enough distinct peers on it are banned, and only while their bans hold', () => {
    const book = new BanBook({ ipAfterPeers: 3 })
    expect(book.ban('A', 'announcement-flood', ['203.0.113.7'], 0)?.ipsBanned).toEqual([])
    // The same peer again (after its ban) does not count twice.
    expect(book.ban('A', 'announcement-flood', ['203.0.113.7'], MIN)?.ipsBanned).toEqual([])
    expect(book.ban('B', 'announcement-flood', ['203.0.113.7', '198.51.100.1'], MIN)?.ipsBanned).toEqual([])
    expect(book.ipBanned('203.0.113.7', MIN)).toBe(false)
    const c = book.ban('C', 'gossip-graylist', ['203.0.113.7'], MIN + 1)
    expect(c?.ipsBanned).toEqual(['203.0.113.7'])
    expect(book.ipBanned('203.0.113.7', MIN + 2)).toBe(true)
    expect(book.ipBanned('198.51.100.1', MIN + 2)).toBe(false)
    expect(book.ipBansTotal).toBe(1)
    // As long as the ban that tipped it (C's first: a minute).
    expect(book.ipBanned('203.0.113.7', 2 * MIN + 1)).toBe(false)
    expect(book.activeIps(MIN + 2)).toEqual([{ ip: '203.0.113.7', until: 2 * MIN + 1, peers: ['A', 'B', 'C'] }])
    // Peers whose bans ended long ago do not count towards a new address ban.
    const d = book.ban('D', 'announcement-flood', ['203.0.113.7'], 10 * HOUR)
    expect(d?.ipsBanned).toEqual([])
  })

  it('is bounded: the oldest peer and address records go first', () => {
    const book = new BanBook({ maxPeers: 4, maxIps: 2, ipAfterPeers: 1 })
    for (let i = 0; i < 10; i++) book.ban(`P${i}`, 'announcement-flood', [`10.0.0.${i}`], i)
    expect(book.activeCount(10)).toBe(4)
    expect(book.active(10).map(r => r.peer)).toEqual(['P9', 'P8', 'P7', 'P6'])
    expect(book.active(10, 2).map(r => r.peer)).toEqual(['P9', 'P8'])
    expect(book.banned('P0', 10)).toBe(false)
    expect(book.activeIps(10).map(b => b.ip)).toEqual(['10.0.0.9', '10.0.0.8'])
    // A forgotten peer banned again starts from strike 1.
    expect(book.ban('P0', 'announcement-flood', [], 11)?.record.strikes).toBe(1)
  })

  it('refuses limits that make no sense', () => {
    expect(() => new BanBook({ firstMs: 0 })).toThrow(RangeError)
    expect(() => new BanBook({ maxPeers: Number.NaN })).toThrow(/maxPeers/)
    expect(() => new BanBook({ firstMs: HOUR, maxMs: MIN })).toThrow(/maxMs/)
  })
})
