import { describe, expect, it } from 'vitest'
import { Pcg64 } from '../../../src/rng/pcg64.js'
import { RngArgumentError } from '../../../src/rng/errors.js'

/** numpy's `Generator.random()`: the top 53 bits of a 64-bit output. */
const random = (rng: Pcg64): number => Number(rng.next64() >> 11n) / 2 ** 53

describe('Pcg64 (numpy Generator(PCG64(SeedSequence(s))))', () => {
  it('gives the reference 64-bit outputs for seeds 9157, 860 and 0 (docs/environments.md §3.6)', () => {
    const a = Pcg64.fromSeed(9157)
    expect([a.next64(), a.next64()]).toEqual([3504327091276116252n, 10072431975733617914n])
    const b = Pcg64.fromSeed(860)
    expect([b.next64(), b.next64()]).toEqual([15576860554009508796n, 17008459592535075513n])
    expect(Pcg64.fromSeed(0).next64()).toBe(11749869230777074271n)
  })

  it('matches the default_rng examples of the numpy documentation (random and Lemire integers)', () => {
    expect(random(Pcg64.fromSeed(12345))).toBe(0.22733602246716966)
    const r12345 = Pcg64.fromSeed(12345)
    expect([0, 1, 2].map(() => r12345.integers(0, 10))).toEqual([6, 2, 7])
    expect(random(Pcg64.fromSeed(658))).toBe(0.13691146845619506)
    const r658 = Pcg64.fromSeed(658)
    expect([0, 1, 2, 3, 4].map(() => r658.integers(0, 10))).toEqual([4, 1, 6, 0, 0])
    const r42 = Pcg64.fromSeed(42)
    const five = [0, 1, 2, 3, 4].map(() => random(r42))
    expect(five.map(v => v.toFixed(8))).toEqual(['0.77395605', '0.43887844', '0.85859792', '0.69736803', '0.09417735'])
  })

  it('serves 32-bit draws as low half then buffered high half, across 64-bit draws', () => {
    const ref = Pcg64.fromSeed(9157)
    const first = ref.next64()
    const second = ref.next64()
    const rng = Pcg64.fromSeed(9157)
    expect(rng.next32()).toBe(Number(first & 0xffffffffn))
    // A 64-bit draw does not consume the buffered half.
    expect(rng.next64()).toBe(second)
    expect(rng.next32()).toBe(Number(first >> 32n))
  })

  it('draws nothing for a single-value range', () => {
    const rng = Pcg64.fromSeed(5)
    expect(rng.integers(7, 8)).toBe(7)
    expect(rng.interval(0)).toBe(0)
    expect(rng.next64()).toBe(Pcg64.fromSeed(5).next64())
  })

  it('uses a raw 32-bit draw for a full 2^32 span, Lemire on 64-bit draws above', () => {
    const raw = Pcg64.fromSeed(11)
    const expected = raw.next32()
    expect(Pcg64.fromSeed(11).integers(0, 2 ** 32)).toBe(expected)
    const wide = Pcg64.fromSeed(11)
    for (let i = 0; i < 200; i++) {
      const v = wide.integers(-(2 ** 40), 2 ** 41)
      expect(Number.isSafeInteger(v) && v >= -(2 ** 40) && v < 2 ** 41).toBe(true)
    }
  })

  it('choiceRange(lo, hi) is lo + integers(0, hi - lo)', () => {
    const a = Pcg64.fromSeed(3)
    const b = Pcg64.fromSeed(3)
    for (let i = 0; i < 50; i++) expect(a.choiceRange(4, 11)).toBe(4 + b.integers(0, 7))
  })

  it('integers stay in [lo, hi) and cover it uniformly', () => {
    const rng = Pcg64.fromSeed(2024)
    const counts = new Array<number>(6).fill(0)
    for (let i = 0; i < 6000; i++) {
      const v = rng.integers(-2, 4)
      counts[v + 2] = (counts[v + 2] ?? 0) + 1
    }
    // Each bucket expects 1000 (sd ~29): 150 is over 5 sd.
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150)
  })

  it('shuffle permutes in place with masked-rejection draws from the end of the list', () => {
    const items = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    const rng = Pcg64.fromSeed(9157)
    rng.shuffle(items)
    expect([...items].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    // Same draws by hand: item i swaps with interval(i), for i = 9 down to 1.
    const manual = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    const again = Pcg64.fromSeed(9157)
    for (let i = 9; i >= 1; i--) {
      const j = again.interval(i)
      const t = manual[i] as number
      manual[i] = manual[j] as number
      manual[j] = t
    }
    expect(items).toEqual(manual)
    // interval(i) masks a 32-bit draw to the smallest 2^k - 1 >= i and rejects values above i.
    const masked = Pcg64.fromSeed(77)
    const source = Pcg64.fromSeed(77)
    const got = masked.interval(5)
    let v: number
    do v = source.next32() & 7
    while (v > 5)
    expect(got).toBe(v)
  })

  it('is deterministic per seed and differs across seeds', () => {
    const draw = (s: number): number[] => {
      const r = Pcg64.fromSeed(s)
      return [0, 1, 2, 3].map(() => r.integers(0, 1000))
    }
    expect(draw(860)).toEqual(draw(860))
    expect(draw(860)).not.toEqual(draw(861))
  })

  it('rejects invalid bounds', () => {
    const rng = Pcg64.fromSeed(1)
    expect(() => rng.integers(3, 3)).toThrow(RngArgumentError)
    expect(() => rng.integers(0.5, 3)).toThrow(RngArgumentError)
    expect(() => rng.integers(0, 2 ** 53)).toThrow(RngArgumentError)
    expect(() => rng.interval(-1)).toThrow(RngArgumentError)
    expect(() => Pcg64.fromSeed(-3)).toThrow(RngArgumentError)
  })
})
