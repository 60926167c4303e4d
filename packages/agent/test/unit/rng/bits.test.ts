import { describe, expect, it } from 'vitest'
import { maskAtLeast } from '../../../src/rng/bits.js'

/** The definition, by doubling: the smallest 2^k - 1 that is >= max. */
function byDoubling(max: number): number {
  let mask = 0
  while (mask < max) mask = mask * 2 + 1
  return mask
}

describe('maskAtLeast (numpy masked-rejection mask)', () => {
  it('is the smallest 2^k - 1 >= max around every power of two up to 2^53', () => {
    const cases = [0, 1, 2, 3, 4, 254, 255, 256, 0xffffffff, Number.MAX_SAFE_INTEGER]
    for (let k = 1; k <= 53; k++) cases.push(2 ** k - 1, 2 ** k, 2 ** k + 1)
    for (const max of cases.filter(m => m <= Number.MAX_SAFE_INTEGER)) {
      expect(maskAtLeast(max), String(max)).toBe(byDoubling(max))
    }
  })

  it('matches the definition on numbers spread over 32 and 53 bits', () => {
    // A fixed multiplicative walk: covers many bit patterns without a random source.
    let x = 1
    for (let i = 0; i < 500; i++) {
      x = (x * 48271) % 2147483647
      const max32 = (x * 2) >>> 0
      const max53 = x * 4194304 + (x % 4194304)
      expect(maskAtLeast(max32)).toBe(byDoubling(max32))
      expect(maskAtLeast(max53)).toBe(byDoubling(max53))
    }
  })
})
