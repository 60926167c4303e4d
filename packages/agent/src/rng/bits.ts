/**
 * The smallest 2^k - 1 that is >= max, for 0 <= max <= 2^53 - 1: the mask of numpy's masked
 * rejection sampling (`random_interval`, legacy `randint`), which both MT19937 and PCG64 use.
 * Within 32 bits it smears the highest set bit down; above, the low word is all ones and the
 * high word is smeared the same way (max <= 2^53 - 1 keeps the result exact as a double).
 */
export function maskAtLeast(max: number): number {
  if (max <= 0xffffffff) {
    let mask = max
    mask |= mask >>> 1
    mask |= mask >>> 2
    mask |= mask >>> 4
    mask |= mask >>> 8
    mask |= mask >>> 16
    return mask >>> 0
  }
  return maskAtLeast(Math.floor(max / 0x100000000)) * 0x100000000 + 0xffffffff
}
