import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  acceptedEncodings,
  contentIdBytes,
  decodeFetch,
  encodeFetch,
  generated as pb,
  type MaskEncoding,
  type MaskFetch
} from '../../src/index.js'
import { backboneIdArb, cidArb, requestIdArb, taskKeyArb } from '../arbitraries.js'
import { expectCode } from '../helpers.js'
import { anyCidArb, anyEncodingArb, encodesFaithfully, num, str } from './faithful.js'

const ENCODINGS: MaskEncoding[] = ['bits', 'f16', 'f32', 'delta']

/** Without an accept list (as requesters before it send), or with one that lists `encoding`. */
const fetchArb: fc.Arbitrary<MaskFetch> = fc
  .record({
    requestId: requestIdArb,
    target: fc.oneof(
      cidArb.map(cid => ({ cid })),
      taskKeyArb.map(taskKey => ({ taskKey }))
    ),
    encoding: fc.constantFrom('bits' as const, 'f16' as const, 'f32' as const),
    backboneId: backboneIdArb,
    others: fc.option(fc.shuffledSubarray(ENCODINGS), { nil: undefined }),
    at: fc.nat()
  })
  .map(({ others, at, ...f }) => {
    if (others === undefined) return f
    const rest = others.filter(e => e !== f.encoding)
    const i = at % (rest.length + 1)
    return { ...f, accept: [...rest.slice(0, i), f.encoding, ...rest.slice(i)] }
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

  it('carries the accept list in order; without one a holder serves exactly `encoding`', () => {
    const f: MaskFetch = { requestId: 1, target: { taskKey: 'a' }, encoding: 'bits', backboneId: 'b' }
    const old = decodeFetch(encodeFetch(f))
    expect(old.accept).toBeUndefined()
    expect(acceptedEncodings(old)).toEqual(['bits'])
    const negotiated = decodeFetch(encodeFetch({ ...f, accept: ['delta', 'bits'] }))
    expect(negotiated.accept).toEqual(['delta', 'bits'])
    expect(acceptedEncodings(negotiated)).toEqual(['delta', 'bits'])
    // What a holder that predates the field reads: field 7 is unknown to it and skipped.
    const bytes = encodeFetch({ ...f, accept: ['delta', 'bits'] })
    expect(pb.MaskFetch.decode(bytes).encoding).toBe(1)
  })

  it('refuses an accept list without `encoding` (an older holder would serve what was not accepted)', () => {
    const f: MaskFetch = {
      requestId: 1,
      target: { taskKey: 'a' },
      encoding: 'bits',
      backboneId: 'b',
      accept: ['delta']
    }
    expectCode(() => encodeFetch(f), 'INVALID_FIELD')
    expectCode(
      () =>
        decodeFetch(
          pb.MaskFetch.encode({ version: 1, backboneId: 'b', taskKey: 'a', encoding: 1, accept: [4] }).finish()
        ),
      'INVALID_FIELD'
    )
    expectCode(() => encodeFetch({ ...f, accept: ['bits', 'bits'] }), 'INVALID_FIELD')
  })

  it('skips encodings a newer requester lists that this node does not know, and merges repeats', () => {
    const bytes = pb.MaskFetch.encode({
      version: 1,
      backboneId: 'b',
      taskKey: 'a',
      encoding: 1,
      accept: [99, 4, 4, 1] as never
    }).finish()
    expect(decodeFetch(bytes).accept).toEqual(['delta', 'bits'])
  })
})
