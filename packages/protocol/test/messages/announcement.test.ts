import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  contentIdBytes,
  decodeAnnouncement,
  encodeAnnouncement,
  generated as pb,
  type InventoryAnnouncement,
  MAX_ANNOUNCED_MASKS,
  type MaskSummary
} from '../../src/index.js'
import { backboneIdArb, peerIdArb, rewardArb, stepsArb, summaryArb, taskKeyArb } from '../arbitraries.js'
import { expectCode } from '../helpers.js'
import { anyCidArb, anyEncodingsArb, encodesFaithfully, num, orOdd, str } from './faithful.js'

const announcementArb: fc.Arbitrary<InventoryAnnouncement> = fc
  .record({
    backboneId: backboneIdArb,
    masks: fc.array(summaryArb, { maxLength: 20 }),
    sequence: stepsArb,
    timestampMs: fc.nat({ max: 2 ** 45 }),
    role: fc.constantFrom('learner' as const, 'evaluator' as const),
    addrs: fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { maxLength: 4 }),
    totalSteps: stepsArb
  })
  .chain(a =>
    // The own ICR is optional: absent (evaluators, learners before their first measurement) or a finite number >= 0.
    fc
      .option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: undefined })
      .map(ownIcr => (ownIcr === undefined ? a : { ...a, ownIcr }))
  )

const anySummaryArb: fc.Arbitrary<MaskSummary> = fc.record({
  taskKey: str(taskKeyArb),
  cid: anyCidArb,
  reward: num(rewardArb),
  stepsTrained: num(stepsArb),
  encodedSize: num(fc.nat({ max: 1 << 20 })),
  encodings: anyEncodingsArb,
  origin: str(peerIdArb)
})
const anyAnnouncementArb: fc.Arbitrary<InventoryAnnouncement> = fc
  .record({
    backboneId: str(backboneIdArb),
    masks: fc.array(anySummaryArb, { maxLength: 4 }),
    sequence: num(stepsArb),
    timestampMs: num(fc.nat({ max: 2 ** 45 })),
    role: orOdd<InventoryAnnouncement['role']>(fc.constantFrom('learner', 'evaluator'), fc.constant('king')),
    addrs: fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 3 }),
    totalSteps: num(stepsArb)
  })
  .chain(a =>
    fc
      .option(num(fc.double({ min: 0, max: 1e6, noNaN: true })), { nil: undefined })
      .map(ownIcr => (ownIcr === undefined ? a : { ...a, ownIcr }))
  )

describe('InventoryAnnouncement', () => {
  it('round-trips', () => {
    fc.assert(
      fc.property(announcementArb, a => {
        expect(decodeAnnouncement(encodeAnnouncement(a))).toEqual(a)
      }),
      { numRuns: 200 }
    )
  })

  it('is refused by its encoder unless it would arrive unchanged', () => {
    encodesFaithfully(anyAnnouncementArb, encodeAnnouncement, decodeAnnouncement)
  })

  it('refuses a future version', () => {
    expectCode(
      () =>
        decodeAnnouncement(pb.InventoryAnnouncement.encode({ version: 9, backboneId: 'b', role: 'learner' }).finish()),
      'UNKNOWN_VERSION'
    )
  })

  it('refuses an unknown role', () => {
    expectCode(
      () => decodeAnnouncement(pb.InventoryAnnouncement.encode({ version: 1, backboneId: 'b', role: 'king' }).finish()),
      'INVALID_FIELD'
    )
  })

  it('carries the own ICR when given, and refuses one that is negative or not finite, either way', () => {
    const base: InventoryAnnouncement = {
      backboneId: 'b',
      masks: [],
      sequence: 1,
      timestampMs: 0,
      role: 'learner',
      addrs: [],
      totalSteps: 5
    }
    expect(decodeAnnouncement(encodeAnnouncement({ ...base, ownIcr: 12.5 })).ownIcr).toBe(12.5)
    expect(decodeAnnouncement(encodeAnnouncement({ ...base, ownIcr: 0 })).ownIcr).toBe(0)
    expect('ownIcr' in decodeAnnouncement(encodeAnnouncement(base))).toBe(false)
    for (const bad of [-0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expectCode(() => encodeAnnouncement({ ...base, ownIcr: bad }), 'INVALID_FIELD')
      const raw = pb.InventoryAnnouncement.encode({
        version: 1,
        backboneId: 'b',
        role: 'learner',
        ownIcr: bad
      }).finish()
      expectCode(() => decodeAnnouncement(raw), 'INVALID_FIELD')
    }
  })

  it('refuses to announce more masks than the limit', () => {
    expectCode(
      () =>
        encodeAnnouncement({
          backboneId: 'b',
          masks: Array.from({ length: MAX_ANNOUNCED_MASKS + 1 }, () => ({
            taskKey: 'a',
            cid: contentIdBytes(Uint8Array.of(1)),
            reward: 1,
            stepsTrained: 1,
            encodedSize: 1,
            encodings: [],
            origin: ''
          })),
          sequence: 0,
          timestampMs: 0,
          role: 'learner',
          addrs: [],
          totalSteps: 0
        }),
      'TOO_LARGE'
    )
  })
})
