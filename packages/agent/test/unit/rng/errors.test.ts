import { describe, expect, it } from 'vitest'
import { assertIntegerRange, assertUint32, isUint32, RngArgumentError } from '../../../src/rng/errors.js'

describe('RNG argument checks', () => {
  it('isUint32 accepts exactly the integers in [0, 2^32)', () => {
    for (const n of [0, 1, 9157, 0xffffffff]) expect(isUint32(n), String(n)).toBe(true)
    for (const n of [-1, 2 ** 32, 1.5, Number.NaN, Infinity, '1', 1n, null]) expect(isUint32(n), String(n)).toBe(false)
  })

  it('assertUint32 returns the value or throws RngArgumentError naming the argument', () => {
    expect(assertUint32('seed', 7)).toBe(7)
    expect(() => assertUint32('image seed', -1)).toThrow(RngArgumentError)
    expect(() => assertUint32('image seed', -1)).toThrow(/image seed must be an integer in \[0, 2\^32\), got -1/)
  })

  it('assertIntegerRange needs safe integers with low < high', () => {
    expect(() => assertIntegerRange('randint', 0, 1)).not.toThrow()
    expect(() => assertIntegerRange('randint', 2, 2)).toThrow(/randint needs low < high/)
    expect(() => assertIntegerRange('integers', 0, 2 ** 53)).toThrow(/integers bounds must be safe integers/)
    expect(new RngArgumentError('x')).toBeInstanceOf(RangeError)
  })
})
