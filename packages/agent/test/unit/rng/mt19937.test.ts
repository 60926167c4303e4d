import { describe, expect, it } from 'vitest'
import { RngArgumentError } from '../../../src/rng/errors.js'
import { MT19937 } from '../../../src/rng/mt19937.js'

describe('MT19937 (numpy legacy RandomState)', () => {
  it('reproduces init_genrand(1): the first outputs numpy gives for RandomState(1)', () => {
    const rng = new MT19937(1)
    expect([rng.nextUint32(), rng.nextUint32(), rng.nextUint32(), rng.nextUint32(), rng.nextUint32()]).toEqual([
      1791095845, 4282876139, 3093770124, 4005303368, 491263
    ])
  })

  it('regenerates blocks correctly: the 10000th output of the default seed 5489 is 4123659995', () => {
    // The check value the C++ standard requires of std::mt19937 (16 block regenerations deep).
    const rng = new MT19937(5489)
    let last = 0
    for (let i = 0; i < 10000; i++) last = rng.nextUint32()
    expect(last).toBe(4123659995)
  })

  it('rand() builds 53-bit doubles from two words like numpy (RandomState(1).rand(3))', () => {
    const rng = new MT19937(1)
    expect(rng.rand()).toBe(0.417022004702574)
    expect(rng.rand()).toBe(0.7203244934421581)
    expect(rng.rand()).toBe(0.00011437481734488664)
  })

  it('randint uses masked rejection: RandomState(1).randint(0, 3, 16) and randint(0, 359)', () => {
    // Image 0 of CT-graph image seed 1 (docs/environments.md §2.9 A); the mask 3 rejects every 3.
    const rng = new MT19937(1)
    const cells = Array.from({ length: 16 }, () => rng.randint(0, 3)).join('')
    expect(cells).toBe('1001100101021202')
    expect(rng.randint(0, 359)).toBe(357)
  })

  it('randint over a single value returns it without consuming a draw', () => {
    const a = new MT19937(7)
    const b = new MT19937(7)
    expect(a.randint(0, 1)).toBe(0)
    expect(a.randint(5, 6)).toBe(5)
    expect(a.nextUint32()).toBe(b.nextUint32())
  })

  it('randint with a power-of-two range takes the low bits of one word each', () => {
    const a = new MT19937(11)
    const b = new MT19937(11)
    for (let i = 0; i < 100; i++) expect(a.randint(10, 18)).toBe(10 + (b.nextUint32() & 7))
  })

  it('randint stays inside [low, high) and hits every value', () => {
    const rng = new MT19937(3)
    const seen = new Set<number>()
    for (let i = 0; i < 2000; i++) {
      const v = rng.randint(-2, 5)
      expect(v).toBeGreaterThanOrEqual(-2)
      expect(v).toBeLessThan(5)
      seen.add(v)
    }
    expect(seen.size).toBe(7)
  })

  it('re-seeding restarts the stream', () => {
    const rng = new MT19937(1)
    rng.nextUint32()
    rng.seed(1)
    expect(rng.nextUint32()).toBe(1791095845)
  })

  it('rejects invalid seeds and ranges with RngArgumentError (a RangeError)', () => {
    expect(() => new MT19937(-1)).toThrow(RngArgumentError)
    expect(() => new MT19937(2 ** 32)).toThrow(RngArgumentError)
    expect(() => new MT19937(1.5)).toThrow(RangeError)
    const rng = new MT19937(0)
    expect(() => rng.randint(3, 3)).toThrow(RngArgumentError)
    expect(() => rng.randint(0, 0.5)).toThrow(RngArgumentError)
    expect(() => rng.randint(0, 2 ** 33)).toThrow(RngArgumentError)
  })
})
