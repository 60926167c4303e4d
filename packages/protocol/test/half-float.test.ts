import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromHalfBits, toHalfBits } from '../src/index.js'

describe('binary16 conversion', () => {
  it('round-trips every finite half value exactly (all 63,488 of them, -0 normalised to +0)', () => {
    let checked = 0
    for (let h = 0; h < 65536; h++) {
      const v = fromHalfBits(h)
      if (!Number.isFinite(v)) continue
      expect(toHalfBits(v)).toBe(h === 0x8000 ? 0 : h)
      checked++
    }
    expect(checked).toBe(65536 - 2 * 1024) // every half with exponent 31 is Inf or NaN
  })

  it('rounds to nearest, ties to even, with known values', () => {
    expect(toHalfBits(1)).toBe(0x3c00)
    expect(toHalfBits(-2)).toBe(0xc000)
    expect(toHalfBits(65504)).toBe(0x7bff)
    expect(toHalfBits(1 + 2 ** -11)).toBe(0x3c00) // tie, even mantissa stays
    expect(toHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02) // tie, odd mantissa rounds up
    expect(toHalfBits(2 ** -24)).toBe(0x0001) // smallest subnormal
    expect(toHalfBits(0.1)).toBe(0x2e66)
  })

  it('saturates beyond the half range instead of producing infinity', () => {
    expect(toHalfBits(1e6)).toBe(0x7bff)
    expect(toHalfBits(-1e6)).toBe(0xfbff)
    expect(toHalfBits(65520)).toBe(0x7bff)
  })

  it('keeps the sign of the mask threshold: v >= 0 iff decoded >= 0, for any float32', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), v => {
        expect(fromHalfBits(toHalfBits(v)) >= 0).toBe(v >= 0)
      }),
      { numRuns: 5000 }
    )
    expect(fromHalfBits(toHalfBits(-1e-30))).toBeLessThan(0)
    expect(fromHalfBits(toHalfBits(1e-30))).toBe(0)
  })
})
