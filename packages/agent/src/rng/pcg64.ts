/**
 * numpy's `Generator(PCG64(SeedSequence(seed)))`, bit for bit, for the draws gym-minigrid 1.1.0
 * makes while generating a layout (docs/environments.md §3.6): raw 64/32-bit outputs, `shuffle`
 * (masked rejection), `integers` (Lemire) and `choice(range(lo, hi))`.
 *
 * The 128-bit LCG runs on BigInt. That is slow next to plain numbers, but the generator only
 * runs at layout generation (a few dozen draws per layout), never per env step.
 */
import { maskAtLeast } from './bits.js'
import { assertIntegerRange, RngArgumentError } from './errors.js'
import { SeedSequence } from './seed-sequence.js'

const MASK64 = (1n << 64n) - 1n
const MASK128 = (1n << 128n) - 1n
const PCG_MULTIPLIER = 0x2360ed051fc65da44385df649fccf645n
const TWO32 = 0x100000000
const MAX_U32 = 0xffffffff

export class Pcg64 {
  private state = 0n
  private readonly increment: bigint
  // numpy hands out the high half of a 64-bit output on the next 32-bit request.
  private hasBufferedUint32 = false
  private bufferedUint32 = 0

  /** Seeds like numpy's `PCG64(seed_seq)`: four uint64 state words from the seed sequence. */
  constructor(seedSequence: SeedSequence) {
    const [s0 = 0n, s1 = 0n, i0 = 0n, i1 = 0n] = seedSequence.generateState64(4)
    const initState = (s0 << 64n) | s1
    this.increment = ((((i0 << 64n) | i1) << 1n) | 1n) & MASK128
    this.advance()
    this.state = (this.state + initState) & MASK128
    this.advance()
  }

  /** `numpy.random.Generator(PCG64(SeedSequence(seed)))`, i.e. what gym 0.24's `reset(seed=s)` creates. */
  static fromSeed(seed: number | bigint): Pcg64 {
    return new Pcg64(new SeedSequence(seed))
  }

  private advance(): void {
    this.state = (this.state * PCG_MULTIPLIER + this.increment) & MASK128
  }

  /** Next raw 64-bit output (XSL-RR of the advanced state). */
  next64(): bigint {
    this.advance()
    const xored = ((this.state >> 64n) ^ this.state) & MASK64
    const rot = this.state >> 122n
    return ((xored >> rot) | (xored << ((64n - rot) & 63n))) & MASK64
  }

  /** Next raw 32-bit output: the low half of a fresh 64-bit output, or the buffered high half. */
  next32(): number {
    if (this.hasBufferedUint32) {
      this.hasBufferedUint32 = false
      return this.bufferedUint32
    }
    const next = this.next64()
    this.hasBufferedUint32 = true
    this.bufferedUint32 = Number(next >> 32n)
    return Number(next & 0xffffffffn)
  }

  /**
   * Uniform integer in [0, max] by masked rejection (numpy's `random_interval`, used by
   * `Generator.shuffle`).
   */
  interval(max: number): number {
    if (!Number.isSafeInteger(max) || max < 0)
      throw new RngArgumentError(`interval bound must be a non-negative safe integer, got ${max}`)
    if (max === 0) return 0
    if (max <= MAX_U32) {
      const mask = maskAtLeast(max)
      let value: number
      do value = (this.next32() & mask) >>> 0
      while (value > max)
      return value
    }
    const max64 = BigInt(max)
    const mask = BigInt(maskAtLeast(max))
    let value: bigint
    do value = this.next64() & mask
    while (value > max64)
    return Number(value)
  }

  /**
   * Uniform integer in [lo, hi), as `Generator.integers(lo, hi)` with the default int64 dtype:
   * Lemire's method on 32-bit draws for spans up to 2^32, on 64-bit draws above.
   */
  integers(lo: number, hi: number): number {
    assertIntegerRange('integers', lo, hi)
    return lo + this.boundedBelow(hi - lo)
  }

  /** `Generator.choice(range(lo, hi))`: numpy draws the index with `integers(0, hi - lo)`. */
  choiceRange(lo: number, hi: number): number {
    return this.integers(lo, hi)
  }

  /** In-place `Generator.shuffle` of an array (Fisher-Yates from the end, masked-rejection draws). */
  shuffle<T>(items: T[]): void {
    for (let i = items.length - 1; i >= 1; i--) {
      const j = this.interval(i)
      const tmp = items[i] as T
      items[i] = items[j] as T
      items[j] = tmp
    }
  }

  /** Uniform in [0, n) for 1 <= n <= 2^53, with numpy's special cases (no draw for n = 1, raw draws for full widths). */
  private boundedBelow(n: number): number {
    if (n === 1) return 0
    if (n < TWO32) return this.lemire32(n)
    // Lemire cannot express a full 32-bit range (rng_excl would wrap to 0): numpy draws raw.
    if (n === TWO32) return this.next32()
    return Number(this.lemire64(BigInt(n)))
  }

  private lemire32(n: number): number {
    const span = BigInt(n)
    let m = BigInt(this.next32()) * span
    let leftover = Number(m & 0xffffffffn)
    if (leftover < n) {
      const threshold = (TWO32 - n) % n
      while (leftover < threshold) {
        m = BigInt(this.next32()) * span
        leftover = Number(m & 0xffffffffn)
      }
    }
    return Number(m >> 32n)
  }

  private lemire64(span: bigint): bigint {
    let m = this.next64() * span
    let leftover = m & MASK64
    if (leftover < span) {
      const threshold = ((1n << 64n) - span) % span
      while (leftover < threshold) {
        m = this.next64() * span
        leftover = m & MASK64
      }
    }
    return m >> 64n
  }
}
