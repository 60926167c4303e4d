import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeOffer,
  encodeOffer,
  generated as pb,
  type MaskEncoding,
  type MaskOffer,
  type OfferStatus
} from '../../src/index.js'
import {
  backboneIdArb,
  cidArb,
  encodingsArb,
  peerIdArb,
  requestIdArb,
  rewardArb,
  stepsArb,
  taskKeyArb
} from '../arbitraries.js'
import { expectCode } from '../helpers.js'
import { anyCidArb, anyEncodingsArb, encodesFaithfully, num, orOdd, str } from './faithful.js'

const offerArb: fc.Arbitrary<MaskOffer> = fc.oneof(
  fc.record({
    requestId: requestIdArb,
    status: fc.constant('has-mask' as const),
    taskKey: taskKeyArb,
    reward: rewardArb,
    stepsTrained: stepsArb,
    cid: cidArb,
    encodedSize: fc.nat({ max: 1 << 20 }),
    encodings: encodingsArb,
    backboneId: backboneIdArb,
    origin: peerIdArb
  }),
  fc.record({
    requestId: requestIdArb,
    status: fc.constantFrom('no-mask' as const, 'backbone-mismatch' as const, 'busy' as const, 'refused' as const),
    taskKey: taskKeyArb,
    reward: fc.constant(0),
    stepsTrained: fc.constant(0),
    cid: fc.constant(null),
    encodedSize: fc.constant(0),
    encodings: fc.constant([] as MaskEncoding[]),
    backboneId: backboneIdArb,
    origin: fc.constant('')
  })
)

const anyOfferArb: fc.Arbitrary<MaskOffer> = orOdd(
  offerArb,
  fc.record({
    requestId: num(requestIdArb),
    status: orOdd<OfferStatus>(
      fc.constantFrom('has-mask', 'no-mask', 'backbone-mismatch', 'busy', 'refused'),
      fc.constantFrom('sold-out', 'toString')
    ),
    taskKey: str(taskKeyArb),
    reward: num(rewardArb),
    stepsTrained: num(stepsArb),
    cid: fc.option(anyCidArb, { nil: null }),
    encodedSize: num(fc.nat({ max: 1 << 20 })),
    encodings: anyEncodingsArb,
    backboneId: str(backboneIdArb),
    origin: str(peerIdArb)
  })
)

describe('MaskOffer', () => {
  it('round-trips', () => {
    fc.assert(
      fc.property(offerArb, o => {
        expect(decodeOffer(encodeOffer(o))).toEqual(o)
      }),
      { numRuns: 300 }
    )
  })

  it('is refused by its encoder unless it would arrive unchanged', () => {
    encodesFaithfully(anyOfferArb, encodeOffer, decodeOffer)
  })

  it('names the offending field', () => {
    const offer: MaskOffer = {
      requestId: 1,
      status: 'no-mask',
      taskKey: 'a',
      reward: 0,
      stepsTrained: 0,
      cid: null,
      encodedSize: 0,
      encodings: [],
      backboneId: 'b',
      origin: ''
    }
    expectCode(() => encodeOffer({ ...offer, stepsTrained: -1 }), 'INVALID_FIELD')
    expect(() => encodeOffer({ ...offer, stepsTrained: -1 })).toThrow(/offer steps trained/)
    expectCode(() => encodeOffer({ ...offer, encodedSize: 2 ** 30 }), 'TOO_LARGE')
    expectCode(() => encodeOffer({ ...offer, encodings: ['bits', 'bits'] }), 'INVALID_FIELD')
    expectCode(() => encodeOffer({ ...offer, cid: new Uint8Array(0) }), 'CID_MISMATCH')
  })

  it('refuses unknown status enums and ignores unknown encodings in lists', () => {
    expectCode(
      () =>
        decodeOffer(
          pb.MaskOffer.encode({ version: 1, status: 42 as pb.OfferStatus, taskKey: 'a', backboneId: 'b' }).finish()
        ),
      'UNKNOWN_ENUM'
    )
    const offer = decodeOffer(
      pb.MaskOffer.encode({
        version: 1,
        status: 2,
        taskKey: 'a',
        backboneId: 'b',
        encodings: [1, 77 as pb.MaskEncoding, 3, 3]
      }).finish()
    )
    expect(offer.encodings).toEqual(['bits', 'f32'])
  })

  it('refuses a has-mask offer without a valid content id', () => {
    expectCode(
      () => decodeOffer(pb.MaskOffer.encode({ version: 1, status: 1, taskKey: 'a', backboneId: 'b' }).finish()),
      'INVALID_FIELD'
    )
    expectCode(
      () =>
        decodeOffer(
          pb.MaskOffer.encode({
            version: 1,
            status: 1,
            taskKey: 'a',
            backboneId: 'b',
            cid: Uint8Array.of(1, 2, 3)
          }).finish()
        ),
      'CID_MISMATCH'
    )
  })

  it('refuses uint64 values beyond 2^53 instead of rounding them', () => {
    const bytes = pb.MaskOffer.encode({
      version: 1,
      status: 2,
      taskKey: 'a',
      backboneId: 'b',
      stepsTrained: '18446744073709551615' as unknown as number
    }).finish()
    expectCode(() => decodeOffer(bytes), 'INVALID_FIELD')
  })
})
