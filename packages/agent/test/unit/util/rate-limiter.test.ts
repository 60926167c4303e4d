import { describe, expect, it } from 'vitest'
import { PeerRateLimiter, TokenBucket } from '../../../src/util/rate-limiter.js'

describe('token bucket', () => {
  it('allows a burst, then the sustained rate', () => {
    const b = new TokenBucket({ burst: 3, perSecond: 2 }, 0)
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false])
    expect(b.take(499)).toBe(false) // 0.998 tokens
    expect(b.take(500)).toBe(true)
    expect(b.take(10_000)).toBe(true) // refilled, but never above the burst
    expect([b.take(10_000), b.take(10_000), b.take(10_000)]).toEqual([true, true, false])
  })

  it('charges a cost, and refuses without taking when short', () => {
    const b = new TokenBucket({ burst: 10, perSecond: 1 }, 0)
    expect(b.take(0, 8)).toBe(true)
    expect(b.take(0, 3)).toBe(false)
    expect(b.take(0, 2)).toBe(true)
  })

  it('a clock that goes back refills nothing', () => {
    const b = new TokenBucket({ burst: 1, perSecond: 1 }, 5_000)
    expect(b.take(5_000)).toBe(true)
    expect(b.take(1_000)).toBe(false)
    expect(b.take(5_500)).toBe(false) // time is measured from the latest clock seen
    expect(b.take(6_000)).toBe(true)
  })
})

describe('per-peer rate limiter', () => {
  it('keeps one bucket per peer and counts refusals', () => {
    const l = new PeerRateLimiter({ burst: 2, perSecond: 1 }, 10)
    expect([l.take('a', 0), l.take('a', 0), l.take('a', 0)]).toEqual([true, true, false])
    expect(l.take('b', 0)).toBe(true) // another peer is not affected
    expect(l.refused).toBe(1)
  })

  it('holds at most maxKeys buckets, dropping the least recently used', () => {
    const l = new PeerRateLimiter({ burst: 1, perSecond: 0.001 }, 2)
    expect(l.take('a', 0)).toBe(true)
    expect(l.take('b', 0)).toBe(true)
    expect(l.take('a', 0)).toBe(false) // a is now the most recently used
    expect(l.take('c', 0)).toBe(true) // b goes
    expect(l.size).toBe(2)
    expect(l.take('a', 0)).toBe(false) // a's bucket was kept (still empty)
    expect(l.take('b', 0)).toBe(true) // b starts afresh
  })

  it('refuses a limit that allows nothing', () => {
    expect(() => new PeerRateLimiter({ burst: 0, perSecond: 1 }, 1)).toThrow('burst')
    expect(() => new PeerRateLimiter({ burst: 1, perSecond: 0 }, 1)).toThrow('perSecond')
    expect(() => new PeerRateLimiter({ burst: 1, perSecond: 1 }, 0)).toThrow('maxKeys')
  })
})
