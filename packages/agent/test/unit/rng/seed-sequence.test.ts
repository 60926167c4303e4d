import { describe, expect, it } from 'vitest'
import { RngArgumentError } from '../../../src/rng/errors.js'
import { SeedSequence } from '../../../src/rng/seed-sequence.js'

/** Four little-endian uint32 words as one integer: the same entropy words numpy splits it into. */
const fromWords = (words: number[]): bigint => words.reduceRight((acc, w) => (acc << 32n) | BigInt(w), 0n)

// numpy/random/tests/test_seed_sequence.py `test_reference_data` (matches the C++ reference of
// O'Neill's seed_seq_fe128): entropy words, generate_state(4) and generate_state(2, uint64).
const REFERENCE = [
  {
    entropy: [3735928559, 195939070, 229505742, 305419896],
    words: [3914649087, 576849849, 3593928901, 2229911004],
    words64: [2477551240072187391n, 9577394838764454085n]
  },
  {
    entropy: [3668361503, 4165561550, 1661411377, 3634257570],
    words: [2240804226, 3691353228, 1365957195, 2654016646],
    words64: [15854241394484835714n, 11398914698975566411n]
  },
  {
    entropy: [2766103236, 2883057919, 4029656435, 862374500],
    words: [296367413, 4262059219, 13109864, 3283683422],
    words64: [18305404959516669237n, 14103312907920476776n]
  }
]

describe('SeedSequence (numpy)', () => {
  it('reproduces numpy reference data for 4-word entropy', () => {
    for (const ref of REFERENCE) {
      const ss = new SeedSequence(fromWords(ref.entropy))
      expect(Array.from(ss.generateState(4))).toEqual(ref.words)
      expect(ss.generateState64(2)).toEqual(ref.words64)
    }
  })

  it('reads uint64 state words as little-endian pairs of uint32 words', () => {
    const ss = new SeedSequence(9157)
    const words = ss.generateState(8)
    const pairs = ss.generateState64(4)
    for (let i = 0; i < 4; i++) {
      expect(pairs[i]).toBe(BigInt(words[2 * i] ?? -1) + (BigInt(words[2 * i + 1] ?? -1) << 32n))
    }
  })

  it('cycles over the pool with a running hash: longer states extend shorter ones', () => {
    const ss = new SeedSequence(860)
    const short = Array.from(ss.generateState(3))
    const long = Array.from(ss.generateState(9))
    expect(long.slice(0, 3)).toEqual(short)
    expect(new Set(long).size).toBe(9)
  })

  it('treats a number and the equal bigint as the same seed', () => {
    expect(new SeedSequence(9157).generateState(4)).toEqual(new SeedSequence(9157n).generateState(4))
    expect(new SeedSequence(2 ** 40 + 3).generateState(4)).toEqual(new SeedSequence(2n ** 40n + 3n).generateState(4))
  })

  it('distinguishes seeds whose extra words are zero or beyond the pool size', () => {
    const state = (s: bigint): number[] => Array.from(new SeedSequence(s).generateState(4))
    // 0 is the single word [0]; 2^32 is [0, 1]; 2^128 + 7 has a fifth word mixed into every pool entry.
    expect(state(0n)).not.toEqual(state(1n << 32n))
    expect(state(7n)).not.toEqual(state((1n << 128n) + 7n))
    expect(state((1n << 128n) + 7n)).toEqual(state((1n << 128n) + 7n))
    expect(state((1n << 128n) + 7n)).not.toEqual(state((1n << 129n) + 7n))
  })

  it('rejects seeds numpy would refuse or that a number cannot hold exactly', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => new SeedSequence(bad)).toThrow(RngArgumentError)
    }
    expect(() => new SeedSequence(-1n)).toThrow(RngArgumentError)
    expect(() => new SeedSequence(1).generateState(-1)).toThrow(RngArgumentError)
  })
})
