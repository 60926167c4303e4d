import { contentIdBytes, type MaskOffer, type MaskQuery } from '@l2d2c/protocol'
import { describe, expect, it } from 'vitest'
import { l2d2cStrategy } from '../../../../src/sharing/policy/l2d2c-strategy.js'
import type { HeldMask, ReceivedOffer } from '../../../../src/sharing/policy/strategy.js'

const TASK = 'ctgraph/d2b2/img1/leaf00'
const BB = 'backbone-a'
const query = (reward: number | null, backboneId = BB): MaskQuery => ({
  requestId: 1,
  taskKey: TASK,
  reward,
  backboneId
})
const held = (reward: number): HeldMask => ({
  taskKey: TASK,
  reward,
  stepsTrained: 1000,
  cid: contentIdBytes(Uint8Array.of(1)),
  encodedSize: 13_866,
  encodings: ['bits'],
  origin: ''
})
const offer = (peerId: string, reward: number, steps = 1000): ReceivedOffer => ({
  peerId,
  offer: {
    requestId: 1,
    status: 'has-mask',
    taskKey: TASK,
    reward,
    stepsTrained: steps,
    cid: contentIdBytes(Uint8Array.of(reward * 100)),
    encodedSize: 13_866,
    encodings: ['bits'],
    backboneId: BB,
    origin: peerId
  } satisfies MaskOffer
})

describe('L2D2-C sharing strategy', () => {
  const s = l2d2cStrategy()

  it('responder: offers only when 0.9 x its reward beats the querier (docs/reference-fidelity.md §3.3 step 3)', () => {
    expect(s.answer(query(0.5), held(1), BB).status).toBe('has-mask')
    expect(s.answer(query(0.89), held(1), BB).status).toBe('has-mask')
    expect(s.answer(query(0.9), held(1), BB).status).toBe('no-mask') // 0.9 * 1 is not > 0.9
    expect(s.answer(query(null), held(0.3), BB).status).toBe('has-mask') // the querier has nothing yet
    expect(s.answer(query(0), held(0), BB).status).toBe('no-mask') // never offer a zero-reward mask
    expect(s.answer(query(0.1), null, BB).status).toBe('no-mask')
  })

  it('responder: refuses another backbone with the mismatch status, and another task', () => {
    expect(s.answer(query(0.1, 'backbone-b'), held(1), BB).status).toBe('backbone-mismatch')
    expect(s.answer({ ...query(0.1), taskKey: 'ctgraph/d2b2/img1/leaf01' }, held(1), BB).status).toBe('no-mask')
  })

  it('requester: keeps offers that beat its own reward by the hysteresis, best first, deterministic ties', () => {
    const ranked = s.rank(
      [
        offer('p1', 0.7),
        offer('p2', 0.99),
        offer('p3', 0.95, 500),
        offer('p4', 0.95, 900),
        offer('p0', 0.95, 900),
        offer('p5', 0.5)
      ],
      0.6
    )
    expect(ranked.map(o => o.peerId)).toEqual(['p2', 'p0', 'p4', 'p3', 'p1']) // 0.9*0.5 = 0.45 < 0.6: p5 dropped
    expect(s.rank([offer('p1', 0.7)], 0.7).length).toBe(0)
    expect(s.rank([offer('p1', 0.7)], null).length).toBe(1)
  })

  it('requester: ignores offers without a mask, with a non-finite or non-positive reward', () => {
    const noMask: ReceivedOffer = { peerId: 'x', offer: { ...offer('x', 1).offer, status: 'no-mask', cid: null } }
    expect(s.rank([noMask, offer('y', 0), offer('z', NaN), offer('w', 0.8)], null).map(o => o.peerId)).toEqual(['w'])
  })

  it('adoption is decided on the locally measured rewards only', () => {
    expect(s.shouldAdopt(0.95, 0.2)).toBe(true)
    expect(s.shouldAdopt(0.5, 0.5)).toBe(true) // "at least as well as the current one"
    expect(s.shouldAdopt(0.1, 0.5)).toBe(false) // e.g. a lying peer's random mask
    expect(s.shouldAdopt(0, null)).toBe(false)
    expect(s.shouldAdopt(0.3, null)).toBe(true)
    expect(s.shouldAdopt(NaN, 0)).toBe(false)
  })

  it('is configurable and validates its options', () => {
    const loose = l2d2cStrategy({ hysteresis: 1 })
    expect(loose.answer(query(0.9), held(0.95), BB).status).toBe('has-mask')
    expect(() => l2d2cStrategy({ hysteresis: 0 })).toThrow(RangeError)
    expect(() => l2d2cStrategy({ hysteresis: 1.5 })).toThrow(RangeError)
  })
})
