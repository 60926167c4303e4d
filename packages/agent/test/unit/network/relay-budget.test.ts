import { MAX_CONTROL_MESSAGE_BYTES, MIN_CHUNK_BYTES } from '@l2d2c/protocol'
import { describe, expect, it } from 'vitest'
import {
  encodingsOverRelay,
  fetchWireBound,
  fitsLimits,
  limitedWireBytes,
  QUERY_WIRE_BOUND,
  RELAY_BUDGET
} from '../../../src/network/relay-budget.js'

// The CT-graph network's BITS mask, and what a relay's default data limit leaves once the
// handshake and identify crossed the connection (about 8 kB of its 128 KiB).
const BITS = 13_866
const FRESH = { bytes: 123_000n, seconds: 118 }

describe('relay budget', () => {
  it('counts each frame with its yamux and noise overhead, and each stream once', () => {
    expect(limitedWireBytes([])).toBe(RELAY_BUDGET.perStreamBytes)
    expect(limitedWireBytes([100, 200])).toBe(RELAY_BUDGET.perStreamBytes + 300 + 2 * RELAY_BUDGET.perFrameBytes)
    // a frame longer than one noise message pays for every further message
    expect(limitedWireBytes([70_000]) - limitedWireBytes([60_000])).toBe(
      10_000 + RELAY_BUDGET.noiseMessageOverheadBytes
    )
  })

  it('bounds a fetch by the request, the header and the mask in the smallest chunks a holder may use', () => {
    const chunks = Math.ceil(BITS / MIN_CHUNK_BYTES)
    const bound = fetchWireBound(BITS)
    expect(bound).toBeGreaterThan(BITS + 2 * MAX_CONTROL_MESSAGE_BYTES + chunks * 64)
    expect(bound).toBeLessThan(BITS + 2 * MAX_CONTROL_MESSAGE_BYTES + chunks * 128 + RELAY_BUDGET.perStreamBytes)
    expect(QUERY_WIRE_BOUND).toBe(limitedWireBytes([MAX_CONTROL_MESSAGE_BYTES, MAX_CONTROL_MESSAGE_BYTES]))
  })

  it('lets a transfer through only with the reserve left over and time to finish', () => {
    expect(fitsLimits(FRESH, fetchWireBound(BITS))).toEqual({ fits: true })
    expect(fitsLimits({}, 10_000_000)).toEqual({ fits: true }) // no limit known: nothing to keep
    const exact = BigInt(fetchWireBound(BITS) + RELAY_BUDGET.reserveBytes)
    expect(fitsLimits({ bytes: exact }, fetchWireBound(BITS)).fits).toBe(true)
    const short = fitsLimits({ bytes: exact - 1n }, fetchWireBound(BITS))
    expect(short.fits).toBe(false)
    expect(!short.fits && short.reason).toBe(
      `the relayed connection has ${exact - 1n} bytes left of its relay's data limit; this needs ${fetchWireBound(BITS)} plus a 16384-byte reserve`
    )
    const late = fitsLimits({ bytes: FRESH.bytes, seconds: 9 }, 100)
    expect(!late.fits && late.reason).toMatch(/closes in 9 s \(its relay's duration limit\); a transfer needs 10 s/)
  })

  it('asks a relayed holder only for compact encodings that fit, in the fetcher order', () => {
    const bound = (e: string): number => (e === 'f32' ? 32 * BITS : e === 'f16' ? 16 * BITS : BITS)
    expect(encodingsOverRelay(FRESH, ['delta', 'bits'], bound)).toEqual({ accept: ['delta', 'bits'], reason: null })
    // F16/F32 never go over a relay, even where one would fit
    expect(encodingsOverRelay({}, ['f16'], () => 100)).toEqual({
      accept: [],
      reason:
        'f16 is not sent over a relayed connection (only delta and bits): waiting for a direct connection or another provider'
    })
    expect(encodingsOverRelay(FRESH, ['f32', 'bits'], bound).accept).toEqual(['bits'])
    // a relay with 20 kB left: a 14 kB mask plus the reserve does not fit, and the reason says so
    const spent = encodingsOverRelay({ bytes: 20_000n }, ['delta', 'bits'], bound)
    expect(spent.accept).toEqual([])
    expect(spent.reason).toMatch(/^delta: the relayed connection has 20000 bytes left.*; bits: .*another provider$/)
    // ... but a smaller DELTA bound fits where BITS does not
    const deltaOnly = encodingsOverRelay({ bytes: 30_000n }, ['delta', 'bits'], e => (e === 'delta' ? 4_000 : BITS))
    expect(deltaOnly.accept).toEqual(['delta'])
  })
})
