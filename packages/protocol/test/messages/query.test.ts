import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeQuery,
  encodeQuery,
  generated as pb,
  MAX_CONTROL_MESSAGE_BYTES,
  type MaskQuery
} from '../../src/index.js'
import { backboneIdArb, requestIdArb, rewardArb, taskKeyArb } from '../arbitraries.js'
import { expectCode } from '../helpers.js'
import { encodesFaithfully, num, str } from './faithful.js'

const queryArb: fc.Arbitrary<MaskQuery> = fc.record({
  requestId: requestIdArb,
  taskKey: taskKeyArb,
  reward: fc.option(rewardArb, { nil: null }),
  backboneId: backboneIdArb
})

const anyQueryArb: fc.Arbitrary<MaskQuery> = fc.record({
  requestId: num(requestIdArb),
  taskKey: str(taskKeyArb),
  reward: fc.option(num(rewardArb), { nil: null }),
  backboneId: str(backboneIdArb)
})

describe('MaskQuery', () => {
  const q: MaskQuery = { requestId: 7, taskKey: 'ctgraph/d2b2/img1/leaf00', reward: 0.5, backboneId: 'abc' }

  it('round-trips', () => {
    fc.assert(
      fc.property(queryArb, q => {
        expect(decodeQuery(encodeQuery(q))).toEqual(q)
      }),
      { numRuns: 300 }
    )
  })

  it('is refused by its encoder unless it would arrive unchanged', () => {
    encodesFaithfully(anyQueryArb, encodeQuery, decodeQuery)
    expectCode(() => encodeQuery({ requestId: -1, taskKey: 'a', reward: null, backboneId: 'b' }), 'INVALID_FIELD')
  })

  it('refuses missing and future versions', () => {
    expectCode(
      () => decodeQuery(pb.MaskQuery.encode({ requestId: 1, taskKey: 'a', backboneId: 'b' }).finish()),
      'UNKNOWN_VERSION'
    )
    expectCode(
      () => decodeQuery(pb.MaskQuery.encode({ version: 2, requestId: 1, taskKey: 'a', backboneId: 'b' }).finish()),
      'UNKNOWN_VERSION'
    )
  })

  it('refuses non-finite rewards and bad identifiers', () => {
    expectCode(() => encodeQuery({ ...q, reward: NaN }), 'NON_FINITE')
    expectCode(
      () => decodeQuery(pb.MaskQuery.encode({ version: 1, taskKey: 'a', backboneId: 'b', reward: Infinity }).finish()),
      'NON_FINITE'
    )
    expectCode(
      () => decodeQuery(pb.MaskQuery.encode({ version: 1, taskKey: '', backboneId: 'b' }).finish()),
      'INVALID_FIELD'
    )
    expectCode(
      () => decodeQuery(pb.MaskQuery.encode({ version: 1, taskKey: 'a', backboneId: '' }).finish()),
      'INVALID_FIELD'
    )
  })

  it('refuses an oversized frame before parsing it, and a protobuf parse failure as MALFORMED', () => {
    expectCode(() => decodeQuery(new Uint8Array(MAX_CONTROL_MESSAGE_BYTES + 1)), 'TOO_LARGE')
    expectCode(() => decodeQuery(Uint8Array.of(0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f)), 'MALFORMED')
  })
})
