/**
 * The learner's PRNG: xoshiro128** (Blackman & Vigna, 2018), 128-bit state, 32-bit outputs.
 * Fast in JavaScript (only 32-bit integer ops and Math.imul) and simple to re-implement in any
 * language, which matters because the fixed backbone and every task's initial mask scores are
 * derived from it and must be identical on every node.
 *
 * Seeding (algorithm id `PRNG_ID`): a stream is named by a seed (non-negative safe integer) and
 * a label (any string; '' for the plain seed).
 *   1. key  = FNV-1a-64 over the bytes: seed as 8-byte little-endian unsigned integer, then the
 *             UTF-8 bytes of the label (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
 *   2. z1, z2 = the first two outputs of splitmix64 started from state `key`
 *             (state += 0x9e3779b97f4a7c15; z = state; z = (z ^ z>>30)·0xbf58476d1ce4e5b9;
 *              z = (z ^ z>>27)·0x94d049bb133111eb; z ^= z>>31; all mod 2^64).
 *   3. xoshiro128** state words s0..s3 = low 32 bits of z1, high 32 bits of z1, low of z2, high of z2
 *      (an all-zero state, which xoshiro cannot leave, is replaced by s0 = 1; it does not occur in practice).
 * Streams with different (seed, label) are statistically independent for our purposes; labels are
 * path-like by convention, e.g. `backbone/body.0` or `scores/<backboneId>/<taskKey>/<layer>`.
 *
 * Floats: `nextFloat()` = u32 · 2^-32, in [0, 1) with 32-bit resolution.
 * Integers: `nextInt(n)` = floor(u32 · n / 2^32), bias at most n / 2^32 (negligible for our n).
 */
import { RngArgumentError } from './errors.js'

export const PRNG_ID = 'xoshiro128**/fnv1a64-splitmix64/v1'

const MASK64 = (1n << 64n) - 1n
const FNV64_OFFSET = 0xcbf29ce484222325n
const FNV64_PRIME = 0x100000001b3n
const TWO_POW_MINUS_32 = 1 / 4294967296

/** A bad seed or state for the PRNG; an RngArgumentError like every RNG argument error. */
export class PrngSeedError extends RngArgumentError {
  constructor(message: string) {
    super(message)
    this.name = 'PrngSeedError'
  }
}

/** FNV-1a, 64-bit, over a byte sequence; returns an unsigned BigInt < 2^64. */
export function fnv1a64(bytes: Uint8Array, start: bigint = FNV64_OFFSET): bigint {
  let h = start
  for (const b of bytes) {
    h ^= BigInt(b)
    h = (h * FNV64_PRIME) & MASK64
  }
  return h
}

/** The first `count` outputs of splitmix64 started from `state` (unsigned BigInts < 2^64). */
export function splitmix64(state: bigint, count: number): bigint[] {
  const out: bigint[] = []
  let s = state & MASK64
  for (let i = 0; i < count; i++) {
    s = (s + 0x9e3779b97f4a7c15n) & MASK64
    let z = s
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64
    out.push(z ^ (z >> 31n))
  }
  return out
}

const utf8 = new TextEncoder()

function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new PrngSeedError(`seed must be a non-negative safe integer, got ${seed}`)
}

/** The 4-word xoshiro128** state for stream (seed, label), per the seeding rule above. */
export function streamState(seed: number, label = ''): Uint32Array {
  checkSeed(seed)
  const seedBytes = new Uint8Array(8)
  new DataView(seedBytes.buffer).setBigUint64(0, BigInt(seed), true)
  const key = fnv1a64(utf8.encode(label), fnv1a64(seedBytes))
  const [z1, z2] = splitmix64(key, 2) as [bigint, bigint]
  const s = Uint32Array.of(Number(z1 & 0xffffffffn), Number(z1 >> 32n), Number(z2 & 0xffffffffn), Number(z2 >> 32n))
  if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1
  return s
}

export class Prng {
  private s0: number
  private s1: number
  private s2: number
  private s3: number

  /** Prefer `createPrng` / `deriveStream`; this takes a raw 4-word state (not all zero). */
  constructor(state: Uint32Array) {
    if (state.length !== 4) throw new PrngSeedError('xoshiro128** state must have 4 words')
    if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0)
      throw new PrngSeedError('xoshiro128** state must not be all zero')
    this.s0 = state[0]! | 0
    this.s1 = state[1]! | 0
    this.s2 = state[2]! | 0
    this.s3 = state[3]! | 0
  }

  /** Next 32-bit unsigned output. */
  nextUint32(): number {
    const s1 = this.s1
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9)
    const t = s1 << 9
    this.s2 ^= this.s0
    this.s3 ^= s1
    this.s1 ^= this.s2
    this.s0 ^= this.s3
    this.s2 ^= t
    this.s3 = rotl(this.s3, 11)
    return r >>> 0
  }

  /** Uniform in [0, 1). */
  nextFloat(): number {
    return this.nextUint32() * TWO_POW_MINUS_32
  }

  /** Uniform integer in [0, n), for 0 < n <= 2^32. */
  nextInt(n: number): number {
    return Math.floor(this.nextUint32() * TWO_POW_MINUS_32 * n)
  }

  /** A copy of the current state (for checkpoints); `new Prng(state)` resumes the sequence. */
  state(): Uint32Array {
    return Uint32Array.of(this.s0, this.s1, this.s2, this.s3)
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k))
}

/** The generator for a plain seed (the stream with label ''). */
export function createPrng(seed: number): Prng {
  return new Prng(streamState(seed, ''))
}

/** An independent generator for the stream named (seed, label). */
export function deriveStream(seed: number, label: string): Prng {
  return new Prng(streamState(seed, label))
}
