/**
 * numpy's legacy `RandomState` (MT19937), limited to the draws the reference environments make:
 * raw 32-bit words, bounded integers (`randint`) and uniform doubles (`rand`).
 *
 * Every algorithm below is the one numpy 1.23 uses for `RandomState`, so a port seeded like the
 * reference draws exactly the same numbers (docs/environments.md §2.4 "RNG building blocks"):
 *
 * - Seeding an integer seed s in [0, 2^32) is Matsumoto & Nishimura's `init_genrand(s)`:
 *   mt[0] = s, mt[i] = 1812433253 * (mt[i-1] ^ (mt[i-1] >>> 30)) + i  (mod 2^32), and the state
 *   position is set so that the first draw regenerates the whole 624-word block.
 * - `nextUint32` is the standard MT19937 generator: the block "twist" every 624 words, then the
 *   tempering shifts/masks of each word.
 * - `randint(low, high)` (high exclusive) is numpy's legacy masked rejection sampling for ranges
 *   of at most 2^32 values: with rng = high - low - 1, a range of size 1 (rng = 0) returns `low`
 *   WITHOUT consuming a draw; otherwise mask = the smallest 2^k - 1 >= rng, and it repeats
 *   `u = nextUint32() & mask` until u <= rng, returning low + u. Arrays drawn with `size=n`
 *   are n such draws in a row, which is why the scalar form is enough here.
 * - `rand()` is numpy's `random_sample`: a 53-bit double from two words,
 *   ((a >>> 5) * 2^26 + (b >>> 6)) / 2^53.
 */
import { maskAtLeast } from './bits.js'
import { assertIntegerRange, assertUint32, RngArgumentError } from './errors.js'

const N = 624
const M = 397
const MATRIX_A = 0x9908b0df
const UPPER_MASK = 0x80000000
const LOWER_MASK = 0x7fffffff
const TWO_POW_26 = 67108864
const TWO_POW_53 = 9007199254740992

export class MT19937 {
  private readonly state = new Uint32Array(N)
  private position = N

  constructor(seed: number) {
    this.seed(seed)
  }

  /** Re-seeds in place, like `RandomState.seed(seed)` with an integer seed. */
  seed(seed: number): void {
    const mt = this.state
    mt[0] = assertUint32('MT19937 seed', seed)
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] as number
      // Math.imul keeps the product exact modulo 2^32 (a plain * would lose low bits as a double).
      mt[i] = (Math.imul(1812433253, (prev ^ (prev >>> 30)) >>> 0) + i) >>> 0
    }
    this.position = N
  }

  /** The next raw 32-bit output, as an unsigned integer. */
  nextUint32(): number {
    if (this.position >= N) this.twist()
    let y = this.state[this.position++] as number
    y ^= y >>> 11
    y ^= (y << 7) & 0x9d2c5680
    y ^= (y << 15) & 0xefc60000
    y ^= y >>> 18
    return y >>> 0
  }

  /**
   * A uniform integer in [low, high), numpy legacy `randint(low, high)` for ranges below 2^32.
   * A range of one value returns it without a draw: the reference relies on this
   * (`randint(0, 1)` for "no noise" must leave the stream untouched).
   */
  randint(low: number, high: number): number {
    assertIntegerRange('randint', low, high)
    const rng = high - low - 1
    if (rng === 0) return low
    // numpy takes a whole word for exactly 2^32 values and switches to 64-bit draws above.
    if (rng === 0xffffffff) return low + this.nextUint32()
    if (rng > 0xffffffff) throw new RngArgumentError(`randint range [${low}, ${high}) exceeds 2^32 values`)
    const mask = maskAtLeast(rng)
    let u: number
    do {
      u = (this.nextUint32() & mask) >>> 0
    } while (u > rng)
    return low + u
  }

  /** A uniform double in [0, 1) with 53 random bits (numpy `rand()` / `random_sample()`). */
  rand(): number {
    const a = this.nextUint32() >>> 5
    const b = this.nextUint32() >>> 6
    return (a * TWO_POW_26 + b) / TWO_POW_53
  }

  /** Regenerates the 624-word block (the MT19937 recurrence). */
  private twist(): void {
    const mt = this.state
    let kk = 0
    for (; kk < N - M; kk++) {
      const y = ((mt[kk] as number) & UPPER_MASK) | ((mt[kk + 1] as number) & LOWER_MASK)
      mt[kk] = (mt[kk + M] as number) ^ (y >>> 1) ^ ((y & 1) === 0 ? 0 : MATRIX_A)
    }
    for (; kk < N - 1; kk++) {
      const y = ((mt[kk] as number) & UPPER_MASK) | ((mt[kk + 1] as number) & LOWER_MASK)
      mt[kk] = (mt[kk + M - N] as number) ^ (y >>> 1) ^ ((y & 1) === 0 ? 0 : MATRIX_A)
    }
    const y = ((mt[N - 1] as number) & UPPER_MASK) | ((mt[0] as number) & LOWER_MASK)
    mt[N - 1] = (mt[M - 1] as number) ^ (y >>> 1) ^ ((y & 1) === 0 ? 0 : MATRIX_A)
    this.position = 0
  }
}
