import { describe, expect, it } from 'vitest'
import { RngArgumentError } from '../../../src/rng/errors.js'
import {
  createPrng,
  deriveStream,
  fnv1a64,
  Prng,
  PrngSeedError,
  splitmix64,
  streamState
} from '../../../src/rng/prng.js'

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('learner PRNG (xoshiro128** seeded by FNV-1a-64 + splitmix64)', () => {
  it('matches the xoshiro128** reference sequence from state [1, 2, 3, 4]', () => {
    const rng = new Prng(Uint32Array.of(1, 2, 3, 4))
    expect([rng.nextUint32(), rng.nextUint32(), rng.nextUint32(), rng.nextUint32()]).toEqual([
      11520, 0, 5927040, 70819200
    ])
  })

  it('uses the published FNV-1a-64 and splitmix64 functions', () => {
    expect(fnv1a64(utf8(''))).toBe(0xcbf29ce484222325n)
    expect(fnv1a64(utf8('a'))).toBe(0xaf63dc4c8601ec8cn)
    expect(fnv1a64(utf8('foobar'))).toBe(0x85944171f73967e8n)
    expect(splitmix64(0n, 2)).toEqual([0xe220a8397b1dcdafn, 0x6e789e6aa1b965f4n])
  })

  it('derives the state from (seed, label) as documented', () => {
    const seedBytes = new Uint8Array(8)
    new DataView(seedBytes.buffer).setBigUint64(0, 9157n, true)
    const key = fnv1a64(utf8('backbone/body.0'), fnv1a64(seedBytes))
    const [z1, z2] = splitmix64(key, 2) as [bigint, bigint]
    const expected = [z1 & 0xffffffffn, z1 >> 32n, z2 & 0xffffffffn, z2 >> 32n].map(Number)
    expect(Array.from(streamState(9157, 'backbone/body.0'))).toEqual(expected)
  })

  it('is deterministic per stream and streams differ by seed and by label', () => {
    const draw = (rng: Prng): number[] => Array.from({ length: 8 }, () => rng.nextUint32())
    expect(draw(deriveStream(5, 'x'))).toEqual(draw(deriveStream(5, 'x')))
    expect(draw(deriveStream(5, 'x'))).not.toEqual(draw(deriveStream(5, 'y')))
    expect(draw(deriveStream(5, 'x'))).not.toEqual(draw(deriveStream(6, 'x')))
    expect(draw(createPrng(5))).toEqual(draw(deriveStream(5, '')))
  })

  it('resumes from a saved state', () => {
    const rng = createPrng(42)
    rng.nextUint32()
    const copy = new Prng(rng.state())
    expect(Array.from({ length: 5 }, () => copy.nextUint32())).toEqual(
      Array.from({ length: 5 }, () => rng.nextUint32())
    )
  })

  it('gives floats in [0, 1) with a sensible mean and integers in range', () => {
    const rng = createPrng(7)
    let sum = 0
    for (let i = 0; i < 20_000; i++) {
      const u = rng.nextFloat()
      expect(u >= 0 && u < 1).toBe(true)
      sum += u
    }
    expect(sum / 20_000).toBeCloseTo(0.5, 1)
    const counts = [0, 0, 0]
    for (let i = 0; i < 3000; i++) counts[rng.nextInt(3)]!++
    for (const c of counts) expect(c).toBeGreaterThan(850)
  })

  it('rejects bad seeds and an all-zero state', () => {
    expect(() => createPrng(-1)).toThrow(PrngSeedError)
    expect(() => createPrng(1.5)).toThrow(PrngSeedError)
    expect(() => createPrng(2 ** 53)).toThrow(PrngSeedError)
    expect(() => new Prng(new Uint32Array(4))).toThrow(PrngSeedError)
    // One class for every RNG argument error, whichever generator throws it.
    expect(() => createPrng(-1)).toThrow(RngArgumentError)
  })
})
