/**
 * numpy's `SeedSequence` (numpy/random/bit_generator.pyx), restricted to what gym 0.24 uses:
 * a single non-negative integer entropy, no spawn key, pool size 4. Reproducing it exactly is
 * what lets a MiniGrid layout seed give the same layout here as in the reference
 * (docs/environments.md §3.6).
 */

import { RngArgumentError } from './errors.js'

const POOL_SIZE = 4
const INIT_A = 0x43b0d7e5
const MULT_A = 0x931e8875
const INIT_B = 0x8b51f9dd
const MULT_B = 0x58f38ded
const MIX_MULT_L = 0xca01f9dd
const MIX_MULT_R = 0x4973f715
const XSHIFT = 16

/** Accepts what numpy accepts as integer entropy here: a non-negative safe integer or bigint. */
export function assertSeed(seed: number | bigint): void {
  if (typeof seed === 'bigint') {
    if (seed < 0n) throw new RngArgumentError(`seed must be non-negative, got ${seed}`)
    return
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RngArgumentError(`seed must be a non-negative safe integer or a bigint, got ${seed}`)
  }
}

/** Little-endian 32-bit words of the seed; zero is the single word [0] (numpy's `_int_to_uint32_array`). */
function seedWords(seed: number | bigint): number[] {
  let rest = BigInt(seed)
  if (rest === 0n) return [0]
  const words: number[] = []
  while (rest > 0n) {
    words.push(Number(rest & 0xffffffffn))
    rest >>= 32n
  }
  return words
}

function mix(x: number, y: number): number {
  let result = (Math.imul(MIX_MULT_L, x) - Math.imul(MIX_MULT_R, y)) >>> 0
  result = (result ^ (result >>> XSHIFT)) >>> 0
  return result
}

export class SeedSequence {
  /** The mixed entropy pool (4 uint32 words). */
  private readonly pool = new Uint32Array(POOL_SIZE)

  constructor(seed: number | bigint) {
    assertSeed(seed)
    const entropy = seedWords(seed)
    // The hash constant is threaded through every hashmix call, in call order.
    let hashConst = INIT_A
    const hashmix = (value: number): number => {
      let v = (value ^ hashConst) >>> 0
      hashConst = Math.imul(hashConst, MULT_A) >>> 0
      v = Math.imul(v, hashConst) >>> 0
      return (v ^ (v >>> XSHIFT)) >>> 0
    }
    const pool = this.pool
    for (let i = 0; i < POOL_SIZE; i++) pool[i] = hashmix(entropy[i] ?? 0)
    // Mix every word into every other so that late words affect early ones.
    for (let src = 0; src < POOL_SIZE; src++) {
      for (let dst = 0; dst < POOL_SIZE; dst++) {
        if (src !== dst) pool[dst] = mix(pool[dst] ?? 0, hashmix(pool[src] ?? 0))
      }
    }
    // Entropy beyond the pool size is folded into every pool word.
    for (let src = POOL_SIZE; src < entropy.length; src++) {
      for (let dst = 0; dst < POOL_SIZE; dst++) {
        pool[dst] = mix(pool[dst] ?? 0, hashmix(entropy[src] ?? 0))
      }
    }
  }

  /** `generate_state(nWords, np.uint32)`: nWords output words cycling over the pool. */
  generateState(nWords: number): Uint32Array {
    if (!Number.isSafeInteger(nWords) || nWords < 0)
      throw new RngArgumentError(`nWords must be a non-negative integer, got ${nWords}`)
    const out = new Uint32Array(nWords)
    let hashConst = INIT_B
    for (let i = 0; i < nWords; i++) {
      let v = ((this.pool[i % POOL_SIZE] ?? 0) ^ hashConst) >>> 0
      hashConst = Math.imul(hashConst, MULT_B) >>> 0
      v = Math.imul(v, hashConst) >>> 0
      out[i] = (v ^ (v >>> XSHIFT)) >>> 0
    }
    return out
  }

  /** `generate_state(n, np.uint64)`: 2n words read as little-endian uint64 pairs. */
  generateState64(n: number): bigint[] {
    const words = this.generateState(2 * n)
    const out: bigint[] = []
    for (let i = 0; i < n; i++) {
      out.push(BigInt(words[2 * i] ?? 0) | (BigInt(words[2 * i + 1] ?? 0) << 32n))
    }
    return out
  }
}
