import { describe, expect, it } from 'vitest'
import { LOSS_MODES, LossInjector } from '../../../../src/network/mask-exchange/loss.js'
import { createPrng } from '../../../../src/rng/prng.js'

/** Seeded uniform [0, 1) source (the project's PRNG): tests must not use Math.random. */
function seededUniform(seed: number): () => number {
  const prng = createPrng(seed)
  return () => prng.nextFloat()
}

describe('loss injection', () => {
  it('drops each outbound message with the configured probability, reproducibly', () => {
    const run = (): boolean[] => {
      const l = new LossInjector({ probability: 0.95 }, seededUniform(7))
      return Array.from({ length: 20_000 }, () => l.shouldDrop('offer'))
    }
    const a = run()
    expect(a).toEqual(run())
    const rate = a.filter(Boolean).length / a.length
    expect(rate).toBeGreaterThan(0.94)
    expect(rate).toBeLessThan(0.96)
  })

  it('in queries-only mode (the released reference) drops nothing but queries', () => {
    const l = new LossInjector({ probability: 1, mode: 'queries' }, seededUniform(1))
    expect(l.shouldDrop('query')).toBe(true)
    for (const k of ['offer', 'fetch', 'transfer', 'announce', 'inventory'] as const)
      expect(l.shouldDrop(k)).toBe(false)
    expect(l.counts().query).toEqual({ sent: 0, dropped: 1 })
  })

  it('a mode named after one message type drops that type only', () => {
    const kinds = ['query', 'offer', 'fetch', 'transfer', 'announce', 'inventory'] as const
    const modes = ['queries', 'offers', 'fetches', 'transfers', 'announcements', 'inventories'] as const
    expect(LOSS_MODES).toEqual(['all', ...modes])
    modes.forEach((mode, i) => {
      const l = new LossInjector({ probability: 1, mode }, seededUniform(1))
      expect(kinds.filter(k => l.shouldDrop(k))).toEqual([kinds[i]])
    })
  })

  it('spares peers that only measure (evaluators)', () => {
    const l = new LossInjector({ probability: 1 }, seededUniform(1), peer => peer === 'evaluator')
    expect(l.shouldDrop('offer', 'learner')).toBe(true)
    expect(l.shouldDrop('offer', 'evaluator')).toBe(false)
  })

  it('refuses probabilities outside [0, 1]; zero never drops', () => {
    expect(() => new LossInjector({ probability: 1.5 }, Math.random)).toThrow(RangeError)
    const none = LossInjector.none()
    expect(Array.from({ length: 100 }, () => none.shouldDrop('query')).some(Boolean)).toBe(false)
  })
})
