import { describe, expect, it } from 'vitest'
import { percentile, Traffic } from '../../../../src/network/mask-exchange/traffic.js'

describe('traffic counters', () => {
  it('counts bytes and messages per protocol and direction, and latency percentiles', () => {
    const t = new Traffic()
    t.sent('mask', 100)
    t.sent('mask', 50)
    t.received('query', 7)
    for (let i = 1; i <= 100; i++) t.latency('op', i)
    const s = t.snapshot()
    expect(s.bytes.mask).toEqual({ sent: 150, received: 0 })
    expect(s.messages.mask.sent).toBe(2)
    expect(s.bytes.query.received).toBe(7)
    expect(s.latencies.op).toEqual({ count: 100, p50: 50, p99: 99 })
    expect(percentile([], 0.5)).toBeNull()
  })
})
