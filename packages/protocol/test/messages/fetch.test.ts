import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { contentIdBytes, decodeFetch, encodeFetch, generated as pb, type MaskFetch } from '../../src/index.js'
import { backboneIdArb, cidArb, requestIdArb, taskKeyArb } from '../arbitraries.js'
import { expectCode } from '../helpers.js'
import { anyCidArb, anyEncodingArb, encodesFaithfully, num, str } from './faithful.js'

const fetchArb: fc.Arbitrary<MaskFetch> = fc.record({
  requestId: requestIdArb,
  target: fc.oneof(
    cidArb.map(cid => ({ cid })),
    taskKeyArb.map(taskKey => ({ taskKey }))
  ),
  encoding: fc.constantFrom('bits' as const, 'f16' as const, 'f32' as const),
  backboneId: backboneIdArb
})

const anyFetchArb: fc.Arbitrary<MaskFetch> = fc.record({
  requestId: num(requestIdArb),
  target: fc.oneof(
    anyCidArb.map(cid => ({ cid })),
    str(taskKeyArb).map(taskKey => ({ taskKey }))
  ),
  encoding: anyEncodingArb,
  backboneId: str(backboneIdArb)
})

describe('MaskFetch', () => {
  it('round-trips', () => {
    fc.assert(
      fc.property(fetchArb, f => {
        expect(decodeFetch(encodeFetch(f))).toEqual(f)
      }),
      { numRuns: 300 }
    )
  })

  it('is refused by its encoder unless it would arrive unchanged', () => {
    encodesFaithfully(anyFetchArb, encodeFetch, decodeFetch)
  })

  it('refuses a fetch without a target or without an encoding', () => {
    expectCode(
      () => decodeFetch(pb.MaskFetch.encode({ version: 1, backboneId: 'b', encoding: 1 }).finish()),
      'INVALID_FIELD'
    )
    expectCode(
      () => decodeFetch(pb.MaskFetch.encode({ version: 1, backboneId: 'b', taskKey: 'a' }).finish()),
      'INVALID_FIELD'
    )
  })

  it('refuses a CID that is not CIDv1 raw sha2-256', () => {
    const cidV1 = contentIdBytes(Uint8Array.of(1))
    const dagPb = cidV1.slice()
    dagPb[1] = 0x70
    expectCode(
      () => decodeFetch(pb.MaskFetch.encode({ version: 1, backboneId: 'b', encoding: 1, cid: dagPb }).finish()),
      'CID_MISMATCH'
    )
  })
})
